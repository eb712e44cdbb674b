"""The Performance area: headline KPIs, what moved them, touchpoints, journeys,
drivers, cohorts, impact, the metric catalogue and the agent page (all page-model pages;
their builders are named in ``cxlens.present.registry.PAGES``)."""

from __future__ import annotations

from fastapi import APIRouter

from cxlens.web.pages import serve_pages

router = APIRouter()
#: This area's page-model pages, each served at ``/<name>`` (JSON twin: ``/api/pages/<name>``).
PAGES = ("overview", "moved", "touchpoints", "journey", "drivers", "cohorts", "impact",
         "catalogue", "agent")
serve_pages(router, PAGES)
