"""Names with quotes are values, never SQL (issue 16): the literal helper on both engines, and
a small world whose vendor is ``O'Neill BPO`` (site ``D'Arcy``, agent ``o'brien``, brand
``O'Neill``) taken from import through metrics, a contract statement, an alert rule's scope,
an initiative's scope, sentiment and the dashboard's filter, each figure counted by hand.

The world (every contact by phone):
- February: f1 O'Neill BPO, talk 1,200 s; f2 Acme BPO, 100 s.
- March: o1, o2, o3 O'Neill BPO (site D'Arcy), talk 300, 600, 900 s (AHT 600 s); CSAT 5, 5, 1
  (2 of 3 satisfied: 66.7 %); a1, a2 Acme BPO, 100 and 200 s (AHT 150 s); CSAT 5 on a1.
- Mentions in March: two of brand O'Neill, one of Other (share of voice 2 of 3: 66.7 %).
- Initiative i1 from 2026-03-01, scope ``vendor = 'O''Neill BPO'``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from cxlens import accounts
from cxlens.accounts import users
from cxlens.alerts import config as alert_config
from cxlens.alerts import store as alert_store
from cxlens.alerts.run import check
from cxlens.contracts import parse
from cxlens.contracts.statement import statement
from cxlens.ingest.pipeline import import_files
from cxlens.insights.impact import impact
from cxlens.metrics.query import query
from cxlens.sqltext import equals, literal
from cxlens.store.base import Warehouse
from cxlens.text import source
from cxlens.text.brands import neutral_texts
from cxlens.web.app import create_app
from tests.web.conftest import csrf_of
from tests.web.server import PASSWORD, running

FILES = {
    "interactions": """interaction_id,channel,created_at,closed_at,talk_seconds,vendor,site,agent_id
f1,phone,2026-02-10 09:00,2026-02-10 09:30,1200,O'Neill BPO,D'Arcy,o'brien
f2,phone,2026-02-10 10:00,2026-02-10 10:30,100,Acme BPO,Leeds,smith
o1,phone,2026-03-02 09:00,2026-03-02 09:30,300,O'Neill BPO,D'Arcy,o'brien
o2,phone,2026-03-03 09:00,2026-03-03 09:30,600,O'Neill BPO,D'Arcy,o'brien
o3,phone,2026-03-04 09:00,2026-03-04 09:30,900,O'Neill BPO,D'Arcy,o'brien
a1,phone,2026-03-02 09:00,2026-03-02 09:30,100,Acme BPO,Leeds,smith
a2,phone,2026-03-05 09:00,2026-03-05 09:30,200,Acme BPO,Leeds,smith
""",
    "survey_responses": """response_id,survey,score,scale_min,scale_max,responded_at,interaction_id
r1,csat,5,1,5,2026-03-02 12:00,o1
r2,csat,5,1,5,2026-03-03 12:00,o2
r3,csat,1,1,5,2026-03-04 12:00,o3
r4,csat,5,1,5,2026-03-02 12:00,a1
""",
    "mentions": """mention_id,brand,posted_at,text
m1,O'Neill,2026-03-02 09:00,@ONeill thanks a lot
m2,O'Neill,2026-03-03 09:00,O'Neill's agent fixed it
m3,Other,2026-03-04 09:00,@Other lost my order
""",
    "initiatives": """initiative_id,name,started_at,scope
i1,O'Neill coaching,2026-03-01,vendor = 'O''Neill BPO'
""",
}
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
CONTRACT = """
vendor: "O'Neill BPO"
site: "D'Arcy"
start: 2026-03-01
currency: EUR
pricing: {model: per_transaction, unit: contact, rate: 2}
at_risk: 0.10
kpis:
  - {name: aht, metric: aht, target: 700, weight: 1}
"""
RULES = """
rules:
  - name: slow-oneill
    metric: aht
    by: [site]
    where: "vendor = 'O''Neill BPO'"
    check: threshold
    above: 500
    min_sample: 1
"""


@pytest.fixture
def world(duck: Warehouse, tmp_path: Path) -> Warehouse:
    for table, text in FILES.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        got = import_files(duck, table, [path])
        assert (got.loaded, got.rejected) == (len(text.splitlines()) - 1, 0), got.problems
    return duck


@pytest.mark.parametrize("name", ["O'Neill", "''", "x' OR '1'='1", 'say "hi"', "back\\slash",
                                  "Zoë’s"])
def test_a_literal_reads_back_as_the_value(wh: Warehouse, name: str) -> None:
    assert wh.scalar(f"SELECT {literal(name)}") == name


def test_equals_writes_one_condition_per_column() -> None:
    assert equals({"vendor": "O'Neill BPO", "site": "D'Arcy"}) == (
        "vendor = 'O''Neill BPO' AND site = 'D''Arcy'")
    assert equals({}) == ""


def test_a_brand_with_a_quote_is_a_parameter_value(world: Warehouse) -> None:
    """share_of_voice's ``brand = {our_brand}`` with O'Neill: 2 of 3 mentions (the parameter
    was written as Python's repr, "O'Neill", which SQL reads as a column name)."""
    got = query(["share_of_voice"], params={"our_brand": "O'Neill"}, db=world, **MARCH)
    assert (round(float(got["value"][0]), 2), int(got["n"][0])) == (66.67, 3)


def test_metrics_by_and_for_names_with_quotes(world: Warehouse) -> None:
    got = query(["contact_volume", "aht", "csat"], by=["vendor"], db=world, **MARCH)
    mine = {r.metric: (round(float(r.value), 2), int(r.n))
            for r in got[got["vendor"] == "O'Neill BPO"].itertuples()}
    assert mine == {"contact_volume": (3.0, 3), "aht": (600.0, 3), "csat": (66.67, 3)}
    only = query(["contact_volume"], db=world,
                 where=equals({"site": "D'Arcy", "agent_id": "o'brien"}), **MARCH)
    assert float(only["value"][0]) == 3.0


def test_contract_statement_of_a_vendor_with_a_quote(world: Warehouse) -> None:
    s = statement(world, [parse(CONTRACT)], "O'Neill BPO", dt.date(2026, 3, 1))
    (line,) = s.current[0].lines
    assert (line.actual.value, line.actual.n) == (600.0, 3)
    assert line.status == "not measurable"  # 3 contacts: below the KPI's minimum sample
    assert s.current[0].settlement.fee == pytest.approx(6)  # 3 contacts × 2


def test_alert_scope_and_vendor_view_with_quotes(world: Warehouse) -> None:
    alert_config.save(world, RULES)
    run = check(world, dt.date(2026, 4, 1), deliver=False)
    assert [(j.segment, j.value, j.breached) for j in run.judgements] == [
        ("site=D'Arcy", 600.0, True)]
    assert list(alert_store.listing(world)["segment"]) == ["site=D'Arcy"]


def test_initiative_scope_with_a_quote(world: Warehouse) -> None:
    row = impact(world, "i1", metrics=["aht"], before_months=1, after=1).iloc[0]
    # in scope: February 1,200 s (f1) → March 600 s; outside: 100 s (f2) → 150 s
    assert (row["before"], row["before_n"], row["after"], row["after_n"]) == (1200, 1, 600, 3)
    assert (row["control_before"], row["control_after"]) == (100, 150)
    assert row["did"] == pytest.approx(-650)


def test_a_brand_with_a_quote_is_neutral_before_scoring(world: Warehouse) -> None:
    texts = list(source.mentions(world, dt.date(2026, 3, 1), dt.date(2026, 4, 1))["text"])
    assert neutral_texts(texts, source.brands(world)) == [
        "brand thanks a lot", "brand's agent fixed it", "brand lost my order"]


def test_dashboard_filter_and_setting_with_quotes(world: Warehouse) -> None:
    accounts.ensure(world)
    users.add(world, "ann", PASSWORD, "analyst", None)
    world.execute("INSERT INTO cxlens_meta VALUES ('param.our_brand', ?)", ["O'Neill"])
    with running(create_app(world)) as url, closing(httpx.Client(base_url=url,
                                                                  timeout=60)) as client:
        form = client.get("/login")
        assert client.post("/login", data={"username": "ann", "password": PASSWORD,
                                           "csrf_token": csrf_of(form.text)}).status_code == 303
        got = client.get("/api/query?metrics=contact_volume,aht&from=2026-03-01&to=2026-03-31"
                         "&vendor=O'Neill%20BPO")
        assert got.status_code == 200, got.text
        rows = {r["metric"]: (r["value"], r["n"]) for r in got.json()["rows"]}
        assert rows == {"contact_volume": (3.0, 3), "aht": (600.0, 3)}
        sov = client.get("/api/query?metrics=share_of_voice&from=2026-03-01&to=2026-03-31")
        assert sov.status_code == 200, sov.text
        (row,) = sov.json()["rows"]
        assert (round(row["value"], 2), row["n"]) == (66.67, 3)
        page = client.get("/vendors?vendor=O'Neill%20BPO&from=2026-03-01&to=2026-03-31")
        assert page.status_code == 200 and "O&#39;Neill BPO" in page.text
