"""Security headers and the CSRF cookie on every response, as a plain ASGI middleware.

(An ``@app.middleware("http")`` function runs as Starlette's ``BaseHTTPMiddleware``, which
costs more than the collection API's whole request: measured in bench/collect.py, it alone
held any route near 1,000 requests per second.)"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxlens.web.security import CSRF_COOKIE

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (  # (the report route sets its own)
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' "
        "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"),
}


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
                new = state.get("new_csrf")
                if new:
                    headers.append("set-cookie", _cookie(str(new), self.secure))
            await send(message)

        await self.app(scope, receive, send_with_headers)
