"""Survey metrics (survey.yaml) against hand-written SQL on the demo warehouse and against
hand-worked tables for what the demo lacks (other CSAT scales, transactional NPS, delivered,
failed and suppressed invitations); on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cxlens.metrics.query import query
from cxlens.metrics.result import MixedFigure
from cxlens.store.base import Warehouse
from tests.metrics.oracles import (
    MONTH,
    against,
    alone_and_with,
    assert_count,
    assert_mean,
    assert_share,
    assert_share_difference,
    close,
    merged,
    needs,
    oracle_for,
)

RESPONDED = MONTH.format(col="r.responded_at")
#: Survey responses with the handling interaction's vendor (a snapshot on the response wins).
WITH_VENDOR = ("survey_responses r "
               "LEFT JOIN interactions i ON i.interaction_id = r.interaction_id")
MAY = dt.datetime(2024, 5, 6, 12, tzinfo=dt.UTC)


def add_responses(wh: Warehouse, rows: list[tuple[str, int, int, int, str]]) -> None:
    """(survey, score, scale_min, scale_max, kind) rows, answered on 6 May 2024 onwards."""
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "kind", "responded_at"],
                   [[f"r{i}", *row, MAY + dt.timedelta(hours=i)] for i, row in enumerate(rows)])


def figures(wh: Warehouse, metric: str, by: list[str] | None = None) -> pd.DataFrame:
    return query(metric, by=by or [], db=wh)


#: Survey metrics asked together with the one under test (one shared scan of responses).
company = alone_and_with("csat", "csat:mean", "csat:top3", "fcr", "nps:promoters",
                         "ces", "ces:agree", "ces:net_effort")


# -- CSAT on every scale: a hand-worked table ----------------------------------------------

#: scale → scores. Top-2 box: ≥ 9 on 1–10, ≥ 4 on 1–5, ≥ 6 on 1–7, the top box (1) on 0–1.
#: Top-3 box: ≥ scale_max − 2 (so every answer on the binary scale).
SCALES: dict[tuple[int, int], list[int]] = {
    (1, 10): [10, 9, 8, 7, 3],  # top-2 2/5, top-3 3/5; normalised 9,8,7,6,2 × 100/9
    (1, 5): [5, 4, 3, 2],       # top-2 2/4, top-3 3/4; normalised 100, 75, 50, 25
    (0, 1): [1, 1, 0],          # top box 2/3, top-3 3/3; normalised 100, 100, 0
    (1, 7): [7, 6, 5, 1],       # top-2 2/4, top-3 3/4; normalised 6,5,4,0 × 100/6
}
TOP1 = {10: (1, 5), 5: (1, 4), 1: (2, 3), 7: (1, 4)}  # the top box only: score = scale_max
TOP2 = {10: (2, 5), 5: (2, 4), 1: (2, 3), 7: (2, 4)}
TOP3 = {10: (3, 5), 5: (3, 4), 1: (3, 3), 7: (3, 4)}
#: Bottom-2 box: ≤ 2 on 1–10 (none), 1–5 (the 2) and 1–7 (the 1); the bottom box (0) on 0–1.
BOTTOM2 = {10: (0, 5), 5: (1, 4), 1: (1, 3), 7: (1, 4)}


@pytest.fixture
def scales(wh: Warehouse) -> Warehouse:
    add_responses(wh, [("csat", s, lo, hi, "transactional")
                       for (lo, hi), scores in SCALES.items() for s in scores])
    return wh


@oracle_for("csat", "csat:top3", "csat:top_box", "csat:dissatisfied")
@pytest.mark.parametrize(("metric", "want"), [("csat", TOP2), ("csat:top3", TOP3),
                                              ("csat:top_box", TOP1),
                                              ("csat:dissatisfied", BOTTOM2)])
def test_csat_boxes_on_every_scale(scales: Warehouse, metric: str,
                                   want: dict[int, tuple[int, int]]) -> None:
    needs(metric)
    got = figures(scales, metric, ["scale_max"])
    hand = pd.DataFrame([{"scale_max": hi, "k": k, "n_sql": n} for hi, (k, n) in want.items()])
    assert_share(against(got, hand, ["scale_max"], min_rows=4))
    with pytest.raises(MixedFigure):  # scales are never mixed in one figure
        figures(scales, metric)


@oracle_for("csat:normalised_mean")
def test_csat_normalised_mean_combines_scales(scales: Warehouse) -> None:
    # (score − min)/(max − min) × 100: sums 3200/9, 250, 200, 1500/6 over 5 + 4 + 3 + 4 answers
    values = [100 * (s - lo) / (hi - lo) for (lo, hi), ss in SCALES.items() for s in ss]
    assert sum(values) == pytest.approx(3200 / 9 + 250 + 200 + 250)
    row = figures(scales, "csat:normalised_mean").iloc[0]
    mean, sd, n = np.mean(values), np.std(values, ddof=1), len(values)
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    assert row["n"] == 16 and row["value"] == pytest.approx((3200 / 9 + 700) / 16)
    close([row["ci_low"], row["ci_high"]], [mean - half, mean + half], 1e-9)


@oracle_for("csat:mean")
def test_csat_mean_by_vendor_month(demo: Warehouse, company: tuple[str, ...]) -> None:
    assert_mean(merged(demo, "csat:mean", ["vendor"], f"""
        SELECT coalesce(r.vendor, i.vendor) AS vendor, {RESPONDED} AS period,
               count(*) AS n_sql, avg(r.score) AS mean, stddev_samp(r.score) AS sd
        FROM {WITH_VENDOR} WHERE r.survey = 'csat' GROUP BY 1, 2""",
        company=company))


@oracle_for("csat:top3", "csat:normalised_mean")
def test_csat_top3_and_normalised_mean_by_vendor_month(demo: Warehouse,
                                                       company: tuple[str, ...]) -> None:
    assert_share(merged(demo, "csat:top3", ["vendor"], f"""
        SELECT coalesce(r.vendor, i.vendor) AS vendor, {RESPONDED} AS period,
               count(*) AS n_sql, sum(CASE WHEN r.score >= 3 THEN 1 ELSE 0 END) AS k
        FROM {WITH_VENDOR} WHERE r.survey = 'csat' AND r.scale_max = 5 GROUP BY 1, 2""",
        company=company))
    # the demo's CSAT is on 1–5: (score − 1) × 25
    assert_mean(merged(demo, "csat:normalised_mean", ["vendor"], f"""
        SELECT coalesce(r.vendor, i.vendor) AS vendor, {RESPONDED} AS period,
               count(*) AS n_sql, avg((r.score - 1) * 25.0) AS mean,
               stddev_samp((r.score - 1) * 25.0) AS sd
        FROM {WITH_VENDOR} WHERE r.survey = 'csat' GROUP BY 1, 2""",
        company=company))


@oracle_for("csat")
def test_a_vendor_snapshot_on_the_response_wins(wh: Warehouse) -> None:
    # r1 is about a contact now with Acme but was handled by Beta when surveyed (snapshot):
    # Beta has r1 (5) and r2 (1) → 1 of 2; Acme has r3 (4) → 1 of 1
    wh.insert_rows("interactions", ["interaction_id", "channel", "vendor", "created_at"],
                   [["i1", "email", "Acme", MAY], ["i2", "email", "Beta", MAY]])
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id",
                                        "vendor"],
                   [["r1", "csat", 5, 1, 5, MAY, "i1", "Beta"],
                    ["r2", "csat", 1, 1, 5, MAY, "i2", None],
                    ["r3", "csat", 4, 1, 5, MAY, "i1", None]])
    hand = pd.DataFrame({"vendor": ["Acme", "Beta"], "n_sql": [1, 2], "k": [1, 1]})
    assert_share(against(figures(wh, "csat", ["vendor"]), hand, ["vendor"], min_rows=2))


# -- NPS ------------------------------------------------------------------------------------


@oracle_for("nps:promoters", "nps:passives", "nps:detractors")
@pytest.mark.parametrize(("metric", "band"), [("nps:promoters", "r.score >= 9"),
                                              ("nps:passives", "r.score IN (7, 8)"),
                                              ("nps:detractors", "r.score <= 6")])
def test_nps_bands_by_month(demo: Warehouse, company: tuple[str, ...], metric: str,
                            band: str) -> None:
    assert_share(merged(demo, metric, [], f"""
        SELECT {RESPONDED} AS period, count(*) AS n_sql,
               sum(CASE WHEN {band} THEN 1 ELSE 0 END) AS k
        FROM survey_responses r WHERE r.survey = 'nps' GROUP BY 1""",
        company=company))


@oracle_for("nps", "nps:relational", "nps:transactional")
def test_transactional_and_relational_nps_by_hand(wh: Warehouse) -> None:
    # transactional: 10 10 9 9 8 7 6 0 → 4 promoters, 2 detractors of 8: +25 points;
    # relational: 0 0 0 10 → 1 − 3 of 4: −50 points. Mixed, they would be refused.
    add_responses(wh, [("nps", s, 0, 10, "transactional") for s in (10, 10, 9, 9, 8, 7, 6, 0)]
                  + [("nps", s, 0, 10, "relational") for s in (0, 0, 0, 10)])
    hand = pd.DataFrame({"n_sql": [8, 4], "p": [4, 1], "d": [2, 3]})
    got = pd.concat([figures(wh, "nps:transactional"), figures(wh, "nps:relational")],
                    ignore_index=True)
    m = pd.concat([got, hand], axis=1)
    assert_share_difference(m)
    assert m["value"].tolist() == [25.0, -50.0]
    # adjusted Wald below 100 answers, by hand: n′ = 11, P′ = 4.75, D′ = 2.75, centre 2/11,
    # variance (4.75 + 2.75)/11 − (2/11)², so 100·(2/11 ± 1.96·√(0.64876/11))
    assert m["ci_low"][0] == pytest.approx(100 * (2 / 11 - 1.959964 * np.sqrt(
        (7.5 / 11 - (2 / 11) ** 2) / 11)), abs=1e-4)
    with pytest.raises(MixedFigure):
        figures(wh, "nps")
    by_kind = figures(wh, "nps", ["kind"]).set_index("kind")["value"]
    assert by_kind.to_dict() == {"relational": -50.0, "transactional": 25.0}


# -- CES ------------------------------------------------------------------------------------


@oracle_for("ces:agree", "ces:net_effort")
def test_ces_agree_and_net_effort_by_vendor_month(demo: Warehouse,
                                                  company: tuple[str, ...]) -> None:
    """On the demo's 1–7 scale: agree = 5–7; net effort = (6–7) − (1–2)."""
    assert_share(merged(demo, "ces:agree", ["vendor"], f"""
        SELECT coalesce(r.vendor, i.vendor) AS vendor, {RESPONDED} AS period,
               count(*) AS n_sql, sum(CASE WHEN r.score >= 5 THEN 1 ELSE 0 END) AS k
        FROM {WITH_VENDOR} WHERE r.survey = 'ces' GROUP BY 1, 2""",
        company=company))
    assert_share_difference(merged(demo, "ces:net_effort", ["vendor"], f"""
        SELECT coalesce(r.vendor, i.vendor) AS vendor, {RESPONDED} AS period,
               count(*) AS n_sql, sum(CASE WHEN r.score >= 6 THEN 1 ELSE 0 END) AS p,
               sum(CASE WHEN r.score <= 2 THEN 1 ELSE 0 END) AS d
        FROM {WITH_VENDOR} WHERE r.survey = 'ces' GROUP BY 1, 2""",
        company=company))


@oracle_for("ces:agree", "ces:net_effort")
def test_ces_on_a_five_point_scale_by_hand(wh: Warehouse) -> None:
    # 1–5: agree is 4–5 → 5 4 4 of 5 4 4 3 2 1 = 3/6; net effort (4–5) − (1–2) = (3 − 2)/6
    # 1–7: agree is 5–7 → 7 5 of 7 5 4 1 = 2/4; net effort (6–7) − (1–2) = (1 − 1)/4
    add_responses(wh, [("ces", s, 1, 5, "transactional") for s in (5, 4, 4, 3, 2, 1)]
                  + [("ces", s, 1, 7, "transactional") for s in (7, 5, 4, 1)])
    agree = figures(wh, "ces:agree", ["scale_max"])
    assert_share(against(agree, pd.DataFrame({"scale_max": [5, 7], "n_sql": [6, 4],
                                              "k": [3, 2]}), ["scale_max"], min_rows=2))
    net = figures(wh, "ces:net_effort", ["scale_max"])
    m = against(net, pd.DataFrame({"scale_max": [5, 7], "n_sql": [6, 4], "p": [3, 1],
                                   "d": [2, 1]}), ["scale_max"], min_rows=2)
    assert_share_difference(m)
    assert sorted(m["value"]) == pytest.approx([0.0, 100 / 6])


# -- invitations ----------------------------------------------------------------------------

#: (status, suppressed_by, answered): two sent, two delivered, one unset status (a sent one),
#: one bounced, one failed, three suppressed.
INVITATIONS = [
    ("sent", None, True), ("sent", None, False), ("delivered", None, True),
    ("delivered", None, False), (None, None, True), ("bounced", None, False),
    ("failed", None, False), ("suppressed", "opted_out", False),
    ("suppressed", "global_gap", False), ("suppressed", "global_gap", False),
]


@pytest.fixture
def invitations(wh: Warehouse) -> Warehouse:
    rows = []
    for i, (status, by, answered) in enumerate(INVITATIONS):
        sent = MAY + dt.timedelta(hours=i)
        # one answer is known by its response id only, the others by when they were answered
        response = f"r{i}" if answered else None
        responded = sent + dt.timedelta(hours=1) if answered and status is not None else None
        rows.append([f"v{i}", "csat", sent, status, by, responded, response])
    wh.insert_rows("survey_invitations", ["invitation_id", "survey", "sent_at", "status",
                                          "suppressed_by", "responded_at", "response_id"], rows)
    return wh


@oracle_for("response_rate", "response_rate:sent")
def test_response_rates_by_hand(invitations: Warehouse) -> None:
    # of sent, delivered and unset: 5 invitations, 3 answered (one by its response id only);
    # of everything but the suppressed: 7, 3 answered
    for metric, k, n in (("response_rate", 3, 5), ("response_rate:sent", 3, 7)):
        row = figures(invitations, metric).iloc[0]
        low, high = proportion_confint(k, n, method="wilson")
        assert (row["n"], row["value"]) == (n, pytest.approx(100 * k / n)), metric
        close([row["ci_low"], row["ci_high"]], [100 * low, 100 * high], 1e-9)


@oracle_for("response_rate:sent")
def test_response_rate_of_all_sent_by_survey_month(demo: Warehouse) -> None:
    """Bounced invitations count in the denominator; answered = a response exists."""
    assert_share(merged(demo, "response_rate:sent", ["survey"], f"""
        SELECT v.survey, {MONTH.format(col='v.sent_at')} AS period, count(*) AS n_sql,
               count(r.response_id) AS k
        FROM survey_invitations v
        LEFT JOIN survey_responses r ON r.response_id = v.response_id
        WHERE v.status IS NULL OR v.status <> 'suppressed' GROUP BY 1, 2"""))


@oracle_for("invitations_suppressed")
def test_suppressed_invitations_by_rule(invitations: Warehouse) -> None:
    got = figures(invitations, "invitations_suppressed", ["suppressed_by"])
    m = against(got, pd.DataFrame({"suppressed_by": ["global_gap", "opted_out"],
                                   "n_sql": [2, 1]}), ["suppressed_by"], min_rows=2)
    assert_count(m)
    total = figures(invitations, "invitations_suppressed").iloc[0]
    assert (total["value"], total["n"]) == (3, 3)
