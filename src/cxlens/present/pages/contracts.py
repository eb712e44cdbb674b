"""``/contracts``, ``/statement`` and ``/contracts/compare``: the saved contracts with their
KPIs and problems, a vendor's monthly statement, and vendors or sites side by side on the
contracts' KPIs. A vendor viewer sees only their own vendor's contracts, statement and rows
(naming another vendor's statement is "not found"). Parsing, statements and comparisons are
kept in the dashboard's cache per data version and contracts revision."""

from __future__ import annotations

import datetime as dt

from cxlens.contracts import store
from cxlens.contracts.compare import Comparison, compare
from cxlens.contracts.measure import latest_complete_month
from cxlens.contracts.spec import Contract
from cxlens.contracts.statement import Statement, statement
from cxlens.dates import parse_month
from cxlens.errors import NotFound
from cxlens.present.model import Page, PageCtx
from cxlens.present.scope import only_theirs, own_vendor, vendor_asked

Row = tuple[store.Saved, Contract | None, str | None]


def visible(ctx: PageCtx) -> list[Row]:
    """The saved contracts, parsed, as the viewer may see them: a vendor viewer's own (a
    contract that does not parse is not theirs to see); every contract for the others."""
    rows: list[Row] = ctx.cached(("contracts", store.revision(ctx.wh)),
                                 lambda: store.parsed(ctx.wh))
    return only_theirs(ctx.user, rows, lambda r: r[1].vendor if r[1] else None)


def usable(ctx: PageCtx) -> list[Contract]:
    return [c for _, c, _ in visible(ctx) if c is not None]


def month(ctx: PageCtx) -> dt.date:
    """Option ``month`` (YYYY-MM), or the latest complete month with contacts."""
    text = ctx.options.get("month")
    return parse_month(text, "month") if text else latest_complete_month(ctx.wh)


def contracts(ctx: PageCtx) -> Page:
    """``extra``: ``rows`` (saved, contract or None, problem), ``history`` (name → its
    versions) and ``month`` (the statements' default, YYYY-MM)."""
    rows = visible(ctx)
    names = {s.name for s, _, _ in rows}
    history: dict[str, list[store.Saved]] = {}
    for v in store.history(ctx.wh):
        if v.name in names:
            history.setdefault(v.name, []).append(v)
    page = Page("contracts", "Contracts")
    page.extra.update(rows=rows, history=history,
                      month=f"{latest_complete_month(ctx.wh):%Y-%m}")
    return page


def vendors_page(ctx: PageCtx) -> Page:
    """``extra``: ``vendors``, those with a contract the viewer sees (the statement form's
    choices, shown also when the statement itself cannot be made)."""
    page = Page("statement", "Statement")
    page.extra["vendors"] = sorted({c.vendor for c in usable(ctx)})
    return page


def statement_page(ctx: PageCtx) -> Page:
    """Options ``vendor`` (as asked; none: the first with a contract) and ``month``.
    ``extra``: ``statement`` and ``vendors`` (the choices)."""
    pool = usable(ctx)
    vendor = vendor_asked(ctx.user, ctx.options.get("vendor"), "statement",
                          "open /statement without a vendor")
    if not vendor:
        choices = sorted({c.vendor for c in pool})
        if not choices:
            raise NotFound("no contracts are saved", "an admin saves them on /contracts, or: "
                           "cxlens contracts load DIR")
        vendor = choices[0]
    when, chosen = month(ctx), vendor
    s: Statement = ctx.cached(("statement", store.revision(ctx.wh), chosen, when),
                              lambda: statement(ctx.wh, pool, chosen, when))
    page = Page("statement", f"Statement: {s.vendor}, {s.month:%Y-%m}")
    page.extra.update(statement=s, vendors=sorted({c.vendor for c in pool}))
    return page


def comparison(ctx: PageCtx) -> Page:
    """Options ``month``, ``by`` (vendor or site) and ``contract``. ``extra``:
    ``comparison`` and ``labels`` (the contracts' labels, the form's choices)."""
    pool = usable(ctx)
    own, when = own_vendor(ctx.user), month(ctx)
    by, contract = ctx.options.get("by") or "vendor", ctx.options.get("contract") or None
    c: Comparison = ctx.cached(
        ("compare", store.revision(ctx.wh), when, by, contract, own),
        lambda: compare(ctx.wh, pool, when, by, contract=contract, vendor=own))
    page = Page("compare", "Contracts compared")
    page.extra.update(comparison=c, labels=sorted(x.label for x in pool))
    return page
