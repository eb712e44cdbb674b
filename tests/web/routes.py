"""Every GET route of the app with the query parameters it reads, and plausible values for
its path parameters: what the odd-input walk and the header checks go over."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from cxlens.present import registry
from cxlens.present.filters import DIMENSIONS
from cxlens.store.base import Warehouse
from cxlens.web.pages import OPTIONS

#: Parameters the dashboard's filter parsing reads from the URL (present/filters.py), beside
#: those a route declares.
FILTERS = ("from", "to", "grain", *DIMENSIONS)
#: Routes that read the filters (and the page options) from the URL without declaring them.
#: (Each page-model page has its own route, ``/<name>``: web/routes/.)
READS_FILTERS = {**{f"/{name}": FILTERS + OPTIONS for name in registry.PAGES},
                 "/api/pages/{name}": FILTERS + OPTIONS,
                 "/api/pages/{name}/tables/{table}.csv": FILTERS + OPTIONS,
                 "/report": FILTERS, "/api/query": FILTERS}


@dataclass(frozen=True)
class Route:
    path: str  # with its parameters filled in
    template: str
    params: tuple[str, ...]
    numbers: tuple[str, ...] = ()  # the declared parameters that take a number


def _first(wh: Warehouse, sql: str, default: str) -> str:
    try:
        value = wh.scalar(sql)
    except Exception:  # the table is not in this warehouse: any id will do
        return default
    return default if value is None else str(value)


def get_routes(app: FastAPI, wh: Warehouse) -> list[Route]:
    """Each GET route, its path parameters filled with ids that exist in ``wh`` where the
    demo has them (the overview for ``{name}``: the same parsing for every page)."""
    ids = {"case_id": _first(wh, "SELECT case_id FROM followup_cases LIMIT 1", "case-1"),
           "review_id": _first(wh, "SELECT review_id FROM qa_reviews LIMIT 1", "1"),
           "session_id": "1", "dispute_id": "1", "token": "not-a-token",
           "table": "trend", "fmt": "json", "job_id": "job_nope",
           "import_id": _first(wh, "SELECT import_id FROM import_log LIMIT 1", "nope")}
    out = []
    for r in iter_route_contexts(app.routes):
        if not r.methods or "GET" not in r.methods or r.path is None:
            continue
        dependant = getattr(r, "dependant", None)
        query = dependant.query_params if dependant else []
        declared = tuple(p.alias for p in query)
        numbers = tuple(p.alias for p in query if "int" in str(p.field_info.annotation))
        params = tuple(dict.fromkeys(declared + READS_FILTERS.get(r.path, ())))
        formats = ("json", "csv", "html") if "{fmt}" in r.path else ("json",)
        for fmt in formats:
            path = r.path.format(**{**ids, "name": "overview", "fmt": fmt})
            out.append(Route(path, r.path, params, numbers))
    return out
