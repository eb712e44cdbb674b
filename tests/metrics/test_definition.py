"""One definition per concept (issue 15): the metric layer hands out a metric's pieces, and every
feature that needs relational NPS gets the same figure from them, on DuckDB and Postgres.

The world (March 2026, hand-made): eight customers C1–C8, each with one contact handled by
vendor V1 on 5 March; NPS answers on 20 March:

- relational, no interaction id: C1 10, C2 9, C3 3;
- relational *with* an interaction id (a brand survey sent after a ticket): C4 10, C5 2;
- transactional *without* an interaction id (an export that lost it): C6 0, C7 1, C8 10;
- transactional on C1's contact: 0.

Relational NPS (``kind = 'relational'``, the catalogue's definition): 5 answers, 3 promoters
(10, 9, 10), 2 detractors (3, 2) → +20. The old "no interaction id" spelling of cohorts and
vendor statements counted 10, 9, 3, 0, 1, 10 → 3 promoters, 3 detractors of 6 → 0.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from cxlens.accounts.users import User
from cxlens.contracts.statement import support_cohort_nps
from cxlens.errors import ConfigError
from cxlens.insights.cohorts import COHORTS, counts
from cxlens.metrics.definition import definition
from cxlens.metrics.query import query
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.reports.model import trend
from cxlens.store.base import Warehouse

MARCH = dt.date(2026, 3, 1)
CONTACT = dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC)
ANSWER = dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC)
ORACLE = """
SELECT count(*), sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END),
       sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END)
FROM survey_responses
WHERE survey = 'nps' AND kind = 'relational'
  AND responded_at >= TIMESTAMPTZ '2026-03-01 00:00:00+00'
  AND responded_at < TIMESTAMPTZ '2026-04-01 00:00:00+00'
"""


def _nps_world(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "vendor", "channel",
                                    "created_at", "resolved", "reopen_count"],
                   [[f"I{c}", f"C{c}", "V1", "email", CONTACT, True, 0] for c in range(1, 9)])
    answers = [("C1", 10, None, "relational"), ("C2", 9, None, "relational"),
               ("C3", 3, None, "relational"), ("C4", 10, "I4", "relational"),
               ("C5", 2, "I5", "relational"), ("C6", 0, None, "transactional"),
               ("C7", 1, None, "transactional"), ("C8", 10, None, "transactional"),
               ("C1", 0, "I1", "transactional")]
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "customer_id",
                                        "interaction_id", "kind"],
                   [[f"R{i}", "nps", score, 0, 10, ANSWER, cust, iid, kind]
                    for i, (cust, score, iid, kind) in enumerate(answers)])


def _ctx(wh: Warehouse) -> PageCtx:
    return PageCtx(wh, User("report", "analyst"), Filters(start="2026-03-01", end="2026-03-31"))


def test_every_feature_gives_the_catalogues_relational_nps(wh: Warehouse) -> None:
    _nps_world(wh)
    n, promoters, detractors = (int(x) for x in wh.query(ORACLE)[0])
    assert (n, promoters, detractors) == (5, 3, 2)
    expected = 100 * (promoters - detractors) / n  # +20

    catalogue = query("nps:relational", start="2026-03-01", end="2026-03-31", db=wh).iloc[0]
    assert (catalogue["value"], catalogue["n"]) == (pytest.approx(expected), n)

    t = counts(wh, MARCH, dt.date(2026, 4, 1)).set_index("cohort").loc[list(COHORTS)]
    assert int(t["n"].sum()) == n
    cohort_nps = 100 * (t["promoters"].sum() - t["detractors"].sum()) / t["n"].sum()
    assert cohort_nps == pytest.approx(expected)

    brand = support_cohort_nps(wh, "V1", MARCH)  # the vendor statement's brand health
    assert (brand.value, brand.n) == (pytest.approx(expected), n)

    report = trend(_ctx(wh), ["nps:relational"])
    assert len(report) == 1
    assert (report["value"].iloc[0], report["n"].iloc[0]) == (pytest.approx(expected), n)


def test_the_definitions_pieces(wh: Warehouse) -> None:
    _nps_world(wh)
    d = definition("nps:relational", wh)
    assert d.population == ("survey = 'nps'", "kind = 'relational'")
    assert d.time == "responded_at"
    rel = d.relation(wh, dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                     dt.datetime(2026, 4, 1, tzinfo=dt.UTC), where="customer_id <> 'C5'",
                     columns=["vendor"])
    got = rel.select("response_id", "vendor", pos=d.positive(rel), neg=d.negative(rel)
                     ).to_pandas().set_index("response_id").sort_index()
    assert list(got.index) == ["R0", "R1", "R2", "R3"]  # C5 filtered out by where
    assert list(got["pos"]) == [True, True, False, True]
    assert list(got["neg"]) == [False, False, True, False]
    assert got.loc["R3", "vendor"] == "V1"  # joined from its interaction
    # rows() keeps the rows outside the population; the time range still applies
    every = d.rows(wh, end=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    assert every.count().to_pandas() == 0
    assert d.rows(wh).count().to_pandas() == 9
    with pytest.raises(ConfigError, match="no condition"):
        d.condition(rel)


def _fcr_world(wh: Warehouse) -> None:
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    wh.insert_rows("interactions", [
        "interaction_id", "customer_id", "created_at", "resolved", "reopen_count",
        "abandoned_at"], [
        ["a", "c1", t0, True, 0, None],     # resolved, never reopened: FCR
        ["b", "c1", t0, True, 2, None],     # reopened: not FCR
        ["c", "c2", t0, False, 0, None],    # unresolved: not FCR
        ["d", None, t0, True, None, None],  # a call (no reopen count), resolved: FCR
        ["e", "c3", t0, None, 0, None],     # outcome not recorded: out
        ["f", "c4", t0, False, 0, t0],      # abandoned: out
    ])


def test_operational_fcr_by_hand(wh: Warehouse) -> None:
    _fcr_world(wh)
    got = query("fcr:operational", db=wh).iloc[0]
    # population a–d (4); resolved first time: a, d → 50 %
    assert (got["value"], got["n"]) == (pytest.approx(50.0), 4)
    d = definition("fcr:operational", wh)
    rows = d.rows(wh)
    flags = rows.select("interaction_id", fcr=d.outcome(rows)).to_pandas()
    by_id = dict(zip(flags["interaction_id"], flags["fcr"], strict=True))
    assert {k: by_id[k] for k in "abcd"} == {"a": 1.0, "b": 0.0, "c": 0.0, "d": 1.0}
    assert all(math.isnan(by_id[k]) for k in "ef")


def _se_world(wh: Warehouse) -> None:
    t0 = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    inter = [[f"I{k}", t0 + dt.timedelta(hours=k), t0 + dt.timedelta(hours=k, seconds=100 * k)]
             for k in range(1, 11)]  # first responses after 100, 200, …, 1000 s
    wh.insert_rows("interactions", ["interaction_id", "created_at", "first_response_at"], inter)
    resp = [[f"E{k}", "ces", s, 1, 7, t0 + dt.timedelta(days=1, hours=k), f"I{k}"]
            for k, s in enumerate([2, 4, 6, 7, 6], start=1)]
    resp += [[f"S{k}", "csat", 5, 1, 5, t0 + dt.timedelta(days=1, hours=k), f"I{k}"]
             for k in range(1, 11)]
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id"], resp)


def test_the_reports_standard_errors_are_the_metric_layers(duck: Warehouse) -> None:
    """Hand-worked. CES (t interval): 2, 4, 6, 7, 6 → mean 5, SD 2, SE 2/√5 = 0.8944 (the old
    interval-width rebuild gave t₄·SE/1.96 = 1.267). Median first response of 100…1000 s:
    order-statistic ranks 2 and 9 (200 s and 900 s) span 7 ranks, SE = 700/7·√(10·¼) = 158.1 s
    (width/(2·1.96) gave 178.6). CSAT 10 of 10 in the top box: p(1 − p)/n = 0, SE 0 points
    (the Wilson interval 72.2–100 %, clipped at 100, gave 7.09)."""
    _se_world(duck)
    t = trend(_ctx(duck), ["ces", "first_response_time", "csat"]).set_index("metric")
    expected = {"ces": 2 / math.sqrt(5), "first_response_time": 100 * math.sqrt(2.5),
                "csat": 0.0}
    for name, se in expected.items():
        row = t.loc[name]
        assert row["se"] == pytest.approx(se, abs=1e-9), name
        assert row["var"] == pytest.approx(se**2, abs=1e-9), name
        width = (row["ci_high"] - row["ci_low"]) / (2 * 1.959964)
        assert abs(width - se) > 0.05 * max(se, 1), name  # what the report used to show
    assert t.loc["ces", "value"] == pytest.approx(5.0)
    assert t.loc["first_response_time", "value"] == pytest.approx(550.0)
    assert t.loc["csat", "value"] == pytest.approx(100.0)
