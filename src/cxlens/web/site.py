"""The dashboard's pages by name, in menu order."""

from __future__ import annotations

from collections.abc import Callable

from cxlens.errors import NotFound, did_you_mean
from cxlens.present.filters import Filters
from cxlens.web import (
    views,
    views_customers,
    views_insights,
    views_loop,
    views_more,
    views_moved,
    views_overview,
    views_scorecard,
    views_text,
)
from cxlens.web.views import Page, PageCtx

PAGES: dict[str, Callable[[PageCtx], Page]] = {
    "overview": views_overview.overview,
    "touchpoints": views_more.touchpoints,
    "journey": views_more.journey,
    "vendors": views_scorecard.vendors,
    "agent": views_more.agent,
    "verbatims": views.verbatims,
    "surveys": views_loop.surveys,
    "loop": views_loop.loop,
    "drivers": views_insights.drivers,
    "cohorts": views_insights.cohorts,
    "impact": views_insights.impact,
    "moved": views_moved.moved_page,
    "customers": views_customers.customers,
    "themes": views_text.themes,
    "sentiment": views_text.sentiment,
    "catalogue": views.catalogue_page,
}
#: The filters a page reads (URL names), where not all of them: the others are neither
#: offered nor applied, nor part of its cache key.
USES: dict[str, tuple[str, ...]] = {**views_insights.USES, **views_customers.USES,
                                    **views_text.USES, **views_moved.USES}


def build(name: str, ctx: PageCtx) -> Page:
    if name not in PAGES:
        raise NotFound(f"no page {name!r}.{did_you_mean(name, PAGES)}",
                       f"pages: {', '.join(PAGES)}")
    return PAGES[name](ctx)


def relevant(name: str, filters: Filters) -> Filters:
    """``filters`` without those page ``name`` does not read."""
    return filters.keep(USES[name]) if name in USES else filters
