"""Monthly statements against hand-computed examples, on DuckDB and Postgres: a capped
credit, a stretch bonus, a not-measurable KPI, and a miss that the confidence rule forgives.

The world (March 2026):
- V1: 40 handled contacts, talk 500 s each (AHT 500 s); 5 of them are billing contacts; 40
  CSAT answers, 36 fives and 4 ones (CSAT 90 %); the billing contacts have 5 answers (20 %).
- V2: 50 contacts, 30 CSAT answers, 24 fives and 6 ones (CSAT 80 %, Wilson 95 % interval
  62.7–90.5 %).
"""

from __future__ import annotations

import datetime as dt

import pytest

from cxlens.contracts import parse
from cxlens.contracts.money import earn_back, settle
from cxlens.contracts.statement import statement
from cxlens.store.base import Warehouse

MARCH = dt.date(2026, 3, 1)
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

V1 = """
vendor: V1
start: 2026-03-01
currency: EUR
pricing: {model: per_fte, seats: 10, seat_rate: 1000}
at_risk: 0.10
credit_cap: 0.02
kpis:
  - {name: csat, metric: csat, target: 85, stretch: 88, bonus: 0.01, weight: 0.5}
  - {name: aht, metric: aht, target: 420, weight: 0.3}
  - {name: csat_billing, metric: csat, where: "category = 'billing'", target: 80, weight: 0.2}
"""
V2 = """
vendor: V2
start: 2026-03-01
currency: USD
pricing: {{model: per_transaction, unit: contact, rate: 2}}
at_risk: 0.10
uncertainty: {rule}
kpis:
  - {{name: csat, metric: csat, target: 85, weight: 1}}
"""


def _world(wh: Warehouse) -> None:
    inter, resp = [], []
    for vendor, contacts, fives, ones in (("V1", 40, 36, 4), ("V2", 50, 24, 6)):
        for i in range(contacts):
            iid = f"{vendor}-{i:03d}"
            created = T0 + dt.timedelta(hours=i)
            category = "billing" if vendor == "V1" and i < 5 else "orders"
            inter.append([iid, "phone", vendor, category, created, created
                          + dt.timedelta(minutes=10), 500, True])
            if i < fives + ones:
                resp.append([f"r-{iid}", "csat", 5 if i >= ones else 1, 1, 5,
                             created + dt.timedelta(hours=1), iid])
    wh.insert_rows("interactions", ["interaction_id", "channel", "vendor", "category",
                                    "created_at", "closed_at", "talk_seconds", "resolved"],
                   inter)
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id"], resp)


def test_capped_credit_bonus_and_not_measurable(wh: Warehouse) -> None:
    _world(wh)
    s = statement(wh, [parse(V1)], "V1", MARCH)
    (m,) = s.current
    lines = {line.kpi.name: line for line in m.lines}
    assert (lines["csat"].actual.value, lines["csat"].actual.n) == (90.0, 40)
    assert (lines["aht"].actual.value, lines["aht"].actual.n) == (500.0, 40)
    # the five billing contacts were the first five: four ones and a five
    assert (lines["csat_billing"].actual.value, lines["csat_billing"].actual.n) == (20.0, 5)
    assert [lines[k].status for k in ("csat", "aht", "csat_billing")] == [
        "met", "missed", "not measurable"]
    assert lines["csat"].stretch and not lines["aht"].stretch
    st = m.settlement
    # fee 10 × 1,000; at risk 10 % = 1,000; AHT missed: 0.3 × 1,000 = 300, capped at 2 % = 200
    assert st.fee == pytest.approx(10_000)
    assert st.at_risk == pytest.approx(1_000)
    assert (st.credits_before_cap, st.credits, st.capped) == (pytest.approx(300),
                                                              pytest.approx(200), True)
    assert lines["aht"].credit == pytest.approx(200) and lines["csat_billing"].credit == 0
    assert st.bonuses == pytest.approx(100)  # CSAT 90 % ≥ stretch 88 %: 1 % of the fee
    assert st.adjusted_fee == pytest.approx(9_900)
    assert len(s.year) == 1 and [x.month for x in s.year[0]] == [MARCH]


@pytest.mark.parametrize(("rule", "status", "credit"), [("point", "missed", 10.0),
                                                        ("confidence", "met", 0.0)])
def test_uncertainty_rule(wh: Warehouse, rule: str, status: str, credit: float) -> None:
    _world(wh)
    s = statement(wh, [parse(V2.format(rule=rule))], "V2", MARCH)
    line = s.current[0].lines[0]
    assert (line.actual.value, line.actual.n) == (80.0, 30)
    # Wilson 95 % for 24 / 30, by hand: centre (p + z²/2n)/(1 + z²/n), z = 1.95996
    assert (line.actual.ci_low, line.actual.ci_high) == (pytest.approx(62.69, abs=0.01),
                                                         pytest.approx(90.49, abs=0.01))
    assert line.status == status
    # fee: 50 contacts × 2 = 100; at risk 10; CSAT weight 1
    assert s.current[0].settlement.fee == pytest.approx(100)
    assert s.current[0].settlement.credits == pytest.approx(credit)


def test_earn_back_after_three_good_months() -> None:
    contract = parse(V1.replace("credit_cap: 0.02", "earn_back_months: 3"))
    missed = settle(contract, 10_000, {"csat": "met", "aht": "missed",
                                       "csat_billing": "not measurable"}, {})
    assert missed.credits == pytest.approx(300)
    good = {"csat": "met", "aht": "met", "csat_billing": "met"}
    assert earn_back(contract, missed, [good, good, good]) == pytest.approx(300)
    assert earn_back(contract, missed, [good, {**good, "aht": "missed"}, good]) == 0
    assert earn_back(contract, missed, [good, good]) == 0  # not yet three months


def test_support_cohort_nps_is_shown_as_brand_health(wh: Warehouse) -> None:
    _world(wh)
    rows = []
    for i, score in enumerate([10, 10, 9, 8, 3]):  # 3 promoters, 1 detractor of 5: NPS 40
        cid = f"C{i}"
        wh.insert_rows("interactions", ["interaction_id", "customer_id", "vendor",
                                        "created_at"],
                       [[f"x{i}", cid, "V1", T0 + dt.timedelta(days=1)]])
        rows.append([f"n{i}", "nps", score, 0, 10, T0 + dt.timedelta(days=10), cid,
                     "relational"])
    rows.append(["n9", "nps", 0, 0, 10, T0 + dt.timedelta(days=10), "C-no-contact",
                 "relational"])
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "customer_id", "kind"],
                   rows)
    s = statement(wh, [parse(V1)], "V1", MARCH)
    assert (s.brand.value, s.brand.n) == (pytest.approx(40.0), 5)


def test_an_nps_target_is_allowed_with_a_warning(wh: Warehouse) -> None:
    _world(wh)
    text = V1 + "  - {name: nps, metric: nps, target: 30}\n"
    s = statement(wh, [parse(text)], "V1", MARCH)
    assert any("NPS depends on product" in w for w in s.warnings)


CASE_MIX = """
vendor: V
start: 2026-01-01
currency: EUR
pricing: {model: per_fte, seats: 3, seat_rate: 1000}
at_risk: 0.05
kpis:
  - {name: aht, metric: aht, target: 600, weight: 1}
"""


def test_the_statement_names_the_vendors_cherry_picker(wh: Warehouse) -> None:
    from tests.casemix.test_agents import _world

    _world(wh)  # vendor V: A takes the easy contacts of team T1 (see tests/casemix)
    s = statement(wh, [parse(CASE_MIX)], "V", MARCH)
    assert s.cherry is not None
    assert (s.cherry.start, s.cherry.last) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert {(r["agent_id"], r["metric"]) for r in s.cherry.flagged} == {("A", "aht"),
                                                                       ("A", "csat")}
    assert (s.cherry.checked, s.cherry.too_few) == (4, 0)
    body = s.as_dict()["cherry_picking"]
    aht = next(r for r in body["flagged"] if r["metric"] == "aht")
    assert (aht["raw"], aht["team_raw"]) == (200.0, 520.0)
    from cxlens.present.statement import html

    page = html(s)
    assert "Cherry-picking check" in page and "<td>A</td>" in page


QA_KPI = """
vendor: V1
start: 2026-03-01
currency: EUR
pricing: {model: per_fte, seats: 10, seat_rate: 1000}
at_risk: 0.10
kpis:
  - {name: qa, metric: qa_score, target: 60, weight: 1, min_sample: 3}
"""


def test_qa_score_kpi_uses_zendesk_scoring(wh: Warehouse) -> None:
    """Three reviews of V1's contacts: followed_sop (weight 2, critical) + right_template
    (weight 1) → pass/fail = (2·100 + 0)/3 = 66.7; pass/pass = 100; a failed critical
    criterion = 0. Quality score = mean = 55.6 < 60: missed. V2's review does not count."""
    _world(wh)
    rows = []
    for k, (iid, sop, template) in enumerate((("V1-000", 1, 0), ("V1-001", 1, 1),
                                              ("V1-002", 0, 1), ("V2-000", 0, 0))):
        for criterion, score, weight, critical in (("followed_sop", sop, 2, True),
                                                   ("right_template", template, 1, False)):
            rows.append([f"Q{k}", iid, "process_compliance", criterion, score, 0, 1, weight,
                         critical, False, "qa.x", T0 + dt.timedelta(days=3)])
    wh.insert_rows("qa_reviews", ["review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "min_score", "max_score", "weight", "critical",
                                  "not_applicable", "reviewer", "reviewed_at"], rows)
    (m,) = statement(wh, [parse(QA_KPI)], "V1", MARCH).current
    (line,) = m.lines
    assert line.actual.n == 3
    assert line.actual.value == pytest.approx((200 / 3 + 100 + 0) / 3)
    assert line.status == "missed"


def test_the_statement_csv_neutralises_formulas(wh: Warehouse) -> None:
    """A vendor named like a formula comes back from the CSV as text (OWASP CSV Injection);
    numbers stay numbers."""
    import csv
    import io

    from cxlens.present import statement as render

    hostile = '=HYPERLINK("http://x")'
    _world(wh)
    wh.execute("UPDATE interactions SET vendor = ? WHERE vendor = 'V1'", [hostile])
    spec = V1.replace("vendor: V1", "vendor: '=HYPERLINK(\"http://x\")'")
    s = statement(wh, [parse(spec)], hostile, MARCH)
    rows = list(csv.DictReader(io.StringIO(render.csv_text(s), newline="")))
    assert {r["vendor"] for r in rows} == {"'" + hostile}
    assert {r["value"] for r in rows if r["kpi"] == "csat"} == {"90.0"}
