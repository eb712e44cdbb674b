"""Survey programmes through the web: the hosted pages in a real Chromium with JavaScript
off (a score link pre-selects, a GET records nothing, the submit does; the comment comes
later), clear pages for bad links, the collection API (idempotent, refusals in the one JSON
error shape, rate limiting), and the cases pages and API with vendor scoping."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.store.base import Warehouse
from cxlens.surveys import config, tokens
from cxlens.surveys.run import run
from cxlens.web.app import create_app
from tests.surveys.world import Mailbox, build, config_text, smtp_server
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.server import Server, running
from tests.web.test_browser import Watched

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Site:
    url: str
    wh: Warehouse
    box: Mailbox
    app: Any


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("surveys") / "s.duckdb"
    wh = store.connect(str(path))
    # the world's month, moved to end now (links must be valid today)
    build(wh)
    shift = NOW - dt.timedelta(days=28) - dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    wh.execute("UPDATE interactions SET created_at = created_at + ?, closed_at = closed_at "
               "+ ?", [shift, shift])
    accounts.ensure(wh)
    for name, role, vendor in (("admin", "admin", None), ("acme", "vendor", "Acme BPO")):
        users.add(wh, name, PASSWORD, role, vendor)
    with smtp_server() as box:
        config.save(wh, config_text(box.port))
        app = create_app(wh, collect_rate=10_000)
        with running(app) as url:
            cfg = config.save(wh, config_text(box.port, url))
            app.state.surveys.set_config(cfg)
            ticker = wh.sibling()
            run(ticker, NOW - dt.timedelta(hours=2))
            yield Site(url, wh, box, app)
    wh.close()


def links(site: Site, programme: str, language: str = "en") -> list[str]:
    out = []
    for msg in site.box.messages:
        inv = msg["X-Cxlens-Invitation"]
        row = site.wh.query("SELECT programme, language, response_id FROM survey_invitations "
                            "WHERE invitation_id = ?", [inv])
        if row and row[0][0] == programme and row[0][1] == language and row[0][2] is None:
            body = msg.get_body(("plain",)).get_content()
            out.append(re.search(r"Or open (\S+)", body).group(1))  # type: ignore[union-attr]
    assert out, f"no unanswered {programme} invitation in {language}"
    return out


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_answer_in_a_browser_without_javascript(site: Site, browser: Browser) -> None:
    link = links(site, "support-csat")[0]
    inv = tokens.verify(site.app.state.surveys.secret, _token(link))
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 375, "height": 700})
    page = context.new_page()
    watched = Watched(page, Server(site.url, site.wh, site.app))
    page.goto(f"{link}?score=1")  # the e-mail's "1" button: pre-selects, records nothing
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[name=score][value='1']").is_checked()
    assert page.locator("label.score").count() == 5
    watched.shot("survey-score-mobile")
    assert not site.wh.scalar("SELECT count(*) FROM survey_responses WHERE invitation_id = ?",
                              [inv])
    page.get_by_role("button", name="Send").click()
    assert page.get_by_text("your score is saved").is_visible()
    assert site.wh.scalar("SELECT score FROM survey_responses WHERE invitation_id = ?",
                          [inv]) == 1
    page.fill("textarea[name=comment]", "Slow again. Call me on +44 7700 900123")
    page.locator("label.score", has_text="No").click()
    watched.shot("survey-followup-mobile")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_role("heading").inner_text().startswith("Thank you")
    comment, resolved = site.wh.query("SELECT comment, resolved_reported FROM survey_responses "
                                      "WHERE invitation_id = ?", [inv])[0]
    assert "7700" not in comment and "Slow again" in comment and resolved is False
    page.goto(link)  # the link is used up
    assert "already answered" in page.content()
    watched.check()
    context.close()
    case = site.wh.query("SELECT rule, due_at - opened_at, status FROM followup_cases c JOIN "
                         "survey_responses r USING (response_id) WHERE r.invitation_id = ?",
                         [inv])
    assert case == [("csat-unhappy", dt.timedelta(hours=48), "open")]


def test_bad_links_get_clear_pages(site: Site) -> None:
    link = links(site, "support-csat")[1]
    token = _token(link)
    inv_id, expiry, sig = token.split(".")
    secret = site.app.state.surveys.secret
    forged = f"{inv_id}.{expiry}.{'A' * len(sig)}"
    stretched = f"{inv_id}.{int(expiry) + 86400}.{sig}"  # a longer expiry, same signature
    expired = tokens.make(secret, inv_id, NOW - dt.timedelta(days=1))
    suppressed = site.wh.scalar("SELECT invitation_id FROM survey_invitations WHERE status = "
                                "'suppressed' LIMIT 1")
    cases = {forged: (404, "not valid"), stretched: (404, "not valid"), "x": (404, "not valid"),
             expired: (410, "closed"),
             tokens.make(secret, str(suppressed), NOW + dt.timedelta(days=3)): (404, "not valid")}
    with httpx.Client(base_url=site.url) as client:
        for bad, (status, words) in cases.items():
            for response in (client.get(f"/s/{bad}"),
                             client.post(f"/s/{bad}", data={"score": "5"})):
                assert response.status_code == status, (bad, response.text[:300])
                assert words in response.text and "Traceback" not in response.text
        # a tampered score on a good link: refused with the scale
        tampered = client.post(f"/s/{token}", data={"score": "99"})
        assert tampered.status_code == 422 and "outside the survey" in tampered.text
    assert not site.wh.scalar("SELECT count(*) FROM survey_responses WHERE invitation_id = ?",
                              [inv_id])


def test_collection_api(site: Site) -> None:
    token = _token(links(site, "support-csat")[2])
    with httpx.Client(base_url=site.url) as client:
        first = client.post("/api/v1/responses", json={"token": token, "score": 5})
        assert first.status_code == 201, first.text
        again = client.post("/api/v1/responses", json={"token": token, "score": 5})
        assert again.status_code == 200 and again.json()["duplicate"]
        assert again.json()["response_id"] == first.json()["response_id"]
        other = client.post("/api/v1/responses", json={"token": token, "score": 2})
        assert other.status_code == 409
        assert other.json()["error"]["code"] == "already_answered"
        token2 = _token(links(site, "support-csat")[3])
        scale = client.post("/api/v1/responses", json={"token": token2, "score": 0})
        assert scale.status_code == 422
        err = scale.json()["error"]
        assert err["code"] == "score_out_of_scale" and "1 to 5" in err["hint"]
        more = client.post("/api/v1/responses/followup",
                           json={"token": token, "comment": "great", "answers": {"resolved": 1}})
        assert more.status_code == 201 and more.json()["completed"]


def test_flooding_is_rate_limited(site: Site) -> None:
    slow = create_app(site.wh.sibling(), collect_rate=1)
    with running(slow) as url, httpx.Client(base_url=url) as client:
        codes = [client.post("/api/v1/responses", json={"token": "x.1.y", "score": 1})
                 for _ in range(30)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and codes[0].status_code == 404
    assert limited[0].json()["error"]["code"] == "rate_limited"
    assert int(limited[0].headers["Retry-After"]) >= 1


def _login(site: Site, user: str) -> httpx.Client:
    client = httpx.Client(base_url=site.url, timeout=60)
    form = client.get("/login")
    r = client.post("/login", data={"username": user, "password": PASSWORD,
                                    "csrf_token": csrf_of(form.text), "next": "/cases"})
    assert r.status_code == 303
    return client


def test_cases_in_the_dashboard_and_api(site: Site) -> None:
    secret = site.app.state.surveys.secret
    with httpx.Client(base_url=site.url) as client:
        for vendor in ("Acme BPO", "in-house"):
            inv, expires = site.wh.query(
                "SELECT invitation_id, expires_at FROM survey_invitations WHERE programme = "
                "'support-csat' AND status = 'sent' AND response_id IS NULL AND vendor = ? "
                "LIMIT 1", [vendor])[0]
            r = client.post("/api/v1/responses", json={
                "token": tokens.make(secret, inv, expires), "score": 1})
            assert r.status_code == 201 and r.json()["case_id"]
    rows = site.wh.query("SELECT case_id, vendor FROM followup_cases ORDER BY vendor")
    assert {v for _, v in rows} >= {"Acme BPO", "in-house"}, rows
    acme_case = next(c for c, v in rows if v == "Acme BPO")
    house_case = next(c for c, v in rows if v == "in-house")
    with closing(_login(site, "acme")) as acme:
        listing = acme.get("/cases").text
        assert acme_case in listing and house_case not in listing
        assert acme.get(f"/cases/{house_case}").status_code == 404
        assert all(c["vendor"] == "Acme BPO" for c in acme.get("/api/cases").json()["cases"])
        assert acme.get("/programmes").status_code == 403
        page = acme.get(f"/cases/{acme_case}")
        r = acme.post(f"/cases/{acme_case}", data={"status": "contacted", "note": "phoned",
                                                   "csrf_token": csrf_of(page.text)})
        assert r.status_code == 303
        assert "contacted" in acme.get(f"/cases/{acme_case}").text
        assert acme.post(f"/cases/{acme_case}", data={"status": "resolved"}).status_code == 403
    with closing(_login(site, "admin")) as admin:
        assert admin.post(f"/api/cases/{house_case}",
                          json={"status": "contacted"}).status_code == 403  # cookies: no
        form = admin.get("/programmes")
        bad = admin.post("/programmes", data={"text": "programmes:\n  - name: X\n",
                                              "csrf_token": csrf_of(form.text)})
        assert bad.status_code == 400 and "problem(s)" in bad.text
        for name in ("surveys", "loop"):
            assert admin.get(f"/{name}").status_code == 200
    token = accounts.tokens.issue_token(site.wh, "admin", "tests")
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {token}"}) as api:
        r = api.post(f"/api/cases/{house_case}", json={"status": "resolved",
                                                       "root_cause": "billing"})
        assert r.status_code == 200 and r.json()["case"]["status"] == "resolved"
        bad = api.post(f"/api/cases/{house_case}", json={"status": "contacted"})
        assert bad.status_code == 400 and "cannot become" in bad.json()["error"]["message"]
        history = api.get(f"/api/cases/{house_case}").json()["history"]
        assert history[0]["action"] == "opened"


# -- issue 16: limits on what the public collection API and pages accept ------------------------
def _answers(site: Site, inv_id: str) -> int:
    return int(site.wh.scalar("SELECT count(*) FROM survey_responses WHERE invitation_id = ?",
                              [inv_id]))


def _raw_post(url: str, path: str, head: dict[str, str], body: bytes,
              chunked: bool = False) -> tuple[int, bytes]:
    """POST over a raw socket (the body in 64 KiB pieces, chunked if asked); the server may
    answer and close before the whole body is sent. Returns the status and the response."""
    import socket

    host, port = url.removeprefix("http://").split(":")
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Connection: close",
             *(f"{k}: {v}" for k, v in head.items())]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for i in range(0, len(body), 65536):
                piece = body[i:i + 65536]
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if chunked:
                s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole body was read: what is tested
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except ConnectionResetError:
            pass
    status = int(out.split(b" ", 2)[1]) if out else 0
    return status, out


def test_oversized_answers_are_refused_before_reading(site: Site) -> None:
    link = links(site, "support-csat")[0]
    token = _token(link)
    inv_id = tokens.verify(site.app.state.surveys.secret, token)
    padding = "x" * (1024 * 1024)
    body = json.dumps({"token": token, "score": 5, "pad": padding}).encode()
    for chunked in (False, True):
        status, out = _raw_post(site.url, "/api/v1/responses",
                                {"Content-Type": "application/json"}, body, chunked)
        assert status == 413, out[:300]
        assert b'"code":"body_too_large"' in out.replace(b" ", b"")
    form = f"score=5&pad={padding}".encode()
    for chunked in (False, True):
        status, out = _raw_post(site.url, f"/s/{token}",
                                {"Content-Type": "application/x-www-form-urlencoded"}, form,
                                chunked)
        assert status == 413, out[:300]
    assert _answers(site, inv_id) == 0
    with httpx.Client(base_url=site.url) as client:  # a normal answer still goes through
        ok = client.post("/api/v1/responses", json={"token": token, "score": 5})
        assert ok.status_code == 201, ok.text
    assert _answers(site, inv_id) == 1


@pytest.mark.parametrize("score", ["true", "false", '"4"', "4.0", "4.5", "NaN", "Infinity"])
def test_scores_are_whole_numbers_only(site: Site, score: str) -> None:
    token = _token(links(site, "support-csat")[0])
    inv_id = tokens.verify(site.app.state.surveys.secret, token)
    cases_before = site.wh.scalar("SELECT count(*) FROM followup_cases")
    with httpx.Client(base_url=site.url) as client:
        r = client.post("/api/v1/responses", content=f'{{"token": "{token}", "score": {score}}}',
                        headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_score" and "score" in err["message"]
    assert "1 to 5" in err["hint"] or "1 to 5" in err["message"]
    assert _answers(site, inv_id) == 0
    assert site.wh.scalar("SELECT count(*) FROM followup_cases") == cases_before


def test_followup_answers_are_whole_numbers_only(site: Site) -> None:
    token = _token(links(site, "support-csat")[0])
    with httpx.Client(base_url=site.url) as client:
        assert client.post("/api/v1/responses", json={"token": token, "score": 4}
                           ).status_code == 201
        r = client.post("/api/v1/responses/followup",
                        json={"token": token, "answers": {"resolved": True}})
    assert r.status_code == 422, r.text
    assert "resolved" in r.json()["error"]["message"]


def test_rate_limit_comes_before_parsing(site: Site) -> None:
    slow = create_app(site.wh.sibling(), collect_rate=1)
    with running(slow) as url, httpx.Client(base_url=url) as client:
        codes = [client.post("/api/v1/responses", content=b"{not json",
                             headers={"Content-Type": "application/json"}).status_code
                 for _ in range(30)]
    assert codes[0] == 422 and 429 in codes
