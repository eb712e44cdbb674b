"""Admin pages: users (add, remove), API tokens (list, revoke), the audit log, and settings
(metric parameter defaults for this warehouse, e.g. the brand counted as ours in share of
voice)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens import accounts
from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import CxlensError
from cxlens.store.base import Warehouse
from cxlens.web.pages import html
from cxlens.web.security import AdminUser, check_csrf, state

router = APIRouter(prefix="/admin")


def _users_page(request: Request, user: User, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    st = state(request)
    with st.lock:
        people = accounts.users.listing(st.wh)
        tokens = accounts.tokens.listing(st.wh)
        log = audit.recent(st.wh, 50)
    return html(request, "admin.html", status, user=user, people=people, tokens=tokens,
                log=log, roles=accounts.users.ROLES, error=error)


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


def parameters() -> dict[str, tuple[object, list[str]]]:
    """Every metric parameter: its built-in default and the metrics that use it."""
    from cxlens.metrics.catalogue import catalogue

    out: dict[str, tuple[object, list[str]]] = {}
    for metric in catalogue().values():
        for name, default in metric.params.items():
            out.setdefault(name, (default, []))[1].append(metric.name)
    return out


def _settings_page(request: Request, user: User, error: str | None = None,
                   status: int = 200) -> HTMLResponse:
    from cxlens.metrics.query import warehouse_params

    st = state(request)
    with st.lock:
        stored = warehouse_params(st.wh)
        schedules = [str(k).removeprefix("schedule.") for (k,) in st.wh.query(
            "SELECT key FROM cxlens_meta WHERE key LIKE 'schedule.%' ORDER BY 1")]
        goals = _targets(st.wh)
    rows = [(name, default, stored.get(name), ", ".join(users))
            for name, (default, users) in sorted(parameters().items())]
    return html(request, "settings.html", status, user=user, rows=rows, schedules=schedules,
                targets=goals, error=error)


def _targets(wh: Warehouse) -> list[tuple[str, str, str, str, str]]:
    """The overview's headline metrics: (id, label, unit, stored target, stored margin)."""
    from cxlens.metrics.catalogue import resolve
    from cxlens.targets import stored
    from cxlens.web.views import HEADLINE

    out = []
    for name in HEADLINE:
        metric = resolve(name)
        value, margin = stored(wh, name)
        out.append((name, metric.label, metric.unit.value,
                    "" if value is None else f"{value:g}",
                    "" if margin is None else f"{margin:g}"))
    return out


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, user: AdminUser) -> HTMLResponse:
    return _settings_page(request, user)


@router.post("/settings", dependencies=[Depends(check_csrf)])
def set_parameter(request: Request, user: AdminUser, name: str = Form(...),
                  value: str = Form("")) -> Response:
    """Store (or, with an empty value, remove) this warehouse's default for a parameter."""
    from cxlens.errors import did_you_mean
    from cxlens.store.migrate import bump_data_version

    known = parameters()
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
        st.wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [f"param.{name}"])
        if value:
            st.wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [f"param.{name}", value])
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
    from cxlens.targets import store
    from cxlens.web.views import HEADLINE

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
