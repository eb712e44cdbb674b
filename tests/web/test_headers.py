"""Security headers and the CSRF cookie, set by the plain-ASGI middleware on every kind of
response: pages, JSON errors, static files, and the report (which keeps its own policy)."""

from __future__ import annotations

import httpx

from cxlens.web.pages import REPORT_CSP
from tests.web.conftest import Server

EXPECTED = {"x-content-type-options": "nosniff", "x-frame-options": "DENY"}


def _secured(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_every_kind_of_response_carries_the_headers(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        login = client.get("/login")
        assert login.status_code == 200
        _secured(login)
        missing = client.get("/api/v1/nothing-here")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        _secured(missing)
        _secured(client.get("/static/survey.css"))
        _secured(client.get("/s/not-a-token"))


def test_the_login_form_sets_a_strict_http_only_csrf_cookie(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        cookies = client.get("/login").headers.get_list("set-cookie")
    csrf = [c for c in cookies if c.startswith("cxlens_csrf=")]
    assert len(csrf) == 1, cookies
    attrs = {a.strip().lower() for a in csrf[0].split(";")}
    assert "httponly" in attrs and "samesite=strict" in attrs
    assert "secure" not in attrs  # a plain-http test server; --secure-cookies adds it


def test_the_report_keeps_its_own_policy(analyst: httpx.Client) -> None:
    report = analyst.get("/report")
    assert report.status_code == 200
    assert report.headers.get_list("content-security-policy") == [REPORT_CSP]
    assert report.headers["x-frame-options"] == "DENY"
