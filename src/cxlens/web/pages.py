"""HTML routes: login, logout, password change and the dashboard pages. Filters live in the
URL; the filter bar swaps the page's content with HTMX and pushes the new URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote as urlquote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.accounts import audit, hashing, passwords, sessions
from cxlens.accounts.users import User
from cxlens.contracts.store import revision
from cxlens.errors import ConfigError
from cxlens.present import registry
from cxlens.present.filters import BAR, Filters
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages.vendors import next_level
from cxlens.present.render import env
from cxlens.present.scope import limited
from cxlens.store.base import Warehouse
from cxlens.web.choices import choices
from cxlens.web.proxies import client_address
from cxlens.web.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    CurrentUser,
    LoggedIn,
    check_csrf,
    csrf_token,
    state,
    user_or_none,
)
from cxlens.web.state import WebState
from cxlens.web.throttle import LoginThrottled

router = APIRouter()
#: The menu, grouped so that 21 links fit a phone: (group, ((path, label), ...)). Paths are
#: under "/"; "report" opens in a new tab and the Admin group shows to admins only.
NAV_GROUPS = (
    ("Performance", (("overview", "Overview"), ("moved", "What moved"),
                     ("touchpoints", "Touchpoints"),
                     ("journey", "Journey"), ("drivers", "Drivers"), ("cohorts", "Cohorts"),
                     ("impact", "Impact"), ("catalogue", "Metrics"), ("report", "Report"))),
    ("Vendors", (("vendors", "Vendors"), ("contracts", "Contracts"), ("qa", "QA"))),
    ("Voice of the customer", (("verbatims", "Verbatims"), ("surveys", "Surveys"),
                               ("themes", "Themes"), ("sentiment", "Sentiment"),
                               ("customers", "Customers"))),
    ("Operations", (("loop", "Closed loop"), ("cases", "Cases"), ("alerts", "Alerts"))),
    ("Admin", (("admin/users", "Users"), ("admin/settings", "Settings"))),
)
#: Entries that are not dashboard pages: the report (new tab) and the admin screens.
NOT_PAGES = ("report", "admin/users", "admin/settings")
#: The dashboard pages of the menu, in menu order.
NAV = tuple(entry for _, entries in NAV_GROUPS for entry in entries
            if entry[0] not in NOT_PAGES)
#: Menu entries a vendor viewer does not get (company-wide pages that refuse them).
COMPANY_WIDE = ("cohorts", "impact", "customers", "themes", "sentiment")
#: Page options in the URL beside the filters (each page reads its own).
OPTIONS = ("level", "outcome", "by", "reference", "metric", "source", "model")


def html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    text = env.get_template(template).render(request=request, csrf_field=CSRF_FIELD,
                                             csrf=csrf_token(request), nav_groups=NAV_GROUPS,
                                             company_wide=COMPANY_WIDE, **context)
    return HTMLResponse(text, status)


def error_page(request: Request, status: int, message: str, hint: str) -> HTMLResponse:
    return html(request, "error.html", status, code=status, message=message, hint=hint,
                user=None)


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


def page_key(name: str, filters: Filters, options: dict[str, str], user: User,
             ) -> tuple[object, ...]:
    """Cache key: what the page shows depends on the filters and the scope, not on who asks
    (an admin and an analyst see the same page)."""
    scope = user.vendor if limited(user) else "*"
    if name == "vendors" and options.get("level") == next_level(filters):
        options = {k: v for k, v in options.items() if k != "level"}  # the default level
    return ("page", name, filters.key(), tuple(sorted(options.items())), scope)


def page_data(request: Request, name: str, user: User) -> tuple[Page, Filters]:
    """The page for this request's filters and the user's scope (cached per data version)."""
    params = dict(request.query_params)
    filters = registry.relevant(name, Filters.from_query(params).scoped(user))
    options = {k: v for k in OPTIONS if (v := (params.get(k) or "").strip())}  # blank: default
    return cached_page(state(request), name, filters, options, user), filters


def cached_page(st: WebState, name: str, filters: Filters, options: dict[str, str],
                user: User, wh: Warehouse | None = None) -> Page:
    """The page, computed once per data version, filters and scope (requests and the
    pre-computation both come through here; the pre-computation on its own connection
    ``wh``)."""
    key = page_key(name, filters, options, user)
    if name == "vendors":  # its scorecard grid reads the saved contracts
        if wh is None:
            with st.lock:
                key = (*key, "contracts", revision(st.wh))
        else:
            key = (*key, "contracts", revision(wh))
    page: Page = st.cached(
        key, lambda: registry.build(name, PageCtx(wh or st.wh, user, filters, options)), wh=wh)
    return page


@router.get("/{name}", response_class=HTMLResponse)
def page(request: Request, user: CurrentUser, name: str) -> HTMLResponse:
    data, filters = page_data(request, name, user)
    query = filters.query_string(**{k: request.query_params.get(k) for k in OPTIONS})
    return html(request, "page.html", page=data, filters=filters, user=user, bar=BAR,
                query=query, api=f"/api/pages/{name}", quote=urlquote,
                choices=choices(state(request), user))
