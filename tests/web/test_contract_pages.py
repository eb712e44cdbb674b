"""Contracts, statements and the vendor comparison in the dashboard: the statement page shows
what ``contracts.statement`` computes (and one KPI what hand-written SQL gives), vendor
viewers see their own vendor only, a broken upload saves nothing and says every problem, and
the downloads are the statement's files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from contextlib import closing
from html import unescape
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from cxlens.accounts import audit
from cxlens.contracts import store as contract_store
from cxlens.contracts.compare import compare
from cxlens.contracts.statement import Statement, statement
from cxlens.format import metric_unit, number
from cxlens.present import statement as render
from tests.web.conftest import Server, csrf_of, login

JUNE = dt.date(2026, 6, 1)
ACME = "/statement?vendor=Acme+BPO&month=2026-06"
OTHERS = ("Northwind", "in-house", "Bogotá", "Leeds", "northwind")


@pytest.fixture
def admin(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "admin")) as client:
        yield client


@pytest.fixture
def north(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "north")) as client:
        yield client


def _lock(server: Server) -> Any:
    return server.app.state.cxlens.lock  # type: ignore[attr-defined]


def _direct(server: Server, vendor: str = "Acme BPO") -> Statement:
    with _lock(server):
        return statement(server.wh, contract_store.contracts(server.wh), vendor, JUNE)


def _rows(page: str) -> dict[str, dict[str, str]]:
    """The statement page's KPI rows: id → data attributes."""
    out = {}
    for tag in re.findall(r'<tr id="kpi-[^"]+"[^>]*>', page):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        out[attrs["id"]] = attrs
    return out


def _float(text: str) -> float | None:
    return None if text in ("None", "nan") else float(text)


def test_the_demo_saved_the_example_contracts(server: Server) -> None:
    with _lock(server):
        saved = contract_store.current(server.wh)
    assert [(s.name, s.saved_by) for s in saved] == [("acme", "cxlens demo"),
                                                      ("northwind", "cxlens demo")]


def test_statement_page_shows_the_statement(server: Server, analyst: httpx.Client) -> None:
    response = analyst.get(ACME)
    assert response.status_code == 200, response.text[:500]
    page = unescape(response.text)
    s = _direct(server)
    assert "Acme BPO — statement for June 2026" in page
    (m,) = s.current
    rows = _rows(response.text)
    assert len(rows) == len(m.lines) == 7
    for line in m.lines:
        row = rows[f"kpi-0-{line.kpi.name}"]
        assert _float(row["data-value"]) == line.actual.value, line.kpi.name
        assert int(row["data-n"]) == line.actual.n
        assert _float(row["data-ci-low"]) == line.actual.ci_low
        assert row["data-status"] == line.status
        assert float(row["data-credit"]) == line.credit
    money = re.search(r'<table class="money" id="money-0"([^>]*)>', response.text)
    assert money
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', money.group(1)))
    st = m.settlement
    assert float(attrs["data-fee"]) == st.fee and float(attrs["data-credits"]) == st.credits
    assert float(attrs["data-adjusted-fee"]) == st.adjusted_fee
    assert f"{st.adjusted_fee:,.2f} EUR" in page
    # the year view: one chart per KPI with a figure in the twelve months, the brand health
    assert len(re.findall(r'<div class="vega" id="chart-c0-', page)) >= 4
    assert "Brand health (not a contract KPI)" in page
    # said once on the page, in its card (the KPI row's "brand health" flag has it as a
    # tooltip), not again as a note above the card
    assert re.sub(r"<[^>]+>", " ", page).count("NPS depends on product") == 1
    assert f'data-n="{s.brand.n}"' in response.text
    assert s.cherry is not None and "Cherry-picking check" in page
    assert f"{s.cherry.checked} of Acme BPO's agents checked from 2026-04-01" in page
    for row in s.cherry.flagged:
        assert f"?agent_id={row['agent_id']}" in page
        unit = metric_unit(row["metric"])  # an AHT in words, not "453.4" seconds
        assert f"<td>{number(row['raw'], unit)}</td><td>{number(row['team_raw'], unit)}</td>" \
            in page
    # the twelve months' columns say which CSAT is the billing one, as the KPI table does
    assert "CSAT <small>(category = 'billing')</small></th>" in page
    # the JSON twin is the statement
    twin = analyst.get("/api/contracts/statement?vendor=Acme+BPO&month=2026-06").json()
    assert twin == json.loads(json.dumps(s.as_dict(), default=str))


def test_one_kpi_equals_hand_written_sql(server: Server, analyst: httpx.Client) -> None:
    with _lock(server):
        n, aht = server.wh.query(
            "SELECT count(*), avg(talk_seconds + coalesce(hold_seconds, 0) + "
            "coalesce(wrap_seconds, 0)) FROM interactions WHERE vendor = 'Acme BPO' AND "
            "talk_seconds IS NOT NULL AND created_at >= ? AND created_at < ?",
            [dt.datetime(2026, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)])[0]
    row = _rows(analyst.get(ACME).text)["kpi-0-aht"]
    assert int(row["data-n"]) == n > 0
    assert _float(row["data-value"]) == pytest.approx(float(aht))


def test_the_default_statement_is_the_last_month_with_data(analyst: httpx.Client) -> None:
    page = unescape(analyst.get("/statement").text)
    assert "Acme BPO — statement for September 2026" in page  # the demo ends in September


def test_a_vendor_viewer_sees_their_own_only(server: Server, acme: httpx.Client,
                                            north: httpx.Client) -> None:
    own = acme.get("/statement?month=2026-06")
    assert own.status_code == 200 and "Acme BPO — statement for June 2026" in unescape(own.text)
    for path in ("/statement?vendor=Northwind+BPO&month=2026-06",
                 "/api/contracts/statement?vendor=Northwind+BPO",
                 "/api/contracts/statement.csv?vendor=Northwind+BPO",
                 "/api/contracts/statement.json?vendor=Northwind+BPO"):
        response = acme.get(path, headers={"accept": "text/html"})
        assert response.status_code == 404, path
        assert "Northwind" not in response.text.replace("Northwind+BPO", "")
    assert "Northwind BPO — statement" in unescape(north.get("/statement").text)
    for path in ("/contracts", "/api/contracts", "/contracts/compare?month=2026-06",
                 "/contracts/compare?month=2026-06&by=site", "/api/contracts/compare?by=site",
                 "/api/contracts/compare.csv?year=true", "/statement",
                 "/api/contracts/statement.html"):
        text = acme.get(path, headers={"accept": "text/html"}).text
        for other in OTHERS:
            assert other not in text, (path, other)
    listed = acme.get("/api/contracts").json()["contracts"]
    assert [c["name"] for c in listed] == ["acme"]
    rows = acme.get("/api/contracts/compare?month=2026-06").json()["year"]
    assert rows and {r["vendor"] for r in rows} == {"Acme BPO"}
    # no naming of another vendor's contract either
    missing = acme.get("/api/contracts/compare?contract=Northwind+BPO").json()
    assert missing["error"]["code"] == "not_found" and "Acme BPO" in missing["error"]["hint"]


def test_compare_page_and_json(server: Server, analyst: httpx.Client) -> None:
    body = analyst.get("/api/contracts/compare?month=2026-06").json()
    with _lock(server):
        want = compare(server.wh, contract_store.contracts(server.wh), JUNE)
    assert body == json.loads(json.dumps(want.as_dict(), default=str))
    assert {r["vendor"] for r in body["rows"]} == {"Acme BPO", "Northwind BPO", "in-house"}
    page = unescape(analyst.get("/contracts/compare?month=2026-06&by=site").text)
    assert "Contract KPIs by site, June 2026" in page
    for label in ("Acme BPO / Manila", "Northwind BPO / Bogotá", "in-house / Leeds"):
        assert label in page
    error = analyst.get("/api/contracts/compare?by=agent").json()["error"]
    assert error["code"] == "config_error" and "by site or by team" in error["hint"]


def test_contracts_page(analyst: httpx.Client) -> None:
    page = unescape(analyst.get("/contracts").text)
    for part in ("Acme BPO", "Northwind BPO", "transfer_response_time:p90",
                 "version 1, saved by cxlens demo", "only when the whole 95 % interval"):
        assert part in page, part
    assert "<textarea" not in page  # read only for an analyst
    # targets in their metric's unit, as the statement and scorecard write them: AHT's 420 s
    # and the P90's 28,800 s read "7 min 00 s" and "8 h 00 min", CSAT's 85 "85.0 %"
    for target in ("≤ 7 min 00 s", "≤ 8 h 00 min", "≥ 85.0 %"):
        assert f"<td>{target}</td>" in page, target
    assert "≤ 420<" not in page and "28,800" not in page
    body = analyst.get("/api/contracts").json()["contracts"]
    assert [c["name"] for c in body] == ["acme", "northwind"]
    assert body[0]["contract"]["vendor"] == "Acme BPO" and body[0]["problem"] is None
    assert body[0]["history"] == [{"version": 1, "saved_by": "cxlens demo",
                                   "saved_at": body[0]["saved_at"], "retired": False}]


BROKEN = ("vendor: Broken\npricing: {model: per_fte, seats: 3}\nat_risk: 0.1\n"
          "kpis:\n  - {name: csat, metric: cast, target: 85, weight: 0.5}\n")
IN_HOUSE = ("vendor: in-house\npricing: {model: per_fte, seats: 10, seat_rate: 1}\n"
            "at_risk: 0.05\nkpis:\n  - {name: csat, metric: csat, target: 85, weight: 1}\n")


def _history(server: Server) -> list[contract_store.Saved]:
    with _lock(server):
        return contract_store.history(server.wh)


def test_a_broken_upload_shows_every_problem_and_saves_nothing(
        server: Server, admin: httpx.Client, analyst: httpx.Client) -> None:
    before = _history(server)
    form = admin.get("/contracts")
    assert "<textarea" in form.text  # an admin edits
    good = IN_HOUSE.encode()
    response = admin.post("/contracts", data={"csrf_token": csrf_of(form.text),
                                              "action": "save"},
                          files=[("files", ("broken.yaml", BROKEN.encode())),
                                 ("files", ("garbled.yml", b"vendor: [unclosed\n")),
                                 ("files", ("notes.txt", b"hello")),
                                 ("files", ("inhouse.yaml", good))])
    assert response.status_code == 400
    problems = re.search(r'<div class="error" role="alert" id="problems">(.*?)</div>',
                         response.text, re.S)
    assert problems
    items = [unescape(i) for i in re.findall(r"<li>(.*?)</li>", problems.group(1), re.S)]
    assert len(items) == 3, items
    text = " ".join(items)
    for part in ("notes.txt: a contract file ends in .yaml", "broken has 2 problem(s)",
                 "seat_rate", "no metric 'cast'", "garbled is not valid YAML"):
        assert part in text, part
    assert _history(server) == before  # not even the good file
    # a text edit with a problem keeps the text in the form
    edit = admin.post("/contracts", data={"csrf_token": csrf_of(form.text), "name": "acme",
                                          "text": "vendor: Acme BPO\n", "action": "save"})
    assert edit.status_code == 400 and "vendor: Acme BPO\n</textarea>" in edit.text
    assert _history(server) == before
    # nobody but an admin saves
    refused = analyst.post("/contracts", data={"csrf_token": csrf_of(form.text),
                                               "name": "x", "text": IN_HOUSE})
    assert refused.status_code == 403


def test_an_admin_adds_and_retires_a_contract(server: Server, admin: httpx.Client) -> None:
    form = admin.get("/contracts")
    saved = admin.post("/contracts", data={"csrf_token": csrf_of(form.text), "action": "save"},
                       files=[("files", ("inhouse.yaml", IN_HOUSE.replace("\n", "\r\n")
                                         .encode()))])
    assert saved.status_code == 303 and saved.headers["location"] == "/contracts?saved=1"
    try:
        page = admin.get("/contracts?saved=1").text
        assert "Saved:" in page and 'id="contract-inhouse"' in page
        body = admin.get("/api/contracts/compare?month=2026-06").json()
        row = next(r for r in body["rows"] if r["vendor"] == "in-house" and r["kpi"] == "csat")
        assert (row["contract"], row["target"]) == ("in-house", 85.0)
        assert "in-house — statement for June 2026" in unescape(
            admin.get("/statement?vendor=in-house&month=2026-06").text)
    finally:
        retired = admin.post("/contracts", data={"csrf_token": csrf_of(form.text),
                                                 "name": "inhouse", "action": "retire"})
        assert retired.status_code == 303
    with _lock(server):
        assert [s.name for s in contract_store.current(server.wh)] == ["acme", "northwind"]
    assert [(s.version, s.saved_by, s.text is None) for s in _history(server)
            if s.name == "inhouse"] == [(2, "admin", True), (1, "admin", False)]
    with _lock(server):
        log = audit.recent(server.wh, 50)
    assert any(a == "contracts_saved" and d == "saved inhouse" and u == "admin"
               for _, u, a, d in log)


def test_downloads(server: Server, analyst: httpx.Client) -> None:
    s = _direct(server)
    query = "?vendor=Acme+BPO&month=2026-06"
    got = analyst.get(f"/api/contracts/statement.csv{query}")
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == \
        'attachment; filename="statement-acme-bpo-2026-06.csv"'
    assert got.text == render.csv_text(s)
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert tuple(rows[0]) == render.CSV_COLUMNS
    assert len({r["month"] for r in rows}) == 9  # October 2025 (the start) to June 2026
    body = analyst.get(f"/api/contracts/statement.json{query}")
    assert body.headers["content-disposition"].endswith('statement-acme-bpo-2026-06.json"')
    assert body.json() == json.loads(json.dumps(s.as_dict(), default=str))
    page = analyst.get(f"/api/contracts/statement.html{query}")
    assert page.headers["content-type"].startswith("text/html")
    assert page.text == render.html(s)
    compared = analyst.get("/api/contracts/compare.csv?month=2026-06&by=site&year=true")
    table = list(csv.DictReader(io.StringIO(compared.text)))
    assert {r["site"] for r in table} == {"Manila", "Bogotá", "Leeds"}
    assert len({r["month"] for r in table}) == 13
    with _lock(server):
        log = [(u, a, d) for _, u, a, d in audit.recent(server.wh, 50)]
    for detail in ("statement.csv?vendor=Acme+BPO&month=2026-06",
                   "statement.json?vendor=Acme+BPO&month=2026-06",
                   "contracts/compare.csv?month=2026-06&by=site&year=true"):
        assert ("ann", "export", detail) in log, detail
    wrong = analyst.get(f"/api/contracts/statement.xlsx{query}").json()["error"]
    assert wrong["code"] == "not_found" and "html, pdf, csv, json" in wrong["hint"]


def test_pdf_download(analyst: httpx.Client) -> None:
    pdf = analyst.get("/api/contracts/statement.pdf?vendor=Northwind+BPO&month=2026-06")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Northwind BPO" in text and "Adjusted fee" in text
