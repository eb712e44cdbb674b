"""Per-entity and customer-period metrics against hand-written SQL, on DuckDB and Postgres."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlens.metrics.query import query
from cxlens.store.base import Warehouse
from tests.metrics.test_oracle import oracle


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
