"""The Alerts page and its JSON (the page model: ``cxlens.present.pages.alerts``): breaches of
the alert rules, open first, each with the figure, n, 95 % interval, the limit crossed and the
sentence. A vendor viewer sees only alerts on segments of their own vendor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxlens.jsonable import records
from cxlens.present.pages import alerts as model
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.security import CurrentUser

router = APIRouter()
STATUSES = model.STATUSES


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, user: CurrentUser, status: str | None = None
                ) -> HTMLResponse:
    page = build(request, model.alerts, user, status=status)
    return html(request, "alerts.html", user=user, rows=records(page.tables["alerts"]),
                rules=page.extra["rules"] or [], statuses=STATUSES,
                chosen=page.extra["status"])


@router.get("/api/alerts", tags=["alerts"])
def api_alerts(request: Request, user: CurrentUser, status: str | None = None
               ) -> dict[str, Any]:
    """Alerts, open first (a vendor viewer gets their own vendor's), with the figure, n,
    interval, limit and sentence; the rules for analysts."""
    page = build(request, model.alerts, user, status=status)
    out: dict[str, Any] = {"alerts": records(page.tables["alerts"])}
    if page.extra["rules"] is not None:
        out["rules"] = page.extra["rules"]
    return out


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/alerts": Source(model.alerts, "alerts.html", "/api/alerts")}
