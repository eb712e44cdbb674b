"""JSON twins of the pages, CSV downloads of the table behind each chart, and the metric
query API — every route scoped to the caller (a vendor viewer gets their vendor's rows only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cxlens.accounts import audit
from cxlens.csvsafe import frame_csv
from cxlens.errors import NotFound, did_you_mean
from cxlens.present import charts, registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx, as_json
from cxlens.present.pages._common import metric_frame
from cxlens.web.pages import page_data
from cxlens.web.security import CurrentUser, state

router = APIRouter(prefix="/api")


@router.get("/health")
def health(request: Request) -> dict[str, object]:
    """Liveness, and whether the default pages are pre-computed for the current data."""
    return {"status": "ok", "prewarmed": state(request).prewarmed is not None}


@router.get("/me")
def me(user: CurrentUser) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "vendor": user.vendor}


@router.get("/pages")
def list_pages(user: CurrentUser) -> dict[str, list[str]]:
    return {"pages": list(registry.PAGES)}


@router.get("/pages/{name}")
def page_json(request: Request, user: CurrentUser, name: str,
              ) -> dict[str, Any]:
    page, filters = page_data(request, name, user)
    return {"filters": filters.query_string(), **as_json(page)}


@router.get("/pages/{name}/tables/{table}.csv")
def page_csv(request: Request, user: CurrentUser, name: str, table: str) -> Response:
    page, filters = page_data(request, name, user)
    if table not in page.tables:
        raise NotFound(f"page {name} has no table {table!r}.{did_you_mean(table, page.tables)}",
                       f"tables of {name}: {', '.join(page.tables)}")
    st = state(request)
    with st.lock:
        audit.record(st.wh, user.username, "export",
                     f"{name}/{table}.csv?{filters.query_string()}")
    text = frame_csv(page.tables[table])
    headers = {"Content-Disposition": f'attachment; filename="cxlens-{name}-{table}.csv"'}
    if page.updating is not None:  # figures from before the data changed (see as_json)
        headers["X-Cxlens-As-Of"] = page.updating.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Response(text, media_type="text/csv", headers=headers)


@router.get("/query")
def metric_query(request: Request, user: CurrentUser, metrics: str, by: str = "",
                 grain: str | None = None) -> dict[str, Any]:
    """``/api/query?metrics=csat,nps:relational&by=vendor&grain=month&from=…&channel=chat``:
    the figures as ``cxlens query`` gives them, within the caller's scope."""
    params = dict(request.query_params)
    filters = Filters.from_query({**params, "grain": grain or "month"}).scoped(user)
    names = [m.strip() for m in metrics.split(",") if m.strip()]
    dims = tuple(d.strip() for d in by.split(",") if d.strip())
    st = state(request)
    ctx = PageCtx(st.wh, user, filters)
    key = ("query", tuple(names), dims, grain, filters.key(), user.role, user.vendor)

    def compute() -> tuple[Any, dict[str, list[str]]]:
        return metric_frame(ctx, names, dims=dims, grain=grain)

    frame, unusable = st.cached(key, compute)
    hidden = [n for n in names if n not in unusable]
    return {"rows": charts.records(frame), "not_filterable_by": unusable,
            "not_shown": hidden}
