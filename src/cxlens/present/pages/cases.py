"""``/cases`` and ``/cases/{id}``: follow-up cases within the vendor in scope — one page of the
list (open ones first by due time) with the total, and a case with its history and the
(redacted) comment of the answer that opened it. A case of another vendor is "not found" for
a vendor viewer: they are not told it exists."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.errors import ConfigError, NotFound
from cxlens.loop import cases
from cxlens.present.model import Page, PageCtx
from cxlens.present.scope import check_seen
from cxlens.schema import CASE_STATUSES
from cxlens.text.redact import redact

#: Cases per page of ``/cases`` (the list pages; the total is always shown).
PER_PAGE = 50
CHOSEN = ("status", "owner", "vendor")


def case_list(ctx: PageCtx) -> Page:
    """Options ``status``, ``owner``, ``vendor`` (as asked: shown back in the form) and
    ``page`` (1, 2, ...; none: every case up to 500). ``extra``: ``rows`` (the cases as
    dicts), ``total``, ``page_no``, ``pages``, ``first`` (number of the first row), ``chosen``
    (the form's values) and ``statuses``."""
    status, owner = ctx.option("status"), ctx.option("owner")
    number = ctx.option("page")
    if number is not None and not number.isdigit():
        raise ConfigError(f"page {number!r} is not a whole number", "use ?page=1, 2, ...")
    page_no = int(number) if number else 1
    limit, offset = (PER_PAGE, (page_no - 1) * PER_PAGE) if number else (500, 0)
    total = cases.count(ctx.wh, vendor=ctx.vendor, status=status, owner=owner)
    rows = cases.listing(ctx.wh, vendor=ctx.vendor, status=status, owner=owner, limit=limit,
                         offset=offset)
    page = Page("cases", "Follow-up cases")
    page.tables["cases"] = pd.DataFrame(rows, columns=list(cases.COLUMNS))
    page.extra.update(rows=rows, total=total, page_no=page_no,
                      pages=max(1, -(-total // PER_PAGE)), first=offset + 1,
                      chosen={k: ctx.options.get(k) or "" for k in CHOSEN},
                      statuses=CASE_STATUSES)
    return page


def case_in_scope(ctx: PageCtx, case_id: str) -> dict[str, Any]:
    """The case, or "not found" when it is missing or another vendor's."""
    found = cases.get(ctx.wh, case_id)
    check_seen(ctx.user, found["vendor"],
               NotFound(f"no case {case_id!r}", "list your cases at /cases"))
    return found


def case(ctx: PageCtx) -> Page:
    """Option ``case_id``. ``extra``: ``case`` (its columns), ``events`` (its history:
    occurred_at, actor, action, detail), ``comment`` (the answer's, redacted) and ``moves``
    (the statuses it may move to)."""
    case_id = ctx.options.get("case_id", "")
    found = case_in_scope(ctx, case_id)
    comment = cases.answer_comment(ctx.wh, str(found["response_id"]))
    page = Page("case", f"Case {case_id}")
    page.extra.update(case=found, events=cases.history(ctx.wh, case_id),
                      comment=redact(comment) if comment else None,
                      moves=cases.MOVES[found["status"]])
    return page
