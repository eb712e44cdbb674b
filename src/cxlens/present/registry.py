"""The page model's pages by name, in menu order — one module of :mod:`cxlens.present.pages`
per URL (``/drivers`` → ``present/pages/drivers.py``) — and the filters each reads. The
dashboard's routes, the pre-computation and the report look pages up here."""

from __future__ import annotations

from collections.abc import Callable

from cxlens.errors import NotFound, did_you_mean
from cxlens.present.filters import Filters
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages import (
    agent,
    catalogue,
    cohorts,
    customers,
    drivers,
    impact,
    journey,
    loop,
    moved,
    overview,
    sentiment,
    surveys,
    themes,
    touchpoints,
    vendors,
    verbatims,
)

PAGES: dict[str, Callable[[PageCtx], Page]] = {
    "overview": overview.overview,
    "touchpoints": touchpoints.touchpoints,
    "journey": journey.journey,
    "vendors": vendors.vendors,
    "agent": agent.agent,
    "verbatims": verbatims.verbatims,
    "surveys": surveys.surveys,
    "loop": loop.loop,
    "drivers": drivers.drivers,
    "cohorts": cohorts.cohorts,
    "impact": impact.impact,
    "moved": moved.moved_page,
    "customers": customers.customers,
    "themes": themes.themes,
    "sentiment": sentiment.sentiment,
    "catalogue": catalogue.catalogue_page,
}
#: The filters a page reads (URL names), where not all of them: the others are neither
#: offered nor applied, nor part of its cache key.
USES: dict[str, tuple[str, ...]] = {
    **drivers.USES, **cohorts.USES, **impact.USES, **customers.USES, **themes.USES,
    **sentiment.USES, **moved.USES}


def build(name: str, ctx: PageCtx) -> Page:
    if name not in PAGES:
        raise NotFound(f"no page {name!r}.{did_you_mean(name, PAGES)}",
                       f"pages: {', '.join(PAGES)}")
    return PAGES[name](ctx)


def relevant(name: str, filters: Filters) -> Filters:
    """``filters`` without those page ``name`` does not read."""
    return filters.keep(USES[name]) if name in USES else filters
