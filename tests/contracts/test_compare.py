"""Vendors and sites side by side on the contracts' KPIs: against hand-computed figures on a
small warehouse (DuckDB and Postgres), against hand-written SQL on the demo warehouse, and
against the statements' own actuals.

The small world, March 2026 (and three answers in February):
- V1 at site S1: 10 contacts of 300 s, the first four billing; 10 CSAT answers, the first a 1,
  the rest 5s (CSAT 90 %; billing 3 of 4 = 75 %). February: 3 contacts, 3 fives.
- V1 at site S2: 10 contacts of 600 s; 10 answers, 4 ones and 6 fives (60 %).
- V2 at S3: 8 contacts of 400 s, the first two billing; 8 fives.
- V3 at S4: 5 contacts of 500 s; 5 fives. V3 has no contract.
So V1 as a whole: CSAT 15 / 20 = 75 %, AHT (10 × 300 + 10 × 600) / 20 = 450 s.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.contracts import Contract, parse
from cxlens.contracts import store as contract_store
from cxlens.contracts.compare import Segment, compare
from cxlens.contracts.measure import qa_actual
from cxlens.contracts.statement import statement
from cxlens.demo import build_demo
from cxlens.errors import NotFound
from cxlens.store.base import Warehouse

MARCH, FEB = dt.date(2026, 3, 1), dt.date(2026, 2, 1)
V1 = """
vendor: V1
start: 2026-01-01
pricing: {model: per_fte, seats: 1, seat_rate: 100}
at_risk: 0.1
min_sample: 5
kpis:
  - {name: csat, metric: csat, target: 85, weight: 0.5}
  - {name: aht, metric: aht, target: 420, weight: 0.5}
  - {name: csat_billing, metric: csat, where: "category = 'billing'", target: 80}
"""
V1_S2 = """
vendor: V1
site: S2
pricing: {model: per_fte, seats: 1, seat_rate: 100}
at_risk: 0.1
min_sample: 5
kpis:
  - {name: csat, metric: csat, target: 50, weight: 1}
"""
V2 = """
vendor: V2
pricing: {model: per_transaction, rate: 1}
at_risk: 0.1
kpis:
  - {name: csat, metric: csat, target: 85, weight: 1}
  - {name: billing_csat, metric: csat, where: "category  =  'billing' ", target: 90}
"""
SEGMENTS = (("V1", "S1", 10, 300, 1, 4), ("V1", "S2", 10, 600, 4, 0), ("V2", "S3", 8, 400, 0, 2),
            ("V3", "S4", 5, 500, 0, 0))


def _world(wh: Warehouse) -> None:
    inter, resp = [], []
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for vendor, site, contacts, talk, ones, billing in SEGMENTS:
        for i in range(contacts):
            iid = f"{site}-{i:02d}"
            created = t0 + dt.timedelta(hours=i)
            inter.append([iid, "phone", vendor, site, "billing" if i < billing else "orders",
                          created, created + dt.timedelta(minutes=10), talk, True])
            resp.append([f"r-{iid}", "csat", 1 if i < ones else 5, 1, 5,
                         created + dt.timedelta(hours=1), iid])
    for i in range(3):  # February at V1 / S1
        created = dt.datetime(2026, 2, 10, 9 + i, tzinfo=dt.UTC)
        inter.append([f"feb-{i}", "phone", "V1", "S1", "orders", created,
                      created + dt.timedelta(minutes=5), 300, True])
        resp.append([f"r-feb-{i}", "csat", 5, 1, 5, created + dt.timedelta(hours=1),
                     f"feb-{i}"])
    wh.insert_rows("interactions", ["interaction_id", "channel", "vendor", "site", "category",
                                    "created_at", "closed_at", "talk_seconds", "resolved"],
                   inter)
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id"], resp)


def _contracts() -> list[Contract]:
    return [parse(V1), parse(V1_S2), parse(V2)]


def test_vendors_side_by_side(wh: Warehouse) -> None:
    _world(wh)
    c = compare(wh, _contracts(), MARCH)
    assert c.segments == (Segment("V1"), Segment("V2"), Segment("V3"))
    # one definition per metric and where, whatever the contracts call it
    assert [d.name for d in c.definitions] == ["csat", "aht", "csat_billing/billing_csat"]
    got = {(r["vendor"], r["kpi"]): r for r in c.rows()}
    want = {  # value, n, contract, target, status, flag
        ("V1", "csat"): (75.0, 20, "V1", 85.0, "missed", None),
        ("V1", "aht"): (450.0, 20, "V1", 420.0, "missed", None),
        ("V1", "csat_billing/billing_csat"): (75.0, 4, "V1", 80.0, "not measurable",
                                               "insufficient_sample"),
        ("V2", "csat"): (100.0, 8, "V2", 85.0, "not measurable", "insufficient_sample"),
        ("V2", "aht"): (400.0, 8, None, None, None, "insufficient_sample"),
        ("V2", "csat_billing/billing_csat"): (100.0, 2, "V2", 90.0, "not measurable",
                                               "insufficient_sample"),
        ("V3", "csat"): (100.0, 5, None, None, None, "insufficient_sample"),
        ("V3", "aht"): (500.0, 5, None, None, None, "insufficient_sample"),
        ("V3", "csat_billing/billing_csat"): (None, 0, None, None, None,
                                               "insufficient_sample"),
    }
    for key, (value, n, contract, target, status, flag) in want.items():
        row = got[key]
        assert (row["value"], row["n"], row["contract"], row["target"], row["status"],
                row["flag"]) == (pytest.approx(value) if value else value, n, contract, target,
                                 status, flag), key
    assert got[("V1", "csat")]["ci_low"] < 75 < got[("V1", "csat")]["ci_high"]
    assert got[("V2", "csat")]["min_sample"] == 30 and got[("V1", "csat")]["min_sample"] == 5
    assert got[("V3", "csat")]["min_sample"] == 30  # the metric's, without a contract


def test_sites_are_judged_by_their_own_contract(wh: Warehouse) -> None:
    _world(wh)
    c = compare(wh, _contracts(), MARCH, "site")
    assert [s.label for s in c.segments] == ["V1 / S1", "V1 / S2", "V2 / S3", "V3 / S4"]
    s1, s2 = c.cell(Segment("V1", "S1"), "csat"), c.cell(Segment("V1", "S2"), "csat")
    # S1 has no contract of its own: the vendor's judges it
    assert (s1.actual.value, s1.actual.n, s1.contract, s1.status) == (90.0, 10, "V1", "met")
    assert (s2.actual.value, s2.actual.n, s2.contract, s2.target, s2.status) == (
        60.0, 10, "V1 / S2", 50.0, "met")
    assert c.cell(Segment("V1", "S2"), "aht").status is None  # S2's contract has no AHT
    assert c.cell(Segment("V1", "S1"), "aht").actual.value == pytest.approx(300.0)
    assert {r["site"] for r in c.rows()} == {"S1", "S2", "S3", "S4"}


def test_the_year_view(wh: Warehouse) -> None:
    _world(wh)
    c = compare(wh, _contracts(), MARCH)
    assert c.months[0] == dt.date(2025, 3, 1) and c.months[-1] == MARCH
    assert len(c.months) == 13 and len(c.rows(year=True)) == 13 * len(c.rows())
    feb = c.cell(Segment("V1"), "csat", FEB)
    assert (feb.actual.value, feb.actual.n, feb.status) == (100.0, 3, "not measurable")
    jan = c.cell(Segment("V1"), "csat", dt.date(2026, 1, 1))
    assert (jan.actual.value, jan.actual.n, jan.status) == (None, 0, "not measurable")
    before = c.cell(Segment("V1"), "csat", dt.date(2025, 12, 1))
    assert (before.contract, before.status) == (None, None)  # before the contract's start


def test_the_statement_and_the_comparison_agree(wh: Warehouse) -> None:
    _world(wh)
    c = compare(wh, _contracts(), MARCH)
    s = statement(wh, _contracts(), "V1", MARCH)
    vendor_wide = next(m for m in s.current if m.contract.site is None)
    names = {"csat": "csat", "aht": "aht", "csat_billing": "csat_billing/billing_csat"}
    for line in vendor_wide.lines:
        cell = c.cell(Segment("V1"), names[line.kpi.name])
        assert (cell.actual, cell.status) == (line.actual, line.status), line.kpi.name


def test_one_vendor_or_one_contract(wh: Warehouse) -> None:
    _world(wh)
    mine = compare(wh, _contracts(), MARCH, vendor="V2")
    assert mine.segments == (Segment("V2"),)
    assert [d.name for d in mine.definitions] == ["csat", "billing_csat"]  # V2's KPIs only
    one = compare(wh, _contracts(), MARCH, contract="V1 / S2")
    assert [d.name for d in one.definitions] == ["csat"]
    assert one.cell(Segment("V1"), "csat").target == 85.0  # V1 is judged by its own contract
    sites = compare(wh, _contracts(), MARCH, "site", contract="V1 / S2", vendor="V1")
    assert sites.segments == (Segment("V1", "S1"), Segment("V1", "S2"))
    assert sites.cell(Segment("V1", "S1"), "csat").contract == "V1"  # ... and so is its S1
    with pytest.raises(NotFound, match='Did you mean "V1 / S2"'):
        compare(wh, _contracts(), MARCH, contract="V1 / S3")
    with pytest.raises(NotFound) as exc:  # another vendor's contract is not even named
        compare(wh, _contracts(), MARCH, contract="V1", vendor="V2")
    assert "V1" not in exc.value.message.replace("'V1'", "")


# -- the demo warehouse --------------------------------------------------------------------------
JUNE = dt.date(2026, 6, 1)
CSAT_SQL = """
SELECT coalesce(r.{dim}, i.{dim}) AS seg, count(*) AS n,
       100.0 * sum(CASE WHEN r.score >= CASE WHEN r.scale_max - r.scale_min <= 1
                                        THEN r.scale_max ELSE r.scale_max - 1 END
                   THEN 1 ELSE 0 END) / count(*) AS csat
FROM survey_responses r LEFT JOIN interactions i ON i.interaction_id = r.interaction_id
WHERE r.survey = 'csat' AND r.responded_at >= ? AND r.responded_at < ?
GROUP BY 1
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(Path(tmp_path_factory.mktemp("compare")) / "demo.duckdb")
    with store.connect(db) as wh:
        build_demo(wh, scale=0.02, seed=3)  # saves the example contracts too
    return db


@pytest.mark.parametrize("dim", ["vendor", "site"])
def test_csat_per_vendor_and_site_equals_hand_written_sql(demo: str, dim: str) -> None:
    with store.connect(demo) as wh:
        saved = contract_store.contracts(wh)
        assert sorted(c.vendor for c in saved) == ["Acme BPO", "Northwind BPO"]
        c = compare(wh, saved, JUNE, dim)
        rows = wh.query(CSAT_SQL.format(dim=dim), [dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
                                                   dt.datetime(2026, 7, 1, tzinfo=dt.UTC)])
    by_sql = {seg: (float(csat), int(n)) for seg, n, csat in rows if seg is not None}
    got = {r[dim]: (r["value"], r["n"]) for r in c.rows() if r["kpi"] == "csat"}
    assert set(got) == set(by_sql) and len(got) == 3
    for seg, (value, n) in by_sql.items():
        assert got[seg] == (pytest.approx(value), n), seg


def test_qa_scores_are_measured_as_on_the_statement(demo: str) -> None:
    text = (Path(__file__).resolve().parents[2] / "src" / "cxlens" / "contracts" / "examples"
            / "acme.yaml").read_text(encoding="utf-8")
    acme = parse(text + "  - {name: qa, metric: qa_score, target: 80}\n")
    with store.connect(demo) as wh:
        c = compare(wh, [acme], JUNE, "site")
        direct = qa_actual(wh, acme.model_copy(update={"site": "Manila"}), JUNE,
                           dt.date(2026, 6, 30))
    cell = c.cell(Segment("Acme BPO", "Manila"), "qa")
    assert direct.n > 0 and cell.actual == direct and cell.contract == "Acme BPO"
    assert {s.vendor for s in c.segments} == {"Acme BPO", "Northwind BPO", "in-house"}


def test_compare_on_the_command_line(demo: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./contracts here: the warehouse's contracts
    monkeypatch.delenv("CXLENS_CONTRACTS", raising=False)
    runner = CliRunner()
    args = ["contracts", "compare", "--month", "2026-06", "--db", demo]
    body = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    with store.connect(demo) as wh:
        want = compare(wh, contract_store.contracts(wh), JUNE).rows()
    assert [(r["vendor"], r["kpi"], r["n"], r["status"]) for r in body] == [
        (r["vendor"], r["kpi"], r["n"], r["status"]) for r in want]
    sites = list(csv.DictReader(io.StringIO(runner.invoke(
        app, [*args, "--by", "site", "--year", "--format", "csv"]).stdout)))
    assert {r["site"] for r in sites} == {"Manila", "Bogotá", "Leeds"}
    assert len({r["month"] for r in sites}) == 13
    table = runner.invoke(app, [*args, "--contract", "Northwind BPO"])
    assert table.exit_code == 0 and "first_response_p90" in table.stdout
    assert "transfer_p90" not in table.stdout  # an Acme KPI
