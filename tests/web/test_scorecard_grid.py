"""Issue 17, the vendor scorecard grid on /vendors and in the report: each cell's value, n,
target and status worked by hand on a small warehouse, the drill-down links and breadcrumbs,
vendor scope, and every vendor column in the printed PDF.

The small world, March 2026 (the latest month with contacts), one contract (V1's: CSAT at
least 60 %, AHT at most 400 s, minimum sample 5):
- V1 at S1 (team T1): 6 contacts of 300 s talk; CSAT answers 5, 5, 5, 5, 5, 1.
- V1 at S2 (team T2): 4 contacts of 600 s; answers 5, 5, 1, 1.
- V2 at S3 (team T3): 8 contacts of 200 s; eight 5s. V2 has no contract.
- February: V1 at S1 two contacts of 300 s, two 5s (the sparkline's other point).
So in March V1: CSAT 7 / 10 = 70.0 % (met on the figure, but any 95 % interval of 7 in 10
reaches well below 60 %: at risk), AHT (6 × 300 + 4 × 600) / 10 = 420 s = 7 min 00 s
(> 400 s: missed). V2: CSAT 100.0 % (n 8), AHT 3 min 20 s, no target.
By site: S1 CSAT 5 / 6 = 83.3 % (at risk: 5 of 6 cannot rule out 60 %), S1 AHT 300 s with
no spread (interval 300–300, within 400: met); S2 has n = 4 < 5: not measurable.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from contextlib import closing
from html import unescape
from pathlib import Path

import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.accounts.users import User
from cxlens.contracts import store as contract_store
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages.vendors import scorecard_grid
from cxlens.store.base import Warehouse
from cxlens.web.app import create_app
from tests.web.conftest import login
from tests.web.server import PASSWORD, Server, running

CONTRACT = """
vendor: V1
start: 2026-01-01
pricing: {model: per_fte, seats: 1, seat_rate: 100}
at_risk: 0.1
min_sample: 5
kpis:
  - {name: csat, metric: csat, target: 60, weight: 0.5}
  - {name: aht, metric: aht, target: 400, weight: 0.5}
"""
#: vendor, site, team, contacts, talk seconds, CSAT answers (in contact order)
WORLD = (("V1", "S1", "T1", 300, (5, 5, 5, 5, 5, 1)), ("V1", "S2", "T2", 600, (5, 5, 1, 1)),
         ("V2", "S3", "T3", 200, (5,) * 8))


def _world(wh: Warehouse, more_vendors: int = 0) -> None:
    inter, resp = [], []
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    extra = tuple((f"W{i}", f"X{i}", f"Y{i}", 100, (5, 5)) for i in range(more_vendors))
    rows = [(v, s, t, talk, score, t0 + dt.timedelta(hours=i))
            for v, s, t, talk, scores in WORLD + extra for i, score in enumerate(scores)]
    rows += [("V1", "S1", "T1", 300, 5, dt.datetime(2026, 2, 10, 9 + i, tzinfo=dt.UTC))
             for i in range(2)]
    for k, (vendor, site, team, talk, score, created) in enumerate(rows):
        iid = f"i{k:03d}"
        inter.append([iid, "phone", vendor, site, team, "orders", created,
                      created + dt.timedelta(minutes=10), talk, True])
        resp.append([f"r{k:03d}", "csat", score, 1, 5, created + dt.timedelta(hours=1), iid])
    wh.insert_rows("interactions", ["interaction_id", "channel", "vendor", "site", "team",
                                    "category", "created_at", "closed_at", "talk_seconds",
                                    "resolved"], inter)
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id"], resp)
    contract_store.save(wh, {"v1": CONTRACT}, "test")
    accounts.ensure(wh)
    users.add(wh, "boss", PASSWORD, "admin", None)
    users.add(wh, "v1", PASSWORD, "vendor", "V1")
    users.add(wh, "v2", PASSWORD, "vendor", "V2")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    wh = store.connect(str(tmp_path_factory.mktemp("grid") / "grid.duckdb"))
    _world(wh)
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


def _get(server: Server, user: str, path: str) -> str:
    with closing(login(server, user)) as client:
        r = client.get(path)
        assert r.status_code == 200, r.text[:500]
        return r.text


CELL = re.compile(r'<td class="cell [^"]*" data-segment="([^"]*)" data-value="([^"]*)" '
                  r'data-n="(\d+)" data-status="([^"]*)"[^>]*>(.*?)</td>', re.S)


def _grid(page: str) -> dict[tuple[str, str], dict[str, str]]:
    """(KPI, column) → the cell's n, status, shown value, interval, target and link."""
    out = {}
    for kpi, body in re.findall(r'<tr data-kpi="([^"]+)">(.*?)</tr>', page, re.S):
        for seg, _raw, n, status, inner in CELL.findall(body):
            value = re.search(r'<div class="v">(?:<a href="([^"]*)">)?([^<]*)', inner)
            assert value is not None
            target = re.search(r'<div class="t">target ([^<]*)</div>', inner)
            ci = re.search(r'<div class="ci">([^<]*)</div>', inner)
            assert ci is not None
            said = re.search(r'<div class="s">(.*?)</div>', inner, re.S)
            assert target is not None and said is not None
            out[(kpi, unescape(seg))] = {
                "n": n, "status": status, "value": unescape(value.group(2)),
                "href": unescape(value.group(1) or ""), "target": unescape(target.group(1)),
                "interval": unescape(ci.group(1)),
                "says": re.sub(r"<[^>]+>", "", said.group(1))}
    return out


def _headers(page: str) -> dict[str, str]:
    """Column label → the link of its header (the next level down)."""
    head = re.search(r'<thead><tr><th scope="col" class="kpi">KPI</th>(.*?)</tr>', page, re.S)
    assert head is not None
    return {unescape(label): unescape(href) for href, label in
            re.findall(r'<th scope="col" data-segment="[^"]*"><a href="([^"]*)"[^>]*>'
                       r'([^<]*) ›</a>', head.group(1))}


def _crumbs(page: str) -> list[tuple[str, str | None]]:
    nav = re.search(r'<nav class="crumbs" aria-label="breadcrumbs"><ol>(.*?)</ol>', page, re.S)
    assert nav is not None
    out: list[tuple[str, str | None]] = []
    for item in re.findall(r"<li>(.*?)</li>", nav.group(1), re.S):
        link = re.match(r'<a href="([^"]*)">([^<]*)</a>', item)
        out.append((unescape(link.group(2)), unescape(link.group(1))) if link else
                   (unescape(re.sub(r"<[^>]+>", "", item)), None))
    return out


def test_each_cell_holds_the_hand_worked_value_n_target_and_status(small: Server) -> None:
    page = _get(small, "boss", "/vendors")
    assert "Scorecard by vendor, March 2026" in page
    # the grid comes before the page's existing chart and table, which stay
    assert page.index('class="scorecard-grid"') < page.index('id="chart-csat_by_segment"') \
        < page.index('id="table-kpis"')
    cells = _grid(page)
    statement = "/statement?vendor=V1&month=2026-03"
    assert {k: (c["value"], c["n"], c["target"], c["status"], c["href"])
            for k, c in cells.items()} == {
        ("csat", "V1"): ("70.0 %", "10", "≥ 60.0 %", "at risk", statement),
        ("aht", "V1"): ("7 min 00 s", "10", "≤ 6 min 40 s", "missed", statement),
        ("csat", "V2"): ("100.0 %", "8", "—", "no target", "/vendors?vendor=V2&by=site"),
        ("aht", "V2"): ("3 min 20 s", "8", "—", "no target",
                        "/vendors?vendor=V2&by=site"),
    }
    # V1's intervals by hand: CSAT 7 of 10, Wilson: (0.7 + 1.96²/20 ± 1.96·√(0.7·0.3/10 +
    # 1.96²/400)) / (1 + 1.96²/10) = 0.3968 … 0.8922; AHT six 300s and four 600s: mean 420,
    # s² = (6·120² + 4·180²) / 9 = 24,000, t(9) 2.262 · √(24,000/10) = 110.8 → 309.2 … 530.8
    assert cells[("csat", "V1")]["interval"] == "39.7 % – 89.2 %"
    assert cells[("aht", "V1")]["interval"] == "5 min 09 s – 8 min 51 s"
    # every cell with a figure has its sparkline, each drawn from its own spec
    sparks = re.findall(r'<div class="vega spark" id="chart-([^"]+)" data-spec="spec-\1"', page)
    assert len(sparks) == 4
    for sid in sparks:
        assert f'<script type="application/json" id="spec-{sid}">' in page
    # the status is said in words (and for screen readers in full), not only by colour
    assert cells[("aht", "V1")]["says"].startswith("✗ missed: AHT at V1: 7 min 00 s, n = 10;")
    assert "against a target of ≤ 6 min 40 s" in cells[("aht", "V1")]["says"]


def test_the_grid_is_the_same_on_each_engine(wh: Warehouse) -> None:
    """The builder itself on DuckDB and on Postgres: the hand-worked cells above, and the site
    level's (S1 83.3 % at risk, S1 AHT met with no spread, S2 below the minimum sample)."""
    _world(wh)
    boss = User("boss", "admin")
    grid = scorecard_grid(PageCtx(wh, boss, Filters()))
    assert grid is not None and grid.month == dt.date(2026, 3, 1)
    cells = {(r.name, col.label): (c.value, c.interval, c.n, c.target, c.status)
             for r in grid.rows for col, c in zip(grid.columns, r.cells, strict=True)}
    assert cells == {
        ("csat", "V1"): ("70.0 %", "39.7 % – 89.2 %", 10, "≥ 60.0 %", "at risk"),
        ("aht", "V1"): ("7 min 00 s", "5 min 09 s – 8 min 51 s", 10, "≤ 6 min 40 s",
                        "missed"),
        ("csat", "V2"): ("100.0 %", cells[("csat", "V2")][1], 8, "—", "no target"),
        ("aht", "V2"): ("3 min 20 s", cells[("aht", "V2")][1], 8, "—", "no target")}
    sites = scorecard_grid(PageCtx(wh, boss, Filters(vendor="V1"), {"by": "site"}))
    assert sites is not None
    by_site = {(r.name, col.label): (c.value, c.n, c.status)
               for r in sites.rows for col, c in zip(sites.columns, r.cells, strict=True)}
    assert by_site[("csat", "S1")] == ("83.3 %", 6, "at risk")
    assert by_site[("aht", "S1")] == ("5 min 00 s", 6, "met")
    assert by_site[("csat", "S2")][1:] == (4, "not measurable")


def test_the_sparkline_holds_the_thirteen_months(small: Server) -> None:
    page = _get(small, "boss", "/api/pages/vendors")
    import json

    grid = json.loads(page)["grid"]
    csat = next(r for r in grid["rows"] if r["name"] == "csat")
    values = csat["cells"][0]["spark"]["data"]["values"]  # V1
    assert len(values) == 13 and values[0]["month"] == "2025-03-01"
    assert {v["month"]: v["value"] for v in values if v["value"] is not None} == {
        "2026-02-01": 100.0, "2026-03-01": 70.0}
    assert values[-1]["text"] == "Mar 2026: 70.0 % (n = 10)"
    assert csat["cells"][0]["spark"]["layer"][1]["encoding"]["y"]["datum"] == 60.0


def test_drill_down_vendor_to_sites_to_teams_with_breadcrumbs(small: Server) -> None:
    top = _get(small, "boss", "/vendors")
    assert _crumbs(top) == [("All vendors", None)]
    assert _headers(top) == {"V1": "/vendors?vendor=V1&by=site",
                             "V2": "/vendors?vendor=V2&by=site"}

    sites = _get(small, "boss", "/vendors?vendor=V1&by=site")
    assert "Scorecard by site, March 2026" in sites
    assert _crumbs(sites) == [("All vendors", "/vendors?by=vendor"), ("V1", None)]
    assert _headers(sites) == {"S1": "/vendors?vendor=V1&site=S1&by=team",
                               "S2": "/vendors?vendor=V1&site=S2&by=team"}
    cells = _grid(sites)
    assert {k: (c["value"], c["n"], c["status"]) for k, c in cells.items()} == {
        ("csat", "S1"): ("83.3 %", "6", "at risk"),
        ("aht", "S1"): ("5 min 00 s", "6", "met"),
        ("csat", "S2"): ("50.0 %", "4", "not measurable"),
        ("aht", "S2"): ("10 min 00 s", "4", "not measurable"),
    }

    teams = _get(small, "boss", "/vendors?vendor=V1&site=S1&by=team")
    assert "Scorecard by team, March 2026" in teams
    assert _crumbs(teams) == [("All vendors", "/vendors?by=vendor"), ("V1", "/vendors?vendor=V1&by=site"),
                              ("S1", None)]
    assert _headers(teams) == {"T1": "/vendors?vendor=V1&site=S1&team=T1&level=agent_id"}
    assert {k: (c["value"], c["n"]) for k, c in _grid(teams).items()} == {
        ("csat", "T1"): ("83.3 %", "6"), ("aht", "T1"): ("5 min 00 s", "6")}
    # without ``by``, the level after the filters chosen: a vendor's sites, a site's teams
    assert "Scorecard by site, March 2026" in _get(small, "boss", "/vendors?vendor=V1")
    # the same grid by site for every vendor, asked for by name
    every = _grid(_get(small, "boss", "/vendors?by=site"))
    assert sorted({seg for _, seg in every}) == ["S1", "S2", "S3"]


def test_a_vendor_viewer_sees_their_own_column_only(small: Server) -> None:
    for path in ("/vendors", "/vendors?vendor=V2", "/vendors?by=vendor"):
        cells = _grid(_get(small, "v1", path))
        assert {seg for _, seg in cells} == {"V1"}, path
    sites = _grid(_get(small, "v1", "/vendors?vendor=V2&by=site"))
    assert {seg for _, seg in sites} == {"S1", "S2"}
    assert "V2" not in _get(small, "v1", "/api/pages/vendors?by=site")
    # V2 has no contract: its viewer gets no scorecard and none of V1's figures
    page = _get(small, "v2", "/vendors")
    assert 'class="scorecard-grid"' not in page and "No scorecard" in page
    assert "V1" not in page
    # an admin who picks V2 gets the same note naming it, not an error (the pre-computation
    # opens every vendor's drill-down)
    picked = unescape(_get(small, "boss", "/vendors?vendor=V2"))
    assert 'class="scorecard-grid"' not in picked
    assert "No scorecard: V2 has no contract with KPIs." in picked


def test_the_report_prints_the_grid_with_every_vendor_column(tmp_path: Path) -> None:
    """Seven vendors: more columns than a printed page holds, so the grid comes in groups of
    four beside the KPI names, and every vendor's column is in the PDF's text."""
    from cxlens.present.filters import Filters
    from cxlens.reports.html import render_html, write_pdf
    from cxlens.reports.model import build_report

    wh = store.connect(str(tmp_path / "report.duckdb"))
    _world(wh, more_vendors=5)
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    html.write_text(render_html(build_report(wh, Filters())), encoding="utf-8")
    wh.close()
    text = html.read_text(encoding="utf-8")
    assert 'id="grid-1"' in text and 'id="grid-2"' in text and 'id="grid-3"' not in text
    write_pdf(html, pdf, numbered=True)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")
    grid = [p for p in pages if "KPI" in p and "target" in p]
    assert grid, "no page of the PDF holds the scorecard grid"
    printed = "\n".join(grid)
    assert "Scorecard by vendor, March 2026" in "\n".join(pages)
    for vendor in ("V1", "V2", "W0", "W1", "W2", "W3", "W4"):
        assert re.search(rf"\b{vendor}\b", printed), vendor
    assert "7 min 00 s" in printed and "missed" in printed and "at risk" in printed
