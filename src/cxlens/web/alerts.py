"""The Alerts page and its JSON: breaches of the alert rules (docs/alerts.md), open first,
each with the figure, n, 95 % interval, the limit crossed and the sentence. A vendor viewer
sees only alerts on segments of their own vendor."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxlens.accounts.users import User
from cxlens.alerts import config as alert_config
from cxlens.alerts import store
from cxlens.errors import ConfigError
from cxlens.jsonable import records
from cxlens.web.pages import html
from cxlens.web.security import CurrentUser, state

router = APIRouter()
STATUSES = ("open", "resolved")


def _alerts(request: Request, user: User, status: str | None) -> pd.DataFrame:
    if status not in (None, "", *STATUSES):
        raise ConfigError(f"status {status!r} is not open or resolved",
                          "use ?status=open or ?status=resolved, or leave it out")
    st = state(request)
    with st.lock:
        return store.listing(st.wh, status or None,
                             user.vendor if user.role == "vendor" else None)


def _rules(request: Request) -> list[dict[str, Any]]:
    st = state(request)
    with st.lock:
        cfg = alert_config.current(st.wh)
    return [r.model_dump(exclude_defaults=True) for r in cfg.rules]


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, user: CurrentUser, status: str | None = None
                ) -> HTMLResponse:
    frame = _alerts(request, user, status)
    rules = _rules(request) if user.role != "vendor" else []
    return html(request, "alerts.html", user=user, rows=records(frame), rules=rules,
                statuses=STATUSES, chosen=status or "")


@router.get("/api/alerts", tags=["alerts"])
def api_alerts(request: Request, user: CurrentUser, status: str | None = None
               ) -> dict[str, Any]:
    """Alerts, open first (a vendor viewer gets their own vendor's), with the figure, n,
    interval, limit and sentence; the rules for analysts."""
    frame = _alerts(request, user, status)
    out: dict[str, Any] = {"alerts": records(frame)}
    if user.role != "vendor":
        out["rules"] = _rules(request)
    return out
