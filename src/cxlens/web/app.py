"""``create_app``: the dashboard (FastAPI + Jinja2 + HTMX + Vega-Lite, all served from the
package) on one warehouse. Every API error has one JSON shape:
``{"error": {"status": 404, "code": "not_found", "message": "...", "hint": "..."}}``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxlens import accounts, store
from cxlens.connectors.schedule import Schedule
from cxlens.errors import ConfigError, CxlensError, NotFound, did_you_mean
from cxlens.format import duration
from cxlens.loop import cases
from cxlens.store import background
from cxlens.store.base import Warehouse
from cxlens.store.migrate import secret
from cxlens.surveys import collect, tokens
from cxlens.surveys.config import current
from cxlens.web import apidocs, pages
from cxlens.web.computing import StillComputing
from cxlens.web.fallback import Fallback
from cxlens.web.headers import SecurityHeaders
from cxlens.web.jobs import ReportJobs
from cxlens.web.limits import COLLECT_MAX_BODY, MAX_BODY, UPLOAD_MAX_BODY, BodyLimit
from cxlens.web.query import plain_query
from cxlens.web.ratelimit import Limiter, SharedLimiter
from cxlens.web.routes import (
    admin,
    alerts,
    api,
    auth,
    contracts,
    operations,
    performance,
    programmes,
    qa,
    qa_calibration,
    qa_disputes,
    qa_machine,
    report,
    syncs,
    uploads,
    vendors,
    voice,
)
from cxlens.web.routes import (
    cases as case_routes,
)
from cxlens.web.routes import (
    collect as survey_pages,
)
from cxlens.web.runner import programme_runner
from cxlens.web.security import PASSWORD_PAGE, AuthError, PasswordChangeRequired
from cxlens.web.state import WebState
from cxlens.web.survey_service import SurveyService
from cxlens.web.sync_runner import sync_runner
from cxlens.web.throttle import LoginPolicy, LoginThrottle, SharedLoginThrottle
from cxlens.web.workers import WorkerHeader

STATIC = Path(__file__).parent / "static"
STATUS = {ConfigError: 400, NotFound: 404}
#: Every router of the app, one per menu area or concept (web/routes/); each route's path is
#: explicit, so the order does not change which route answers (docs/pages.md lists where each
#: page lives). It changes how fast: a request is matched against the routers in this order
#: (about 100 routes), so the public survey pages and the collection API come first — the
#: match cost as much as the rest of a collection request (docs/performance.md).
ROUTERS = (
    survey_pages.router,
    auth.router,
    performance.router,
    vendors.router,
    contracts.router,
    qa.router,
    qa_calibration.router,
    qa_disputes.router,
    qa_machine.router,
    voice.router,
    operations.router,
    case_routes.router,
    programmes.router,
    alerts.router,
    report.router,
    admin.router,
    uploads.router,
    syncs.router,
    api.router,
    apidocs.router,
)


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
    path = request.url.path
    return (not path.startswith("/api/") or path == apidocs.PAGE) and \
        "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str, hint: str,
                   headers: dict[str, str] | None = None) -> Response:
    """The one error shape: the error page for a browser, else JSON."""
    if _wants_html(request):
        page = pages.error_page(request, status, message, hint)
        page.headers.update(headers or {})
        return page
    return JSONResponse(error_body(status, code, message, hint), status, headers=headers)


def page_urls(app: FastAPI) -> list[str]:
    """The URLs of ``app``'s GET routes without path parameters (what a 404 suggests)."""
    return [r.path for r in iter_route_contexts(app.routes)
            if r.path and "{" not in r.path and r.methods and "GET" in r.methods]


def create_app(db: str | Warehouse | None = None, *, secure_cookies: bool = False,
               prewarm: bool = False, surveys_every: float = 0,
               collect_rate: float = 5.0, max_body: int = MAX_BODY,
               collect_max_body: int = COLLECT_MAX_BODY,
               upload_max_body: int = UPLOAD_MAX_BODY,
               login_policy: LoginPolicy | None = None, shared: bool = False,
               sync: Schedule | None = None) -> FastAPI:
    """The dashboard on warehouse ``db`` (a URL or an open warehouse); ``prewarm`` computes
    the default pages in the background at start and after every data change;
    ``surveys_every`` runs the survey programmes every so many seconds (0: never);
    ``collect_rate`` limits survey submissions per client address and second;
    ``collect_max_body`` limits request bodies (bytes) on the collection API and survey pages,
    ``upload_max_body`` on the dashboard's file uploads (/uploads), ``max_body`` on every
    other route (0: no limit; web/limits.py); ``login_policy`` sets when failed logins
    lock an account or address (web/throttle.py); ``shared``: other processes serve the same
    Postgres warehouse (``cxlens serve --workers N``, web/workers.py), so rate limits and the
    login throttle are kept in it and responses name their worker; ``sync`` runs the helpdesk
    sync on its schedule (web/sync_runner.py)."""
    wh = db if isinstance(db, Warehouse) else store.connect(db)
    accounts.ensure(wh)
    cases.ensure(wh)
    burst = max(20.0, 2 * collect_rate)
    shared_connections = [wh.sibling(), wh.sibling()] if shared else []
    svc = SurveyService(reader=wh.sibling(), writer=collect.Writer(wh.sibling(), current(wh)),
                        secret=secret(wh, tokens.SECRET_KEY),
                        limiter=SharedLimiter(shared_connections[0], collect_rate, burst) if shared
                        else Limiter(rate=collect_rate, burst=burst))
    stop = threading.Event()
    worker = None  # the pre-computation, when on (web/prewarm.py)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ticker = None
        if surveys_every > 0:
            ticker = threading.Thread(target=programme_runner, args=(
                wh.sibling(), svc, surveys_every, stop), daemon=True,
                name="cxlens-surveys")
            ticker.start()
        syncer = None
        if sync is not None:
            syncer = threading.Thread(target=sync_runner, args=(wh.sibling(), sync, stop),
                                      daemon=True, name="cxlens-sync")
            syncer.start()
        yield
        stop.set()
        if worker is not None:  # before the connections close under it
            worker.shutdown()
        background.stop_all()  # report jobs: closing the warehouse would wait for them
        svc.writer.close()
        for connection in shared_connections:  # the shared limits' own (web/workers.py)
            connection.close()
        if ticker:
            ticker.join(timeout=30)
        if syncer:
            syncer.join(timeout=30)

    app = FastAPI(title="cxlens", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(plain_query)], lifespan=lifespan)
    app.state.cxlens = WebState(wh=wh, secret=secret(wh), secure_cookies=secure_cookies,
                                logins=SharedLoginThrottle(shared_connections[1], login_policy)
                                if shared else LoginThrottle(login_policy or LoginPolicy()))
    app.state.surveys = svc
    app.state.sync = sync
    app.state.report_jobs = ReportJobs()
    if prewarm:
        from cxlens.web import prewarm as warmer

        app.state.stop_prewarm = threading.Event()
        worker = app.state.prewarm = warmer.start(app.state.cxlens, app.state.stop_prewarm)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for area in ROUTERS:
        app.include_router(area)
    app.openapi = partial(apidocs.schema, app)  # type: ignore[method-assign]

    @app.exception_handler(CxlensError)
    async def cxlens_error(request: Request, exc: CxlensError) -> Response:
        if isinstance(exc, AuthError) and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if isinstance(exc, PasswordChangeRequired) and _wants_html(request):
            return RedirectResponse(PASSWORD_PAGE, status_code=303)
        retry = getattr(exc, "retry_after", None)  # rate limiting, login throttling
        headers = {"Retry-After": f"{retry:.0f}"} if retry is not None else None
        return error_response(request, _status(exc), exc.code, exc.message, exc.hint,
                              headers)

    @app.exception_handler(StillComputing)
    async def computing(request: Request, exc: StillComputing) -> Response:
        """202: the page is on its way (a page that reloads itself, or JSON to poll)."""
        headers = {"Retry-After": str(exc.retry)}
        if _wants_html(request):
            return pages.html(request, "computing.html", 202, user=None,
                              what=pages.title_of(exc.page), retry=exc.retry,
                              since=duration(exc.seconds), headers=headers)
        return JSONResponse({"status": "computing", "page": exc.page,
                             "seconds": round(exc.seconds, 1), "retry_after": exc.retry},
                            202, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"
                }.get(exc.status_code, "http_error")
        hint = "see /api/docs for the API's routes" if exc.status_code in (404, 405) else \
            "send a smaller request" if exc.status_code == 413 else ""
        message = str(exc.detail)
        path = request.url.path
        if exc.status_code == 404 and not path.startswith("/api/"):  # a page's URL
            message = f"no page at {path}.{did_you_mean(path, page_urls(app))}"
            hint = "the menu lists the pages; docs/pages.md lists every page by URL"
        return error_response(request, exc.status_code, code, message, hint)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        return error_response(request, 422, "invalid_request", problems,
                              "see /api/docs for the parameters")

    app.add_middleware(BodyLimit, max_body=max_body, collect_max_body=collect_max_body,
                       upload_max_body=upload_max_body)
    app.add_middleware(Fallback, respond=error_response)  # inside the headers, outside 413
    app.add_middleware(SecurityHeaders, secure_cookies=secure_cookies)  # (the outer one)
    if shared:
        app.add_middleware(WorkerHeader)
    return app
