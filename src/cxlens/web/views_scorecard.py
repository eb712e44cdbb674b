"""The scorecard grid of the /vendors page (and of the report): the saved contracts' KPIs for
every vendor, site or team the viewer may see (option ``by``; by default the level after the
vendor, site or team chosen), in the month the ``to`` date falls in, else the latest month
with contacts. The figures are ``contracts.compare``'s; ``present.scorecard`` lays them out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from cxlens.contracts import store as contract_store
from cxlens.contracts.compare import BY, Segment, compare
from cxlens.contracts.measure import latest_complete_month
from cxlens.dates import parse_month
from cxlens.errors import NotFound, did_you_mean
from cxlens.present import scorecard
from cxlens.web import views
from cxlens.web.views import Page, PageCtx

#: The level shown once a vendor, then a site, is chosen.
NEXT = {"vendor": "site", "site": "team", "team": "team"}


def level(ctx: PageCtx) -> str:
    by = ctx.options.get("by")
    if by:
        if by not in BY:
            raise NotFound(f"no scorecard by {by!r}.{did_you_mean(by, BY)}",
                           f"choose by={', by='.join(BY)}")
        return by
    chosen = ctx.filters.chosen()
    if ctx.user.role == "vendor":  # always their vendor: the grid starts at their column
        chosen.pop("vendor", None)
    deepest = next((d for d in ("team", "site", "vendor") if d in chosen), None)
    return NEXT[deepest] if deepest else "vendor"


def build(ctx: PageCtx, links: bool = True) -> scorecard.Grid | None:
    """The grid, or None when no contract the viewer may see has a KPI (a vendor viewer:
    only their vendor's contracts and column)."""
    contracts = [c for _, c, _ in contract_store.parsed(ctx.wh) if c is not None
                 and (ctx.user.role != "vendor" or c.vendor == ctx.user.vendor)]
    if not any(c.kpis for c in contracts):
        return None
    month = parse_month(ctx.filters.end[:7], "to") if ctx.filters.end else \
        latest_complete_month(ctx.wh)
    vendor = ctx.user.vendor if ctx.user.role == "vendor" else ctx.filters.vendor
    by = level(ctx)
    c = compare(ctx.wh, contracts, month, by, vendor=vendor)
    site, team = ctx.filters.site, ctx.filters.team
    keep = tuple(s for s in c.segments if (not site or s.site in (None, site))
                 and (not team or s.team in (None, team)))
    c = replace(c, segments=keep)

    def link(change: dict[str, str | None]) -> str:
        return "/vendors?" + ctx.filters.query_string(**change)

    def statement(seg: Segment, when: dt.date) -> str:
        return "/statement?" + urlencode({"vendor": seg.vendor, "month": f"{when:%Y-%m}"})

    grid = scorecard.grid(c, link if links else None, statement if links else None)
    if links:
        grid.crumbs = scorecard.crumbs(by, ctx.filters.chosen(), link)
    return grid


def vendors(ctx: PageCtx) -> Page:
    """The /vendors page: the scorecard grid first, then the KPI chart and table by level."""
    page = views.vendors(ctx)
    grid = build(ctx)
    if grid is None:
        page.notes.append("No scorecard: no contract with KPIs is saved. An admin saves "
                          "them on /contracts, or: cxlens contracts load DIR.")
    else:
        page.extra["grid"] = grid
    return page
