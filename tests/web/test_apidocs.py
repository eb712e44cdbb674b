"""The API docs (Swagger UI) and the OpenAPI description are for logged-in users, and the
page loads Swagger UI from the app under a CSP that allows its one inline script by nonce
(the browser test, tests/web/test_browser.py, shows it renders)."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import Server


def test_logged_out_the_docs_are_refused(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for path in ("/api/docs", "/api/openapi.json"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "unauthenticated"
        page = client.get("/api/docs", headers={"accept": "text/html"})
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/api/docs"


def test_the_docs_page_loads_swagger_from_the_app(analyst: httpx.Client) -> None:
    page = analyst.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources == ["/static/vendor/swagger-ui/swagger-ui.css", "/static/favicon.svg",
                       "/static/vendor/swagger-ui/swagger-ui-bundle.js"]
    nonce = re.findall(r'<script nonce="([^"]+)">', page.text)
    assert len(nonce) == 1
    csp = page.headers["content-security-policy"]
    assert f"script-src 'self' 'nonce-{nonce[0]}';" in csp and "unsafe" not in \
        csp.split(";")[1]
    assert analyst.get("/api/docs").headers["content-security-policy"] != csp  # fresh nonce
    for asset in sources:
        assert analyst.get(asset).status_code == 200, asset
    spec = analyst.get("/api/openapi.json").json()
    assert "/api/query" in spec["paths"]
    # the API's routes only: pages and forms are not an API (before, /overview, /login and
    # the QA forms were listed beside the JSON routes)
    assert [p for p in spec["paths"] if not p.startswith("/api/")] == []
    assert "/api/pages/{name}" in spec["paths"] and "/api/v1/responses" in spec["paths"]
