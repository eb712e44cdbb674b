"""Core metrics against hand-written SQL (the oracle), on DuckDB and Postgres.

The SQL below is written independently of the metric specs and of ibis; intervals are checked
against statsmodels / scipy from the oracle's own counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cxlens.metrics.query import query
from cxlens.store.base import Warehouse
from tests.metrics.oracles import MONTH, SECS, merged, oracle_for


@oracle_for("csat")
def test_csat_by_vendor_month(demo: Warehouse) -> None:
    m = merged(demo, "csat", ["vendor"], f"""
        SELECT i.vendor, {MONTH.format(col='r.responded_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END) AS k
        FROM survey_responses r LEFT JOIN interactions i ON i.interaction_id = r.interaction_id
        WHERE r.survey = 'csat' GROUP BY 1, 2""")
    assert (m["n"] == m["n_sql"]).all()
    assert np.allclose(m["value"], 100 * m["k"] / m["n_sql"])
    low, high = proportion_confint(m["k"], m["n_sql"], method="wilson")
    assert np.allclose(m["ci_low"], 100 * low) and np.allclose(m["ci_high"], 100 * high)


@oracle_for("nps:relational")
def test_relational_nps_by_month(demo: Warehouse) -> None:
    m = merged(demo, "nps:relational", [], f"""
        SELECT {MONTH.format(col='responded_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END) AS p,
               sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END) AS d
        FROM survey_responses WHERE survey = 'nps' AND kind = 'relational' GROUP BY 1""")
    n, p, d = m["n_sql"].astype(float), m["p"] / m["n_sql"], m["d"] / m["n_sql"]
    assert (m["n"] == m["n_sql"]).all()
    assert np.allclose(m["value"], 100 * (p - d))
    se = np.sqrt((p + d - (p - d) ** 2) / n)
    big = n >= 100  # Wald above 100 responses
    assert np.allclose(m["ci_low"][big], 100 * (p - d - 1.959964 * se)[big], atol=1e-3)


@oracle_for("ces")
def test_ces_mean_and_t_interval(demo: Warehouse) -> None:
    m = merged(demo, "ces", ["vendor"], f"""
        SELECT i.vendor, {MONTH.format(col='r.responded_at')} AS period, count(*) AS n_sql,
               avg(r.score) AS mean, stddev_samp(r.score) AS sd
        FROM survey_responses r LEFT JOIN interactions i ON i.interaction_id = r.interaction_id
        WHERE r.survey = 'ces' GROUP BY 1, 2""")
    assert np.allclose(m["value"], m["mean"])
    half = stats.t.ppf(0.975, m["n_sql"] - 1) * m["sd"] / np.sqrt(m["n_sql"])
    assert np.allclose(m["ci_high"], m["mean"] + half)


@oracle_for("aht")
def test_aht_by_vendor_month(demo: Warehouse) -> None:
    m = merged(demo, "aht", ["vendor"], f"""
        SELECT vendor, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql,
               avg(talk_seconds + coalesce(hold_seconds, 0) + coalesce(wrap_seconds, 0)) AS v
        FROM interactions WHERE talk_seconds IS NOT NULL GROUP BY 1, 2""")
    assert (m["n"] == m["n_sql"]).all() and np.allclose(m["value"], m["v"])


@oracle_for("service_level", "abandonment_rate")
def test_service_level_and_abandonment(demo: Warehouse) -> None:
    offered = ("direction = 'inbound' AND channel IN ('phone', 'chat') AND "
               "(answered_at IS NOT NULL OR abandoned_at IS NOT NULL)")
    wait = SECS.format(a="created_at", b="answered_at")
    gone = SECS.format(a="created_at", b="abandoned_at")
    m = merged(demo, "service_level", ["channel"], f"""
        SELECT channel, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN answered_at IS NOT NULL AND {wait} <= 20 THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE {offered} AND (abandoned_at IS NULL OR {gone} > 20)
        GROUP BY 1, 2""")
    assert (m["n"] == m["n_sql"]).all() and np.allclose(m["value"], 100 * m["k"] / m["n_sql"])
    m = merged(demo, "abandonment_rate", ["channel"], f"""
        SELECT channel, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN abandoned_at IS NOT NULL THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE {offered} AND (abandoned_at IS NULL OR {gone} >= 5)
        GROUP BY 1, 2""")
    assert (m["n"] == m["n_sql"]).all() and np.allclose(m["value"], 100 * m["k"] / m["n_sql"])


@oracle_for("first_response_time", "first_response_time:p90")
def test_first_response_median_and_p90_are_nearest_rank(demo: Warehouse) -> None:
    secs = SECS.format(a="created_at", b="first_response_at")
    sql = f"""
        WITH v AS (SELECT vendor, {MONTH.format(col='created_at')} AS period, {secs} AS x
                   FROM interactions WHERE first_response_at IS NOT NULL),
             r AS (SELECT vendor, period, x,
                          row_number() OVER (PARTITION BY vendor, period ORDER BY x) AS rn,
                          count(*) OVER (PARTITION BY vendor, period) AS cnt FROM v)
        SELECT vendor, period, max(cnt) AS n_sql,
               avg(CASE WHEN rn = floor((cnt + 1) / 2.0) OR rn = ceil((cnt + 1) / 2.0)
                        THEN x END) AS med,
               max(CASE WHEN rn = ceil(cnt * 0.9) THEN x END) AS p90
        FROM r GROUP BY 1, 2"""
    m = merged(demo, "first_response_time", ["vendor"], sql)
    assert (m["n"] == m["n_sql"]).all() and np.allclose(m["value"], m["med"])
    assert (m["ci_low"] <= m["value"]).all() and (m["value"] <= m["ci_high"]).all()
    m = merged(demo, "first_response_time:p90", ["vendor"], sql)
    assert np.allclose(m["value"], m["p90"])


@oracle_for("reopen_rate", "escalation_rate", "contact_volume")
def test_reopen_escalation_and_volume(demo: Warehouse) -> None:
    m = merged(demo, "reopen_rate", ["vendor"], f"""
        SELECT vendor, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE resolved_at IS NOT NULL AND reopen_count IS NOT NULL
        GROUP BY 1, 2""")
    assert (m["n"] == m["n_sql"]).all() and np.allclose(m["value"], 100 * m["k"] / m["n_sql"])
    m = merged(demo, "escalation_rate", ["vendor"], f"""
        SELECT vendor, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN escalated THEN 1 ELSE 0 END) AS k
        FROM interactions WHERE abandoned_at IS NULL AND escalated IS NOT NULL GROUP BY 1, 2""")
    assert np.allclose(m["value"], 100 * m["k"] / m["n_sql"])
    m = merged(demo, "contact_volume", ["channel"], f"""
        SELECT channel, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql
        FROM interactions GROUP BY 1, 2""")
    assert (m["value"] == m["n_sql"]).all()
    low = stats.chi2.ppf(0.025, 2 * m["n_sql"]) / 2
    assert np.allclose(m["ci_low"], low)


@oracle_for("fcr:repeat_contact")
def test_repeat_contact_fcr(demo: Warehouse) -> None:
    m = merged(demo, "fcr:repeat_contact", ["vendor"], f"""
        WITH c AS (SELECT vendor, created_at, abandoned_at, customer_id,
                          lead(created_at) OVER (PARTITION BY customer_id
                                                 ORDER BY created_at, interaction_id) AS nxt
                   FROM interactions)
        SELECT vendor, {MONTH.format(col='created_at')} AS period, count(*) AS n_sql,
               sum(CASE WHEN nxt IS NULL OR {SECS.format(a='created_at', b='nxt')} > 7 * 86400
                        THEN 1 ELSE 0 END) AS k
        FROM c WHERE customer_id IS NOT NULL AND abandoned_at IS NULL GROUP BY 1, 2""")
    assert (m["n"] == m["n_sql"]).all() and np.allclose(m["value"], 100 * m["k"] / m["n_sql"])


@oracle_for("store_conversion", "cart_abandonment", "referral_rate")
@pytest.mark.parametrize("metric", ["store_conversion", "cart_abandonment", "referral_rate"])
def test_journey_shares_overall(demo: Warehouse, metric: str) -> None:
    table, cond, time = {
        "store_conversion": ("store_visits", "order_id IS NOT NULL", "visited_at"),
        "cart_abandonment": ("carts", "order_id IS NULL", "created_at"),
        "referral_rate": ("customers", "acquisition_source = 'referral'", "acquired_at"),
    }[metric]
    extra = " AND acquisition_source IS NOT NULL" if metric == "referral_rate" else ""
    k, n = demo.query(f"SELECT sum(CASE WHEN {cond} THEN 1 ELSE 0 END), count(*) FROM {table} "
                      f"WHERE {time} IS NOT NULL{extra}")[0]
    got = query(metric, db=demo)
    assert int(got["n"][0]) == n and got["value"][0] == pytest.approx(100 * k / n)


@oracle_for("response_rate")
def test_response_rate_by_vendor_and_survey_month(demo: Warehouse) -> None:
    """Answered = the invitation's response exists in survey_responses (the oracle joins the
    answers; cxlens reads the invitation's own columns); bounced invitations are in neither
    side of the ratio."""
    m = merged(demo, "response_rate", ["vendor", "survey"], f"""
        SELECT i.vendor, v.survey, {MONTH.format(col='v.sent_at')} AS period,
               count(*) AS n_sql, count(r.response_id) AS k
        FROM survey_invitations v
        LEFT JOIN interactions i ON i.interaction_id = v.interaction_id
        LEFT JOIN survey_responses r ON r.response_id = v.response_id
        WHERE coalesce(v.status, 'sent') IN ('sent', 'delivered')
        GROUP BY 1, 2, 3""")
    assert (m["n"] == m["n_sql"]).all()
    assert np.allclose(m["value"], 100 * m["k"] / m["n_sql"])
    low, high = proportion_confint(m["k"], m["n_sql"], method="wilson")
    assert np.allclose(m["ci_low"], 100 * low) and np.allclose(m["ci_high"], 100 * high)
    # the relational programme has no interaction, so no vendor: one segment of its own
    assert set(m.loc[m["vendor"].isna(), "survey"]) == {"nps"}
    assert set(m.loc[m["vendor"].notna(), "survey"]) == {"csat"}
