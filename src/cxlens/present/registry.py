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


#: The tables each page reads (registry names), so that its cached copy is kept while other
#: tables change (a survey run's invitations and cases): the page cache, the shared results
#: and the pre-computation use these tables' versions only (``store.migrate.data_version``).
#: A page not named here depends on everything. tests/present/test_reads.py builds every page
#: while recording the tables its SQL touches and fails when one is missing here.
_ANSWERS = ("interactions", "survey_responses")
READS: dict[str, frozenset[str]] = {name: frozenset(tables) for name, tables in {
    "overview": (*_ANSWERS, "survey_invitations", "cxlens_contracts"),  # response rate, targets
    "touchpoints": _ANSWERS,
    "journey": (*_ANSWERS, "customers", "orders", "carts", "web_sessions", "store_visits",
                "mentions", "followup_cases"),
    "vendors": (*_ANSWERS, "cxlens_contracts"),
    "agent": (*_ANSWERS, "customers"),  # the case mix
    "verbatims": _ANSWERS,
    "surveys": (*_ANSWERS, "survey_invitations"),
    "loop": ("interactions", "followup_cases", "cxlens_case_events"),
    "drivers": _ANSWERS,
    "cohorts": _ANSWERS,
    "impact": (*_ANSWERS, "initiatives"),
    "moved": _ANSWERS,
    "customers": (*_ANSWERS, "customers", "orders"),
    "themes": (*_ANSWERS, "cxlens_themes", "cxlens_theme_runs", "cxlens_theme_assignments"),
    "sentiment": (*_ANSWERS, "mentions", "transcript_turns", "sentiment_models"),
    "catalogue": (),  # the metric definitions only
}.items()}


#: The same for what a page keeps in the dashboard's cache itself (``PageCtx.cached``), by
#: its key's first part: a vendor's statement, the contracts, the QA scores. Checked the
#: same way; a key not named here depends on everything.
_QA = ("interactions", "qa_reviews", "cxlens_machine_reviews", "cxlens_autoqa_results")
ENTRIES: dict[str, frozenset[str]] = {key: frozenset(tables) for key, tables in {
    "contracts": ("cxlens_contracts",),
    "statement": (*_ANSWERS, "customers", "cxlens_contracts"),  # customers: the case mix
    "compare": (*_ANSWERS, "customers", "cxlens_contracts"),
    "qa": (*_QA, "cxlens_qa_dispute_events"),
    "qa_machine": _QA,
}.items()}


def reads(name: str) -> frozenset[str] | None:
    """The tables page ``name`` reads; None: not declared, so every table."""
    return READS.get(name)


def build(name: str, ctx: PageCtx) -> Page:
    if name not in PAGES:
        raise NotFound(f"no page {name!r}.{did_you_mean(name, PAGES)}",
                       f"pages: {', '.join(PAGES)}")
    return PAGES[name](ctx)


def relevant(name: str, filters: Filters) -> Filters:
    """``filters`` without those page ``name`` does not read."""
    return filters.keep(USES[name]) if name in USES else filters
