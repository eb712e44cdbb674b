"""Churn rate split by support history (customer_periods' support_contacts, tech_tickets and
reopens: bands of the customer's contacts in the 90 days before the period's start), against
a world counted by hand and against hand-written SQL, on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cxlens.metrics.query import query
from cxlens.store.base import Warehouse

Q1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
Q2 = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
JOINED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _hand_world(wh: Warehouse) -> None:
    wh.insert_rows("customers", ["customer_id", "acquired_at", "churned_at"], [
        ("A", JOINED, _day("2026-02-10")), ("B", JOINED, None), ("C", JOINED, _day("2026-03-01")),
        ("D", JOINED, None), ("E", JOINED, None),
        ("F", JOINED, _day("2025-12-01"))])  # gone before the quarter: not at risk
    rows = [("a1", "A", "2025-12-20", "technical", 2),
            ("b1", "B", "2025-10-05", "billing", 0), ("b2", "B", "2025-11-05", "technical", 0),
            ("c1", "C", "2025-10-03", "technical", 1), ("c2", "C", "2025-11-03", "technical", 0),
            ("c3", "C", "2025-12-03", "technical", None), ("c4", "C", "2025-12-31", "technical", 0),
            ("d1", "D", "2025-10-02", "billing", 3),  # 91 days before: outside the window
            ("e1", "E", "2026-01-15", "technical", 0),  # in the quarter, not before it
            ("f1", "F", "2025-11-01", "technical", 0)]
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "channel", "created_at",
                                    "category", "reopen_count"],
                   [(i, c, "email", _day(f"{d} 12:00"), cat, r) for i, c, d, cat, r in rows])


@pytest.mark.parametrize(("by", "expected"), [
    # band: (churned, at risk) — A 1 contact, B 2, C 4, D and E none in the window
    ("support_contacts", {"0": (0, 2), "1": (1, 1), "2-3": (0, 1), "4+": (1, 1)}),
    ("tech_tickets", {"0": (0, 2), "1": (1, 2), "4+": (1, 1)}),  # A 1, B 1, C 4
    ("reopens", {"0": (0, 3), "1": (1, 1), "2-3": (1, 1)}),  # A 2, C 1 (a blank counts 0)
])
def test_churn_rate_by_support_history_by_hand(wh: Warehouse, by: str,
                                               expected: dict[str, tuple[int, int]]) -> None:
    _hand_world(wh)
    got = query("churn_rate", by=[by], grain="quarter", start="2026-01-01", end="2026-03-31",
                db=wh).set_index(by)
    assert {b: int(n) for b, n in got["n"].items()} == {b: n for b, (_, n) in expected.items()}
    for band, (churned, n) in expected.items():
        assert got.loc[band, "value"] == pytest.approx(100 * churned / n)


BAND_SQL = """
WITH c AS (SELECT customer_id, churned_at FROM customers
           WHERE acquired_at < ? AND (churned_at IS NULL OR churned_at >= ?)),
s AS (SELECT customer_id, count(*) AS n FROM interactions
      WHERE created_at >= ? AND created_at < ? GROUP BY customer_id)
SELECT CASE WHEN coalesce(s.n, 0) >= 4 THEN '4+' WHEN coalesce(s.n, 0) >= 2 THEN '2-3'
            WHEN coalesce(s.n, 0) = 1 THEN '1' ELSE '0' END AS band,
       count(*) AS n, sum(CASE WHEN c.churned_at < ? THEN 1 ELSE 0 END) AS churned
FROM c LEFT JOIN s ON s.customer_id = c.customer_id
GROUP BY 1 ORDER BY 1
"""


def test_churn_rate_by_contacts_matches_hand_written_sql(wh: Warehouse) -> None:
    rng = np.random.default_rng(5)
    n = 400
    wh.insert_rows("customers", ["customer_id", "acquired_at", "churned_at"], [
        (f"C{i}", JOINED + dt.timedelta(days=int(rng.integers(0, 400))),
         Q1 + dt.timedelta(days=int(rng.integers(-60, 200))) if rng.random() < 0.3 else None)
        for i in range(n)])
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "channel", "created_at"], [
        (f"I{k}", f"C{int(rng.integers(0, n))}", "chat",
         Q1 - dt.timedelta(days=float(rng.uniform(-30, 150)))) for k in range(900)])
    want = wh.query_df(BAND_SQL, [Q1, Q1, Q1 - dt.timedelta(days=90), Q1, Q2]).set_index("band")
    got = query("churn_rate", by=["support_contacts"], grain="quarter", start="2026-01-01",
                end="2026-03-31", db=wh).set_index("support_contacts")
    assert list(got.index) == list(want.index) == ["0", "1", "2-3", "4+"]
    assert got["n"].astype(int).tolist() == want["n"].astype(int).tolist()
    assert got["value"].to_numpy() == pytest.approx(
        100 * want["churned"].to_numpy(float) / want["n"].to_numpy(float))
