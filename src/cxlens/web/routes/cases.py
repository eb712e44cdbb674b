"""Follow-up cases in the dashboard and the API (list, detail, workflow: contacted →
resolved / unreachable with a root cause, notes, outcome). The pages' model:
``cxlens.present.pages.cases`` (the programmes page is ``web/routes/programmes.py``).

Who changes a case (docs/dashboard.md, "Users, roles and security"): admins, and a vendor
viewer on their own vendor's cases (the vendor's leads own them); analysts read cases only —
every case-changing route refuses them with 403 and the page shows them no edit form."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import CxlensError, NotFound
from cxlens.loop import cases
from cxlens.present.model import Page
from cxlens.present.pages import cases as model
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.security import (
    CurrentUser,
    Forbidden,
    check_csrf,
    require_user,
    state,
)
from cxlens.web.survey_service import service

router = APIRouter()
#: The roles that change follow-up cases (a vendor viewer: their own vendor's only).
CASE_WORKERS = ("admin", "vendor")


def can_work_cases(user: User) -> bool:
    return user.role in CASE_WORKERS


def require_case_worker(request: Request) -> User:
    """The logged-in user when they may change cases; 403 for analysts (read only)."""
    user = require_user(request)
    if not can_work_cases(user):
        raise Forbidden(f"{user.username} ({user.role}) may read follow-up cases but not "
                        "change them",
                        "ask an admin or the case's vendor to update it (admins: "
                        "cxlens cases update)")
    return user


CaseWorker = Annotated[User, Depends(require_case_worker)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _case(request: Request, user: User, case_id: str) -> Page:
    return build(request, model.case, user, case_id=case_id)


#: Cases per page of ``/cases`` (the list pages; the total is always shown).
PER_PAGE = model.PER_PAGE


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, user: CurrentUser, status: str | None = None,
              owner: str | None = None, vendor: str | None = None,
              page: Annotated[int, Query(ge=1, le=10 ** 6, description="page of 50 cases")] = 1
              ) -> HTMLResponse:
    """One page of the cases (open ones first by due time), the total, and links to the
    other pages that keep the filters: a long list was cut at 500 with no way on."""
    data = build(request, model.case_list, user, vendor, status=status, owner=owner,
                 page=str(page)).extra
    query = urlencode({k: v for k, v in data["chosen"].items() if v})
    return html(request, "cases.html", user=user, rows=data["rows"], now=_now(),
                statuses=data["statuses"], chosen=data["chosen"], total=data["total"],
                page_no=data["page_no"], pages=data["pages"], first=data["first"],
                query=query)


def _update(request: Request, user: User, case_id: str, **changes: Any) -> dict[str, Any]:
    _case(request, user, case_id)  # scope check
    st = state(request)
    with st.lock:
        return cases.update(st.wh, service(request).config, case_id, user.username, _now(),
                            **changes)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, user: CurrentUser, case_id: str) -> HTMLResponse:
    return _case_page(request, user, case_id)


def _case_page(request: Request, user: User, case_id: str, error: str | None = None,
               status: int = 200) -> HTMLResponse:
    data = _case(request, user, case_id).extra
    return html(request, "case.html", status, user=user, case=data["case"],
                events=data["events"], comment=data["comment"], now=_now(), error=error,
                moves=data["moves"], can_work=can_work_cases(user),
                root_causes=service(request).config.loop.root_causes)


@router.post("/cases/{case_id}", dependencies=[Depends(check_csrf)])
def case_post(request: Request, user: CaseWorker, case_id: str,
              status: str = Form(""), root_cause: str = Form(""), note: str = Form(""),
              outcome: str = Form("")) -> Response:
    try:
        _update(request, user, case_id, status=status or None, root_cause=root_cause or None,
                note=note.strip() or None, outcome=outcome.strip() or None)
    except NotFound:
        raise
    except CxlensError as exc:
        return _case_page(request, user, case_id, f"{exc.message} ({exc.hint})", 400)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# -- JSON API --------------------------------------------------------------------------------
def _json(case: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in case.items()}


@router.get("/api/cases", tags=["cases"])
def api_cases(request: Request, user: CurrentUser, status: str | None = None,
              owner: str | None = None, vendor: str | None = None) -> dict[str, Any]:
    """Follow-up cases, open ones first by due time (a vendor viewer gets their own)."""
    data = build(request, model.case_list, user, vendor, status=status, owner=owner).extra
    return {"cases": [_json(c) for c in data["rows"]]}


@router.get("/api/cases/{case_id}", tags=["cases"])
def api_case(request: Request, user: CurrentUser, case_id: str) -> dict[str, Any]:
    data = _case(request, user, case_id).extra
    return {"case": _json(data["case"]), "history": [
        {"at": at.isoformat(), "actor": who, "action": action, "detail": detail}
        for at, who, action, detail in data["events"]]}


class CaseChange(BaseModel):
    status: str | None = Field(default=None, description="contacted, resolved, unreachable "
                               "or open (reopen).")
    root_cause: str | None = None
    note: str | None = Field(default=None, max_length=4000)
    outcome: str | None = Field(default=None, max_length=4000)


@router.post("/api/cases/{case_id}", tags=["cases"])
def api_case_update(request: Request, user: CaseWorker, case_id: str,
                    change: CaseChange) -> dict[str, Any]:
    """Move a case along its workflow (API tokens only: browsers use the form). Admins, and a
    vendor viewer on their own vendor's cases; analysts get 403."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise Forbidden("JSON changes need an API token", "send Authorization: Bearer cxl_… "
                        "(cxlens users token USER), or use the case page")
    case = _update(request, user, case_id, **change.model_dump())
    st = state(request)
    with st.lock:
        audit.record(st.wh, user.username, "case_updated", case_id)
    return {"case": _json(case)}


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/cases": Source(model.case_list, "cases.html", "/api/cases"),
           "/cases/{case_id}": Source(model.case, "case.html", "/api/cases/{case_id}")}
