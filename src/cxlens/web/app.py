"""``create_app``: the dashboard (FastAPI + Jinja2 + HTMX + Vega-Lite, all served from the
package) on one warehouse. Every API error has one JSON shape:
``{"error": {"status": 404, "code": "not_found", "message": "...", "hint": "..."}}``."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxlens import store
from cxlens.errors import ConfigError, CxlensError, NotFound
from cxlens.store.base import Warehouse
from cxlens.web import accounts, admin, api, pages
from cxlens.web.security import CSRF_COOKIE, AuthError
from cxlens.web.state import WebState, load_secret

STATIC = Path(__file__).parent / "static"
STATUS = {ConfigError: 400, NotFound: 404}


def error_body(status: int, code: str, message: str, hint: str = "") -> dict[str, object]:
    return {"error": {"status": status, "code": code, "message": message, "hint": hint}}


def _status(exc: CxlensError) -> int:
    explicit = getattr(exc, "status", None)
    if isinstance(explicit, int):
        return explicit
    for cls, status in STATUS.items():
        if isinstance(exc, cls):
            return status
    return 400


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and \
        "text/html" in request.headers.get("accept", "")


def create_app(db: str | Warehouse | None = None, *, secure_cookies: bool = False,
               prewarm: bool = False) -> FastAPI:
    """The dashboard on warehouse ``db`` (a URL or an open warehouse); ``prewarm`` computes
    the default pages in the background at start and after every data change."""
    wh = db if isinstance(db, Warehouse) else store.connect(db)
    accounts.ensure(wh)
    app = FastAPI(title="cxlens", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json", swagger_ui_oauth2_redirect_url=None)
    app.state.cxlens = WebState(wh=wh, secret=load_secret(wh), secure_cookies=secure_cookies)
    if prewarm:
        from cxlens.web import prewarm as warmer

        app.state.stop_prewarm = threading.Event()
        warmer.start(app.state.cxlens, app.state.stop_prewarm)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(admin.router)

    @app.exception_handler(CxlensError)
    async def cxlens_error(request: Request, exc: CxlensError) -> Response:
        status = _status(exc)
        if isinstance(exc, AuthError) and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if _wants_html(request):
            return pages.error_page(request, status, exc.message, exc.hint)
        return JSONResponse(error_body(status, exc.code, exc.message, exc.hint), status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        hint = "see /api/docs for the API's routes" if exc.status_code in (404, 405) else ""
        if _wants_html(request):
            return pages.error_page(request, exc.status_code, str(exc.detail), hint)
        return JSONResponse(error_body(exc.status_code, code, str(exc.detail), hint),
                            exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        return JSONResponse(error_body(422, "invalid_request", problems,
                                       "see /api/docs for the parameters"), 422)

    @app.middleware("http")
    async def csrf_cookie(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        new = getattr(request.state, "new_csrf", None)
        if new:
            response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict",
                                secure=secure_cookies)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(  # (the report route sets its own)
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' "
            "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
        return response

    return app
