"""The API's description (``/api/openapi.json``) and its Swagger UI page (``/api/docs``),
for logged-in users only, with Swagger UI served from the package (static/vendor/swagger-ui,
see VENDOR.md) rather than a CDN: the app's CSP allows scripts from itself alone.

FastAPI's page starts Swagger UI with an inline script; that one script gets a nonce, and
the page's CSP allows exactly it. (ReDoc is not offered.)"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import iter_route_contexts

from cxlens.web.headers import policy
from cxlens.web.pages import Source
from cxlens.web.security import CurrentUser

router = APIRouter(include_in_schema=False)
OPENAPI = "/api/openapi.json"
PAGE = "/api/docs"  # a page: a browser without a session is sent to the login form
ASSETS = "/static/vendor/swagger-ui"
INLINE = "<script>"  # FastAPI's start-up script (its bundle is a <script src=…>)


def schema(app: FastAPI) -> dict[str, Any]:
    """The API's description (the app's ``openapi``): the ``/api/`` routes only — the pages
    and forms are not an API, and listing them beside it hid the API in /api/docs."""
    if not app.openapi_schema:
        routes = [r for r in iter_route_contexts(app.routes)
                  if r.path is not None and r.path.startswith("/api/")]
        app.openapi_schema = get_openapi(title=app.title, version=app.version, routes=routes)
    return app.openapi_schema


@router.get(OPENAPI)
def openapi(request: Request, user: CurrentUser) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get(PAGE, response_class=HTMLResponse)
def docs(user: CurrentUser) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=OPENAPI, title="cxlens API", swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css", swagger_favicon_url="/static/favicon.svg",
        swagger_ui_parameters={"validatorUrl": None})  # no badge fetched from elsewhere
    text = bytes(page.body).decode()
    nonce = secrets.token_urlsafe(16)
    if text.count(INLINE) != 1:
        raise RuntimeError("FastAPI's Swagger UI page changed: review web/apidocs.py")
    text = text.replace(INLINE, f'<script nonce="{nonce}">')
    return HTMLResponse(text, headers={
        "Content-Security-Policy": policy(f"'self' 'nonce-{nonce}'")})


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {PAGE: Source(get_swagger_ui_html, "(FastAPI's Swagger UI)")}
