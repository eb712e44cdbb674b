"""Admin pages: users (add, remove) and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.errors import CxlensError
from cxlens.web import accounts
from cxlens.web.accounts import User
from cxlens.web.pages import html
from cxlens.web.security import AdminUser, check_csrf, state

router = APIRouter(prefix="/admin")


def _users_page(request: Request, user: User, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    st = state(request)
    with st.lock:
        people = accounts.users(st.wh)
        log = accounts.audit_log(st.wh, 50)
    return html(request, "admin.html", status, user=user, people=people, log=log,
                roles=accounts.ROLES, error=error)


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
            accounts.add(st.wh, username.strip(), password, role, vendor.strip() or None)
    except CxlensError as exc:
        return _users_page(request, user, f"{exc.message} ({exc.hint})", 400)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{username}/remove", dependencies=[Depends(check_csrf)])
def remove_user(request: Request, user: AdminUser, username: str) -> Response:
    if username == user.username:
        return _users_page(request, user, "you cannot remove yourself", 400)
    st = state(request)
    with st.lock:
        accounts.remove(st.wh, username)
    return RedirectResponse("/admin/users", status_code=303)
