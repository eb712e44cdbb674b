"""The /vendors page: first the scorecard grid (also a page of the report) — the saved
contracts' KPIs for every vendor, site or team the viewer may see (option ``by``; by default
the level after the vendor, site or team chosen), in the month the ``to`` date falls in, else
the latest month with contacts; the figures are ``contracts.compare``'s, ``present.scorecard``
lays them out — then the KPIs side by side at one level of the drill-down (option ``level``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from cxlens.contracts import store as contract_store
from cxlens.contracts.compare import BY, Segment, compare
from cxlens.contracts.measure import latest_complete_month
from cxlens.dates import parse_month
from cxlens.errors import NotFound, did_you_mean
from cxlens.present import charts, scorecard
from cxlens.present.filters import Filters
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import metric_frame
from cxlens.present.scope import limited, may_see

#: Drill path of the vendors page.
LEVELS = ("vendor", "site", "team", "agent_id")
VENDOR_KPIS = ("csat", "fcr", "aht", "asa", "service_level", "first_response_time",
               "first_response_time:p90", "reopen_rate", "escalation_rate", "contact_volume")
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
    if limited(ctx.user):  # always their vendor: the grid starts at their column
        chosen.pop("vendor", None)
    deepest = next((d for d in ("team", "site", "vendor") if d in chosen), None)
    return NEXT[deepest] if deepest else "vendor"


def scorecard_grid(ctx: PageCtx, links: bool = True) -> scorecard.Grid | None:
    """The grid, or None when no contract the viewer may see has a KPI (a vendor viewer:
    only their vendor's contracts and column)."""
    vendor = ctx.vendor
    contracts = [c for _, c, _ in contract_store.parsed(ctx.wh) if c is not None
                 and may_see(ctx.user, c.vendor) and vendor in (None, c.vendor)]
    if not any(c.kpis for c in contracts):  # none saved, or none of the chosen vendor's
        return None
    month = parse_month(ctx.filters.end[:7], "to") if ctx.filters.end else \
        latest_complete_month(ctx.wh)
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
    page = by_level(ctx)
    grid = scorecard_grid(ctx)
    if grid is None:
        missing = f"{ctx.vendor} has no contract with KPIs" if ctx.vendor \
            else "no contract with KPIs is saved"
        page.notes.append(f"No scorecard: {missing}. An admin saves contracts on /contracts, "
                          "or: cxlens contracts load DIR.")
    else:
        page.extra["grid"] = grid
    return page


def by_level(ctx: PageCtx) -> Page:
    """KPIs side by side at one level of vendor → site → team → agent (option ``level``),
    within the parent segments chosen so far (``vendor``/``site``/``team`` filters)."""
    level = ctx.options.get("level") or next_level(ctx.filters)
    if level not in LEVELS:
        raise NotFound(f"no level {level!r}.{did_you_mean(level, LEVELS)}",
                       f"levels: {', '.join(LEVELS)}")
    # "KPIs by vendor", "KPIs by site" …: the page was "Vendors by vendor"
    page = Page("vendors", f"KPIs by {level.removesuffix('_id')}")
    frame, _ = metric_frame(ctx, list(VENDOR_KPIS), dims=(level,))
    page.tables["kpis"] = frame
    csat = frame[frame["metric"] == "csat"]
    if len(csat):
        page.charts.append(Chart("csat_by_segment", f"CSAT by {level.removesuffix('_id')}",
                                 charts.intervals(csat, level, "CSAT (%)"), "kpis"))
    deeper = LEVELS.index(level) + 1
    for value in sorted(str(v) for v in frame[level].dropna().unique()):
        if deeper < len(LEVELS):
            page.links.append((value, "/vendors?" + ctx.filters.query_string(
                **{level: value, "level": LEVELS[deeper]})))
        else:  # an agent: their own page
            page.links.append((value, "/agent?" + ctx.filters.query_string(agent_id=value)))
    page.extra["level"] = level
    return page


def next_level(filters: Filters) -> str:
    """The drill-down level after the segments chosen so far."""
    chosen = filters.chosen()
    for level in LEVELS:
        if level not in chosen:
            return level
    return LEVELS[-1]
