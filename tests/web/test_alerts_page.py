"""The Alerts page and /api/alerts on the dashboard's demo: what the demo's replay recorded,
the same rows as the warehouse table, a vendor viewer limited to their vendor, and a bad status
answered with the one JSON error shape."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pandas as pd

from cxlens.alerts.store import listing
from cxlens.metrics.catalogue import resolve
from tests.web.server import Server


def _table(server: Server) -> pd.DataFrame:
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        return listing(server.wh)


def test_api_matches_the_table(analyst: httpx.Client, server: Server) -> None:
    got = analyst.get("/api/alerts")
    assert got.status_code == 200
    body = got.json()
    table = _table(server)
    assert [a["alert_id"] for a in body["alerts"]] == list(table["alert_id"])
    assert len(body["alerts"]) >= 1 and {r["name"] for r in body["rules"]} >= {
        "vendor-fcr-drift", "nps-control"}
    for a in body["alerts"]:
        assert a["n"] > 0 and a["ci_low"] is not None and a["ci_high"] is not None
        assert a["message"]
    opened = analyst.get("/api/alerts", params={"status": "open"}).json()["alerts"]
    assert all(a["status"] == "open" for a in opened)


def test_page_lists_alerts_and_rules(analyst: httpx.Client) -> None:
    page = analyst.get("/alerts")
    assert page.status_code == 200
    assert 'id="alerts"' in page.text and 'id="rules"' in page.text
    assert "vendor-fcr-drift" in page.text


def test_vendor_viewer_sees_only_their_vendor(acme: httpx.Client, server: Server) -> None:
    body = acme.get("/api/alerts").json()
    assert "rules" not in body
    assert all("vendor=Acme BPO" in a["segment"].split(", ") for a in body["alerts"])
    table = _table(server)
    theirs = [s for s in table["segment"] if "vendor=Acme BPO" in s.split(", ")]
    assert len(body["alerts"]) == len(theirs)
    assert 'id="rules"' not in acme.get("/alerts").text


def test_bad_status_is_one_error_shape(analyst: httpx.Client) -> None:
    bad = analyst.get("/api/alerts", params={"status": "closed"})
    assert bad.status_code == 400
    err = bad.json()["error"]
    assert err["code"] == "config_error" and "status=open" in err["hint"]


def test_alert_figures_read_in_their_metric_unit(analyst: httpx.Client) -> None:
    """The figure, interval and limit in the metric's unit ("84.4 %", not "84.35")."""
    alerts = analyst.get("/api/alerts").json()["alerts"]
    html = analyst.get("/alerts").text
    body = re.search(r'<table id="alerts">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body
    rows = [[unescape(c) for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr class=\"alert-[a-z]+\">(.*?)</tr>", body.group(1), re.S)]
    assert len(rows) == len(alerts)
    percent = 0
    for a, row in zip(alerts, rows, strict=True):
        if resolve(a["metric"]).unit.value == "percent":
            percent += 1
            assert re.fullmatch(r"\d{1,3}\.\d %", row[5]), row
            assert re.fullmatch(r"\d{1,3}\.\d % – \d{1,3}\.\d %", row[7]), row
    assert percent  # the demo's FCR drift alert is a share
