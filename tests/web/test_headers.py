"""Security headers and the CSRF cookie, set by the plain-ASGI middleware on every kind of
response: pages, JSON errors, static files, and the report (which keeps its own policy)."""

from __future__ import annotations

import re
from contextlib import closing

import httpx

from cxlens.web.headers import policy
from cxlens.web.routes.report import REPORT_CSP
from tests.web.conftest import Server, login
from tests.web.routes import get_routes

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
    """The progress page is a dashboard page (the app's policy); the finished report, which
    inlines its scripts, its own (tests/web/test_report_jobs.py opens one)."""
    page = analyst.get("/report")
    assert page.status_code == 200
    assert page.headers.get_list("content-security-policy") == [policy()]
    assert page.headers["x-frame-options"] == "DENY"
    # a job still running links its progress; one an earlier test finished links the report
    job = re.search(r"/report/jobs/([^/\"]+)/(?:progress|view)", page.text)
    assert job, page.text[:500]
    unfinished = analyst.get(f"/report/jobs/{job.group(1)}/view")
    if unfinished.status_code == 200:  # finished already (an earlier test asked for it)
        assert unfinished.headers.get_list("content-security-policy") == [REPORT_CSP]
    else:
        assert unfinished.status_code == 409
        assert unfinished.json()["error"]["code"] == "report_not_ready"


def _cache_and_referrer(response: httpx.Response) -> list[str]:
    """Cache-Control: no-store and the Referrer-Policy that ``response``'s path calls for."""
    path = response.url.path
    referrer = "no-referrer" if path.startswith("/s/") else "strict-origin-when-cross-origin"
    wrong = []
    if response.headers.get_list("referrer-policy") != [referrer]:
        wrong.append(f"{path}: Referrer-Policy {response.headers.get_list('referrer-policy')}")
    if response.headers.get_list("cache-control") != ["no-store"]:
        wrong.append(f"{path}: Cache-Control {response.headers.get_list('cache-control')}")
    return wrong


def test_every_route_is_uncacheable_with_a_referrer_policy(server: Server) -> None:
    """Every GET route as an admin (pages, JSON, CSV/HTML/JSON exports, the report) and as a
    stranger (login, 401s, the survey page), plus the PDF statement."""
    wrong: list[str] = []
    paths = [r.path for r in get_routes(server.app, server.wh)]  # type: ignore[arg-type]
    paths += ["/api/contracts/statement.pdf", "/api/nothing-here"]
    with closing(login(server, "admin")) as admin, \
            httpx.Client(base_url=server.url, timeout=60) as stranger:
        for client in (admin, stranger):
            for path in paths:
                response = client.get(path)
                wrong += _cache_and_referrer(response)
                if client is admin and path.endswith((".csv", ".pdf", ".json", ".html")):
                    assert response.status_code == 200, (path, response.text[:200])
    assert wrong == [], "\n".join(wrong[:40]) + f"\n({len(wrong)} in all)"


def test_static_files_stay_cacheable(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for path in ("/static/app.js", "/static/vendor/htmx.min.js", "/static/survey.css"):
            response = client.get(path)
            assert response.status_code == 200
            assert "cache-control" not in response.headers, path
            assert response.headers["etag"]  # revalidated cheaply
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
