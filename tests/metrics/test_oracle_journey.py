"""Per-entity and customer-period metrics against hand-written SQL, on DuckDB and Postgres."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlens.metrics.query import query
from cxlens.metrics.result import MixedFigure
from cxlens.store.base import Warehouse
from tests.metrics.oracles import (
    MONTH,
    alone_and_with,
    assert_count,
    assert_mean,
    assert_n,
    assert_share,
    assert_share_difference,
    close,
    merged,
    oracle,
    oracle_for,
)


@oracle_for("churn_rate", "retention_rate")
def test_churn_and_retention_by_quarter(demo: Warehouse) -> None:
    got = query("churn_rate,retention_rate", grain="quarter", start="2025-10-01",
                end="2026-09-30", db=demo)
    churn = got[got.metric == "churn_rate"].reset_index(drop=True)
    retention = got[got.metric == "retention_rate"].reset_index(drop=True)
    starts = pd.date_range("2025-10-01", "2026-07-01", freq="QS", tz="UTC")
    assert [p.isoformat() for p in churn.period] == [s.date().isoformat() for s in starts]
    for i, start in enumerate(starts):
        end = start + pd.offsets.QuarterBegin(startingMonth=1)
        a, b = start.isoformat(), end.isoformat()
        n, lost = demo.query(
            f"SELECT count(*), sum(CASE WHEN churned_at >= TIMESTAMPTZ '{a}' AND churned_at < "
            f"TIMESTAMPTZ '{b}' THEN 1 ELSE 0 END) FROM customers WHERE acquired_at < "
            f"TIMESTAMPTZ '{a}' AND (churned_at IS NULL OR churned_at >= TIMESTAMPTZ '{a}')")[0]
        assert churn.n[i] == n and churn.value[i] == pytest.approx(100 * lost / n)
        # retention = (end − acquired during) / start, by the reference definition
        at_end, new = demo.query(
            f"SELECT sum(CASE WHEN acquired_at < TIMESTAMPTZ '{b}' AND (churned_at IS NULL OR "
            f"churned_at >= TIMESTAMPTZ '{b}') THEN 1 ELSE 0 END), sum(CASE WHEN acquired_at >= "
            f"TIMESTAMPTZ '{a}' AND acquired_at < TIMESTAMPTZ '{b}' AND (churned_at IS NULL OR "
            f"churned_at >= TIMESTAMPTZ '{b}') THEN 1 ELSE 0 END) FROM customers")[0]
        assert retention.value[i] == pytest.approx(100 * (at_end - new) / n)


@oracle_for("repeat_purchase_rate")
def test_repeat_purchase_rate_by_quarter(demo: Warehouse) -> None:
    got = query("repeat_purchase_rate", grain="quarter", db=demo)
    want = oracle(demo, """
        SELECT period, count(*) AS n_sql, sum(CASE WHEN c >= 2 THEN 1 ELSE 0 END) AS k
        FROM (SELECT date_trunc('quarter', ordered_at) AS period, customer_id, count(*) AS c
              FROM orders WHERE status = 'completed' AND customer_id IS NOT NULL GROUP BY 1, 2) x
        GROUP BY 1""")
    m = got.merge(want, on="period")
    assert len(m) == len(got) == len(want) > 2
    assert (m.n == m.n_sql).all() and np.allclose(m.value, 100 * m.k / m.n_sql)


@oracle_for("returning_visitors")
def test_returning_visitors_by_quarter(demo: Warehouse) -> None:
    got = query("returning_visitors", grain="quarter", db=demo)
    want = oracle(demo, """
        WITH f AS (SELECT visitor_id, min(started_at) AS first_at FROM web_sessions GROUP BY 1)
        SELECT period, count(*) AS n_sql, sum(CASE WHEN first_at < period THEN 1 ELSE 0 END) AS k
        FROM (SELECT DISTINCT date_trunc('quarter', s.started_at) AS period, s.visitor_id,
                     f.first_at
              FROM web_sessions s JOIN f ON f.visitor_id = s.visitor_id) x
        GROUP BY 1""")
    m = got.merge(want, on="period")
    assert len(m) == len(got) == len(want) > 2
    assert (m.n == m.n_sql).all() and np.allclose(m.value, 100 * m.k / m.n_sql)
    assert m.value.iloc[0] == 0 and m.value.iloc[-1] > 20  # nobody returns in the first quarter


@oracle_for("clv")
def test_clv_simple_by_currency_and_quarter(demo: Warehouse) -> None:
    """CLV = revenue per customer active at the quarter's start ÷ their churn rate, per order
    currency; the oracle fetches each customer's revenue and churn by hand and computes the
    delta-method interval from the linearised residuals x − R·y."""
    got = query("clv", by=["order_currency"], grain="quarter", start="2025-10-01",
                end="2026-06-30", db=demo)
    half = query("clv", by=["order_currency"], grain="quarter", start="2025-10-01",
                 end="2026-06-30", params={"margin": 0.5}, db=demo)
    assert np.allclose(half["value"], 0.5 * got["value"])
    currencies = [c for (c,) in demo.query(
        "SELECT DISTINCT currency FROM orders WHERE status = 'completed' ORDER BY 1")]
    assert sorted(set(got["order_currency"])) == currencies
    starts = pd.date_range("2025-10-01", "2026-04-01", freq="QS", tz="UTC")
    z = stats.norm.ppf(0.975)
    checked = 0
    for start in starts:
        end = start + pd.offsets.QuarterBegin(startingMonth=1)
        a, b = start.isoformat(), end.isoformat()
        for cur in currencies:
            rows = demo.query(f"""
                SELECT c.customer_id,
                       CASE WHEN c.churned_at >= TIMESTAMPTZ '{a}'
                             AND c.churned_at < TIMESTAMPTZ '{b}' THEN 1 ELSE 0 END,
                       (SELECT coalesce(sum(o.amount), 0) FROM orders o
                        WHERE o.customer_id = c.customer_id AND o.status = 'completed'
                          AND o.currency = '{cur}' AND o.ordered_at >= TIMESTAMPTZ '{a}'
                          AND o.ordered_at < TIMESTAMPTZ '{b}')
                FROM customers c WHERE c.acquired_at < TIMESTAMPTZ '{a}'
                  AND (c.churned_at IS NULL OR c.churned_at >= TIMESTAMPTZ '{a}')""")
            y = np.array([float(r[1]) for r in rows])
            x = np.array([float(r[2]) for r in rows])
            ratio = x.sum() / y.sum()
            se = np.std(x - ratio * y, ddof=1) / (np.sqrt(len(x)) * y.mean())
            row = got[(got.order_currency == cur) & (got.period == start.date())]
            assert len(row) == 1 and int(row.n.iloc[0]) == len(x)
            assert row.value.iloc[0] == pytest.approx(ratio, rel=1e-9)
            assert row.ci_low.iloc[0] == pytest.approx(ratio - z * se, rel=1e-6)
            assert row.ci_high.iloc[0] == pytest.approx(ratio + z * se, rel=1e-6)
            checked += 1
    assert checked == len(starts) * len(currencies) >= 6


def test_clv_refuses_to_add_up_currencies(demo: Warehouse) -> None:
    with pytest.raises(MixedFigure, match="order_currency"):
        query("clv", db=demo)


# -- awareness, consideration, purchase: hand SQL by month ---------------------------------

OUR_BRAND = "(SELECT value FROM cxlens_meta WHERE key = 'param.our_brand')"
POSTED = MONTH.format(col="posted_at")
STARTED = MONTH.format(col="started_at")


#: Metrics asked together with the one under test (shared scans of mentions and sessions).
#: (Not the social_sentiment variants: asked with their base metric, their rows cannot be told
#: apart, see test_variants_are_labelled_as_asked.)
company = alone_and_with("share_of_voice", "social_sentiment", "visits", "visitors", "mau",
                         "traffic_share:paid")


@oracle_for("share_of_voice")
def test_share_of_voice_by_source_month(demo: Warehouse, company: tuple[str, ...]) -> None:
    """Our brand (the warehouse's param.our_brand) / every tracked brand's mentions."""
    assert_share(merged(demo, "share_of_voice", ["source"], f"""
        SELECT source, {POSTED} AS period, count(*) AS n_sql,
               sum(CASE WHEN brand = {OUR_BRAND} THEN 1 ELSE 0 END) AS k
        FROM mentions GROUP BY 1, 2""", company=company))


@oracle_for("social_sentiment", "social_sentiment:positive", "social_sentiment:negative")
def test_social_sentiment_by_month(demo: Warehouse, company: tuple[str, ...]) -> None:
    sql = f"""
        SELECT {POSTED} AS period, count(*) AS n_sql,
               sum(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS p,
               sum(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS d
        FROM mentions WHERE brand = {OUR_BRAND} AND sentiment IS NOT NULL GROUP BY 1"""
    assert_share_difference(merged(demo, "social_sentiment", [], sql, company=company))
    for metric, side in (("social_sentiment:positive", "p"), ("social_sentiment:negative", "d")):
        assert_share(merged(demo, metric, [], sql).rename(columns={side: "k"}))


def test_variants_are_labelled_as_asked(demo: Warehouse) -> None:
    names = ["social_sentiment", "social_sentiment:positive", "social_sentiment:negative"]
    assert query(names, db=demo)["metric"].tolist() == names
    paid = query("traffic_share:paid", params={"traffic_source": "paid"}, db=demo)
    assert paid["metric"].tolist() == ["traffic_share:paid"]


@oracle_for("visits", "visitors", "mau")
def test_visits_visitors_and_active_users_by_month(demo: Warehouse) -> None:
    assert_count(merged(demo, "visits", ["source"], f"""
        SELECT source, {STARTED} AS period, count(*) AS n_sql FROM web_sessions
        GROUP BY 1, 2"""))
    assert_count(merged(demo, "visitors", [], f"""
        SELECT {STARTED} AS period, count(DISTINCT visitor_id) AS n_sql FROM web_sessions
        GROUP BY 1"""))
    # a logged-in visitor counts as the customer, an anonymous one as the visitor
    m = merged(demo, "mau", [], f"""
        SELECT {STARTED} AS period, count(DISTINCT coalesce(customer_id, visitor_id)) AS n_sql
        FROM web_sessions GROUP BY 1""")
    assert_count(m)
    visitors = query("visitors", grain="month", db=demo)
    assert (m.sort_values("period")["value"].to_numpy() != visitors["value"].to_numpy()).any()


SOURCES = ["organic", "direct", "referral", "paid", "social", "email"]


@oracle_for("traffic_share", *(f"traffic_share:{s}" for s in SOURCES[1:]))
@pytest.mark.parametrize("source", SOURCES)
def test_traffic_shares_by_month(demo: Warehouse, company: tuple[str, ...],
                                source: str) -> None:
    metric = "traffic_share" if source == "organic" else f"traffic_share:{source}"
    assert_share(merged(demo, metric, [], f"""
        SELECT {STARTED} AS period, count(*) AS n_sql,
               sum(CASE WHEN source = '{source}' THEN 1 ELSE 0 END) AS k
        FROM web_sessions GROUP BY 1""", company=company))


@oracle_for("store_visits")
def test_store_visits_by_store_month(demo: Warehouse) -> None:
    assert_count(merged(demo, "store_visits", ["store"], f"""
        SELECT store, {MONTH.format(col='visited_at')} AS period, count(*) AS n_sql
        FROM store_visits GROUP BY 1, 2"""))


@oracle_for("average_order_value", "revenue")
def test_order_value_and_revenue_by_currency_month(demo: Warehouse) -> None:
    sql = f"""
        SELECT currency, {MONTH.format(col='ordered_at')} AS period, count(*) AS n_sql,
               avg(amount) AS mean, stddev_samp(amount) AS sd, sum(amount) AS total
        FROM orders WHERE status = 'completed' GROUP BY 1, 2"""
    assert_mean(merged(demo, "average_order_value", ["currency"], sql))
    m = merged(demo, "revenue", ["currency"], sql)
    assert_n(m)
    close(m["value"], m["total"], 1e-9)
    assert m["ci_low"].isna().all() and m["ci_high"].isna().all()  # a complete log's total
    with pytest.raises(MixedFigure, match="currency"):
        query("revenue", db=demo)


@oracle_for("returning_visitors")
def test_returning_visitors_by_hand(wh: Warehouse) -> None:
    # v1: 10 Jan and 5 March; v2: 10 and 20 March; v3: 1 February
    rows = [("v1", "2024-01-10"), ("v1", "2024-03-05"), ("v2", "2024-03-10"),
            ("v2", "2024-03-20"), ("v3", "2024-02-01")]
    wh.insert_rows("web_sessions", ["session_id", "visitor_id", "started_at", "source"],
                   [[f"s{i}", v, pd.Timestamp(d, tz="UTC").to_pydatetime(), "direct"]
                    for i, (v, d) in enumerate(rows)])
    # March alone (no grain): "before" is before --from → v1 of v1, v2
    row = query("returning_visitors", start="2024-03-01", end="2024-03-31", db=wh).iloc[0]
    assert (row["n"], row["value"]) == (2, 50.0)
    # by month: January v1 new; February v3 new; March v1 back, v2 new
    by_month = query("returning_visitors", grain="month", db=wh)
    assert by_month["n"].tolist() == [1, 1, 2]
    assert by_month["value"].tolist() == [0.0, 0.0, 50.0]
