"""Security headers and the CSRF cookie on every response, as a plain ASGI middleware:
the CSP and framing headers, a Referrer-Policy, and Cache-Control: no-store on everything
but the static files.

(An ``@app.middleware("http")`` function runs as Starlette's ``BaseHTTPMiddleware``, which
costs more than the collection API's whole request: measured in bench/collect.py, it alone
held any route near 1,000 requests per second.)"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxlens.web.security import CSRF_COOKIE


def policy(scripts: str = "'self' 'unsafe-eval'") -> str:
    """The Content-Security-Policy, with ``scripts`` as its script-src (the API docs page
    adds a nonce for FastAPI's inline start-up script)."""
    return (f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": policy(),  # (the report and API docs routes set their own)
}
#: Referrer-Policy. The survey pages' URLs carry the respondent's token: never sent on.
#: Elsewhere strict-origin-when-cross-origin: other sites learn at most the dashboard's
#: origin (never its URLs with their filters), while same-origin requests keep theirs —
#: and forms keep a real Origin header (no-referrer would make it "null").
SURVEY_PREFIX = "/s/"
REFERRER = {"survey": "no-referrer", "app": "strict-origin-when-cross-origin"}
#: Static files may be cached; every other answer (pages, API, exports, errors) holds data
#: of a logged-in user or a respondent's token, so no cache may keep it.
STATIC_PREFIX = "/static/"


def _cookie(value: str, secure: bool) -> str:
    """The Set-Cookie header Starlette would write for the CSRF cookie."""
    r = Response()
    r.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", secure=secure)
    return r.headers["set-cookie"]


class SecurityHeaders:
    """Adds :data:`HEADERS` (unless the route set its own) and, when a page minted a CSRF
    token (``request.state.new_csrf``), the cookie that carries it."""

    def __init__(self, app: ASGIApp, secure_cookies: bool = False) -> None:
        self.app, self.secure = app, secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # the dict request.state writes into

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                path = str(scope.get("path", ""))
                headers["Referrer-Policy"] = REFERRER[
                    "survey" if path.startswith(SURVEY_PREFIX) else "app"]
                if not path.startswith(STATIC_PREFIX):
                    headers["Cache-Control"] = "no-store"
                new = state.get("new_csrf")
                if new:
                    headers.append("set-cookie", _cookie(str(new), self.secure))
            await send(message)

        await self.app(scope, receive, send_with_headers)
