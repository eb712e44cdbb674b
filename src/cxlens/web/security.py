"""Who is asking: session cookies (server-side sessions, HttpOnly, SameSite), API tokens
(``Authorization: Bearer cxl_…``), CSRF tokens for every form (a signed double-submit
cookie), and role checks."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeSerializer

from cxlens.errors import CxlensError
from cxlens.web import accounts
from cxlens.web.accounts import User
from cxlens.web.state import WebState

SESSION_COOKIE = "cxlens_session"
CSRF_COOKIE = "cxlens_csrf"
CSRF_FIELD = "csrf_token"


class AuthError(CxlensError):
    code = "unauthenticated"
    status = 401


class Forbidden(CxlensError):
    code = "forbidden"
    status = 403


class CsrfError(CxlensError):
    code = "csrf_failed"
    status = 403


def state(request: Request) -> WebState:
    st: WebState = request.app.state.cxlens
    return st


def user_or_none(request: Request) -> User | None:
    st = state(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with st.lock:
            user = accounts.token_user(st.wh, header[7:].strip())
        if user is None:
            raise AuthError("the API token is not valid",
                            "issue a new one with: cxlens users token USER")
        return user
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    with st.lock:
        return accounts.session_user(st.wh, sid)


def require_user(request: Request) -> User:
    user = user_or_none(request)
    if user is None:
        raise AuthError("you are not logged in", "log in at /login, or send an API token "
                        "(Authorization: Bearer cxl_…; cxlens users token USER)")
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden("only an admin can do this", "ask an admin (cxlens users list)")
    return user


# -- CSRF ----------------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The token to embed in forms; the same value sits in the CSRF cookie (set by the
    response middleware when missing)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and _valid(request, existing):
        return existing
    token = getattr(request.state, "new_csrf", None)
    if token is None:
        token = URLSafeSerializer(state(request).secret, "csrf").dumps(secrets.token_urlsafe(16))
        request.state.new_csrf = token
    return str(token)


def _valid(request: Request, token: str) -> bool:
    try:
        URLSafeSerializer(state(request).secret, "csrf").loads(token)
    except BadSignature:
        return False
    return True


async def check_csrf(request: Request) -> None:
    """Every form post must carry the CSRF cookie's value in its ``csrf_token`` field."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or "")
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not sent or not cookie or not hmac.compare_digest(sent, cookie) or \
            not _valid(request, cookie):
        raise CsrfError("the form was refused: its CSRF token is missing or wrong",
                        "reload the page and submit the form again")


CurrentUser = Annotated[User, Depends(require_user)]
AdminUser = Annotated[User, Depends(require_admin)]
