"""``/qa/machine``: the machine reviewer (AutoQA, ``cxlens qa auto``) beside the people, per
criterion a check scores — the machine's pass rate and the people's, and their agreement on
the conversations both scored (Krippendorff's α and Cohen's κ with bootstrap intervals, n)
with the verdict *trusted* / *not trusted*. Everything is labelled as the machine's: the
people's quality scores on ``/qa`` stay theirs unless the viewer asks to include the machine.
A vendor viewer sees their own vendor's conversations only (rates and agreement alike).
Cached per data version (an AutoQA run bumps it) and QA revision (a review saved in the
dashboard changes the people's side)."""

from __future__ import annotations

import pandas as pd

from cxlens.present.model import Page, PageCtx
from cxlens.present.pages.qa import cards
from cxlens.present.scope import own_vendor
from cxlens.qa import disputes, machine, reviews

#: Bootstrap resamples for the intervals (as ``cxlens qa auto``'s default).
RESAMPLES = 1000
COLUMNS = ("scorecard", "criterion", "title", "checks", *machine.RATE_COLUMNS[2:],
           "alpha", "ci_low", "ci_high", "kappa", "kappa_low", "kappa_high", "n_units",
           "same_pass", "deviation", "trusted")


def machine_page(ctx: PageCtx) -> Page:
    """Option ``vendor`` (scoped). Table ``criteria`` (:data:`COLUMNS`, in the checks'
    order); ``extra``: ``trusted_alpha`` (the threshold), ``conversations`` (how many the
    machine checked in the view), ``chosen`` and ``vendors`` (the form's values and vendor
    choices)."""
    key = ("qa_machine", disputes.revision(ctx.wh), ctx.vendor, own_vendor(ctx.user))
    page: Page = ctx.cached(key, lambda: _build(ctx))
    return page


def _build(ctx: PageCtx) -> Page:
    sc = cards()
    agree = machine.agreement(ctx.wh, scorecards=sc, resamples=RESAMPLES, vendor=ctx.vendor)
    rates = machine.pass_rates(ctx.wh, sc, ctx.vendor)
    titles = {(s.name, c.id): c.title for s in sc.scorecards for c in s.criteria}
    table = agree.merge(rates, on=["scorecard", "criterion"], how="left")
    for who in ("machine", "people"):
        table[f"{who}_n"] = table[f"{who}_n"].fillna(0).astype("int64")
    table["title"] = [titles.get((s, c), c) for s, c in zip(table["scorecard"],
                                                           table["criterion"], strict=True)]
    page = Page("qa_machine", "AutoQA beside the people")
    page.tables["criteria"] = pd.DataFrame(table[list(COLUMNS)]).reset_index(drop=True)
    page.extra.update(trusted_alpha=machine.TRUSTED,
                      conversations=machine.checked(ctx.wh, ctx.vendor),
                      chosen={"vendor": ctx.vendor or ""},
                      vendors=(reviews.vendors(ctx.wh) if own_vendor(ctx.user) is None
                               else [ctx.vendor]))
    return page


__all__ = ["COLUMNS", "RESAMPLES", "machine_page"]
