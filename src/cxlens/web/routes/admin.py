"""Admin pages: users (add, remove), API tokens (list, revoke), the audit log, settings
(metric parameter defaults for this warehouse, e.g. the brand counted as ours in share of
voice) and the helpdesk sync (runs, cursors, schedule); the page models:
``cxlens.present.pages.admin`` and ``cxlens.present.pages.sync``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens import accounts
from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import CxlensError, did_you_mean
from cxlens.metrics.query import set_warehouse_param
from cxlens.present.pages import admin as model
from cxlens.present.pages import sync as sync_model
from cxlens.store.migrate import bump_data_version
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.security import AdminUser, check_csrf, state

router = APIRouter(prefix="/admin")


def _users_page(request: Request, user: User, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    page = build(request, model.users, user)
    return html(request, "admin.html", status, user=user, error=error, **page.extra)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, user: AdminUser) -> HTMLResponse:
    return _users_page(request, user)


@router.post("/users", dependencies=[Depends(check_csrf)])
def add_user(request: Request, user: AdminUser, username: str = Form(...),
             password: str = Form(...),
             role: str = Form(...), vendor: str = Form("")) -> Response:
    st = state(request)
    try:
        with st.lock:
            accounts.users.add(st.wh, username.strip(), password, role, vendor.strip() or None)
    except CxlensError as exc:
        return _users_page(request, user, f"{exc.message} ({exc.hint})", 400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{username}/remove", dependencies=[Depends(check_csrf)])
def remove_user(request: Request, user: AdminUser, username: str) -> Response:
    if username == user.username:
        return _users_page(request, user, "you cannot remove yourself", 400)
    st = state(request)
    with st.lock:
        accounts.users.remove(st.wh, username)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/tokens/{token_id}/revoke", dependencies=[Depends(check_csrf)])
def revoke_token(request: Request, user: AdminUser, token_id: str) -> Response:
    """The token stops working at once (as with: cxlens users revoke TOKEN_ID)."""
    st = state(request)
    with st.lock:
        accounts.tokens.revoke_token(st.wh, token_id, by=user.username)
    return RedirectResponse("/admin/users", status_code=303)


def _settings_page(request: Request, user: User, error: str | None = None,
                   status: int = 200) -> HTMLResponse:
    page = build(request, model.settings, user)
    return html(request, "settings.html", status, user=user, rows=page.extra["rows"],
                schedules=page.extra["schedules"], targets=page.extra["targets"],
                error=error)


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, user: AdminUser) -> HTMLResponse:
    return _settings_page(request, user)


@router.post("/settings", dependencies=[Depends(check_csrf)])
def set_parameter(request: Request, user: AdminUser, name: str = Form(...),
                  value: str = Form("")) -> Response:
    """Store (or, with an empty value, remove) this warehouse's default for a parameter."""
    known = model.parameters()
    if name not in known:
        return _settings_page(request, user, f"no parameter {name!r}."
                              f"{did_you_mean(name, known)}", 400)
    default = known[name][0]
    if value and isinstance(default, int | float):
        try:
            float(value)
        except ValueError:
            return _settings_page(request, user, f"{name} takes a number, not {value!r}", 400)
    st = state(request)
    with st.lock, st.wh.transaction():
        set_warehouse_param(st.wh, name, value or None)
        bump_data_version(st.wh)  # figures may change: nothing cached may be served
        audit.record(st.wh, user.username, "setting_changed", f"{name}={value or '(default)'}")
    return RedirectResponse("/admin/settings", status_code=303)


@router.post("/settings/targets", dependencies=[Depends(check_csrf)])
def set_target(request: Request, user: AdminUser, metric: str = Form(...),
               target: str = Form(""), margin: str = Form("")) -> Response:
    """Store (or, with an empty value, remove) a headline's target and its "at risk" margin,
    in the metric's unit; the overview reads them (a vendor's contract KPI wins for that
    vendor)."""
    from cxlens.errors import did_you_mean
    from cxlens.store.migrate import bump_data_version
    from cxlens.targets import HEADLINE, store

    if metric not in HEADLINE:
        return _settings_page(request, user, f"no headline metric {metric!r}."
                              f"{did_you_mean(metric, HEADLINE)}", 400)
    st = state(request)
    try:
        with st.lock, st.wh.transaction():
            store(st.wh, metric, target, margin)
            bump_data_version(st.wh)  # the overview's statuses change: nothing cached served
            audit.record(st.wh, user.username, "target_changed",
                           f"{metric}={target.strip() or '(none)'} "
                           f"margin={margin.strip() or '(none)'}")
    except CxlensError as exc:
        return _settings_page(request, user, f"{exc.message} ({exc.hint})", 400)
    return RedirectResponse("/admin/settings", status_code=303)


@router.get("/sync", response_class=HTMLResponse)
def sync(request: Request, user: AdminUser) -> HTMLResponse:
    """The helpdesk connectors' runs, cursors and schedule."""
    page = build(request, sync_model.sync, user)
    cursors = list(page.tables["cursors"].itertuples(index=False, name=None))
    return html(request, "sync.html", 200, user=user, runs=page.extra["runs"],
                cursors=cursors, schedule=page.extra["schedule"])


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/admin/users": Source(model.users, "admin.html"),
           "/admin/settings": Source(model.settings, "settings.html"),
           "/admin/sync": Source(sync_model.sync, "sync.html")}
