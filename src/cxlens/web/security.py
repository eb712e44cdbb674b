"""Who is asking: session cookies (server-side sessions, HttpOnly, SameSite), API tokens
(``Authorization: Bearer cxl_…``), CSRF tokens for every form (an HMAC of the session id, so
a token only works with the session it was issued to; before login, a signed double-submit
cookie), role checks, and the one-time password that must be replaced before anything else."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeSerializer

from cxlens.accounts import sessions, tokens
from cxlens.accounts.users import User
from cxlens.errors import CxlensError
from cxlens.errors import Forbidden as Forbidden  # re-exported: the routes raise it
from cxlens.web.state import WebState

SESSION_COOKIE = "cxlens_session"
CSRF_COOKIE = "cxlens_csrf"
CSRF_FIELD = "csrf_token"


class AuthError(CxlensError):
    code = "unauthenticated"
    status = 401


class CsrfError(CxlensError):
    code = "csrf_failed"
    status = 403


class PasswordChangeRequired(CxlensError):
    """The user still has a one-time password: only the password form and logout answer
    (pages redirect to the form; the app's error handler does that)."""

    code = "password_change_required"
    status = 403


PASSWORD_PAGE = "/account/password"


def state(request: Request) -> WebState:
    st: WebState = request.app.state.cxlens
    return st


def user_or_none(request: Request) -> User | None:
    st = state(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with st.lock:
            user = tokens.token_user(st.wh, header[7:].strip())
        if user is None:
            raise AuthError("the API token is not valid",
                            "issue a new one with: cxlens users token USER")
        return user
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    with st.lock:
        return sessions.session_user(st.wh, sid)


def require_login(request: Request) -> User:
    """Logged in (or a token), even with a one-time password still to replace: for the
    password form and logout only."""
    user = user_or_none(request)
    if user is None:
        raise AuthError("you are not logged in", "log in at /login, or send an API token "
                        "(Authorization: Bearer cxl_…; cxlens users token USER)")
    return user


def require_user(request: Request) -> User:
    """Logged in, with a password of their own: what every other route needs."""
    user = require_login(request)
    if user.must_change:
        raise PasswordChangeRequired(
            f"{user.username} still has a one-time password: nothing else works until it "
            "is replaced", f"choose your own password at {PASSWORD_PAGE} (log in there "
            "with the one-time password)")
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden("only an admin can do this", "ask an admin (cxlens users list)")
    return user


# -- CSRF ----------------------------------------------------------------------------------------
def _bound(request: Request, sid: str) -> str:
    """The CSRF token of session ``sid``: only whoever has the session cookie (and the
    server, which has the secret) can know it."""
    key = state(request).secret.encode()
    return hmac.new(key, b"csrf\0" + sid.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token to embed in forms: with a session cookie, bound to that session; without
    (the login form), the value of the CSRF cookie (set by the response middleware when
    missing)."""
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        return _bound(request, sid)
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
    """Every form post must carry, in its ``csrf_token`` field, its session's token (or,
    with no session cookie, the CSRF cookie's value)."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or "")
    sid = request.cookies.get(SESSION_COOKIE)
    expected = _bound(request, sid) if sid else request.cookies.get(CSRF_COOKIE) or ""
    if not sent or not expected or not hmac.compare_digest(sent, expected) or \
            (not sid and not _valid(request, expected)):
        raise CsrfError("the form was refused: its CSRF token is missing or wrong",
                        "reload the page and submit the form again")


CurrentUser = Annotated[User, Depends(require_user)]
LoggedIn = Annotated[User, Depends(require_login)]
AdminUser = Annotated[User, Depends(require_admin)]
