"""Logging in and out, changing one's password, and ``/`` (to the overview)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.accounts import audit, hashing, passwords, sessions
from cxlens.errors import ConfigError
from cxlens.web.pages import Source, html
from cxlens.web.proxies import client_address
from cxlens.web.security import (
    SESSION_COOKIE,
    LoggedIn,
    check_csrf,
    state,
    user_or_none,
)
from cxlens.web.throttle import LoginThrottled

router = APIRouter()
#: Where this module's pages come from (docs/pages.md): forms with no data behind them.
SOURCES = {"/login": Source(None, "login.html"),
           "/account/password": Source(None, "password.html")}


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") \
        else "/overview"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return html(request, "login.html", next=_safe_next(next), failed=False, throttled=None,
                user=None)


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(...), password: str = Form(...),
          next: str = Form("/overview")) -> Response:
    st = state(request)
    name, address = username[:64], client_address(request)
    try:  # a locked account or address is refused before any password check
        st.logins.begin(name, address)
    except LoginThrottled as exc:
        with st.lock:
            audit.record(st.wh, name, "login_throttled", f"from {address}")
        if "text/html" not in request.headers.get("accept", ""):
            raise  # the one JSON error shape, with Retry-After
        page = html(request, "login.html", 429, next=_safe_next(next), failed=False,
                    throttled=round(exc.retry_after), user=None)
        page.headers["Retry-After"] = f"{exc.retry_after:.0f}"
        return page
    ok = False
    try:
        with st.lock:
            stored = passwords.stored_hash(st.wh, username)
        ok = hashing.verify(stored, password)  # outside the lock: every request needs it
    finally:
        st.logins.finish(name, address, ok)
    with st.lock:
        user = passwords.record_login(st.wh, username, ok, f"from {address}")
        if user is None:
            return html(request, "login.html", 401, next=_safe_next(next), failed=True,
                        user=None)
        sid = sessions.open_session(st.wh, user)
    target = "/account/password" if user.must_change else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax",
                        secure=st.secure_cookies, max_age=sessions.SESSION_HOURS * 3600)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    st = state(request)
    sid = request.cookies.get(SESSION_COOKIE)
    user = user_or_none(request)
    if sid:
        with st.lock:
            sessions.close_session(st.wh, sid)
            audit.record(st.wh, user.username if user else None, "logout", None)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, user: LoggedIn) -> HTMLResponse:
    return html(request, "password.html", user=user, error=None)


@router.post("/account/password", dependencies=[Depends(check_csrf)])
def change_password(request: Request, user: LoggedIn, current: str = Form(""),
                    password: str = Form(...), again: str = Form(...)) -> Response:
    """Replace the password, given the current one (checked like a login: throttled, and
    outside the lock); the user's other sessions end, this one stays."""

    def refused(error: str) -> HTMLResponse:
        return html(request, "password.html", 400, user=user, error=error)

    if password != again:
        return refused("The two new passwords differ.")
    st, address = state(request), client_address(request)
    st.logins.begin(user.username, address)  # guessing here is guessing a login
    ok = False
    try:
        with st.lock:
            stored = passwords.stored_hash(st.wh, user.username)
        ok = hashing.verify(stored, current)
    finally:
        st.logins.finish(user.username, address, ok)
    if not ok:
        with st.lock:
            audit.record(st.wh, user.username, "password_change_failed", f"from {address}")
        return refused("Your current password is wrong: type the password you logged in "
                       "with.")
    if password == current:
        return refused("Choose a password different from the current one.")
    with st.lock:
        try:
            passwords.set_password(st.wh, user.username, password,
                                   keep=request.cookies.get(SESSION_COOKIE))
        except ConfigError as exc:  # a too-short password: say so on the form
            return refused(f"{exc.message} ({exc.hint}).")
    return RedirectResponse("/overview", status_code=303)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/overview", status_code=303)
