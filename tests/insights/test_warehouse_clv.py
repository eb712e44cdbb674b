"""The CLV summary from the ``orders`` table, against one worked by hand, on DuckDB and
Postgres; and the whole fit on the demo warehouse."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxlens.insights import InsufficientData
from cxlens.insights.clv import MIN_CUSTOMERS, warehouse_value
from cxlens.insights.clv.summary import from_transactions, from_warehouse, latest_order_day
from cxlens.store.base import Warehouse


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


ORDERS = [  # order_id, customer_id, ordered_at (UTC), amount, currency, status
    ("o1", "C1", "2026-01-05 10:00", 10.0, "USD", "completed"),
    ("o2", "C1", "2026-01-05 18:00", 5.0, "USD", "completed"),  # same day as o1: one purchase
    ("o3", "C1", "2026-01-19 09:00", 20.0, "USD", "completed"),
    ("o4", "C1", "2026-02-02 12:00", 40.0, "USD", "refunded"),  # not a purchase
    ("o5", "C1", "2026-02-16 12:00", 30.0, "USD", "completed"),
    ("o6", "C1", "2026-02-01 12:00", 100.0, "EUR", "completed"),  # another currency
    ("o7", "C2", "2025-12-31 23:30", 7.0, "USD", "completed"),
    ("o8", "C2", "2026-01-01 00:30", 8.0, "USD", "completed"),  # the next day in UTC
    ("o9", "C2", "2026-01-10 12:00", 9.0, "USD", "cancelled"),
    ("o10", "C2", "2026-03-02 08:00", 50.0, "USD", "completed"),  # after --as-of
    ("o11", None, "2026-01-07 12:00", 60.0, "USD", "completed"),  # no customer
    ("o12", "C3", "2026-03-01 23:59", 12.0, "GBP", "completed"),  # on the --as-of day
]


def _orders(wh: Warehouse) -> None:
    wh.insert_rows("orders", ["order_id", "customer_id", "ordered_at", "amount", "currency",
                              "status"],
                   [(o, c, _at(t), a, cur, s) for o, c, t, a, cur, s in ORDERS])


def test_summary_by_hand(wh: Warehouse) -> None:
    _orders(wh)
    got = from_warehouse(wh, dt.date(2026, 3, 1), "weeks")
    assert sorted(got) == ["EUR", "GBP", "USD"]
    usd = got["USD"]
    assert sorted(usd.index) == ["C1", "C2"]
    c1 = usd.loc["C1"]
    # purchase days 5 Jan (10 + 5), 19 Jan (20), 16 Feb (30); the refund is not one
    assert (c1["frequency"], c1["orders"]) == (2, 4)
    assert c1["recency"] == pytest.approx(42 / 7) and c1["T"] == pytest.approx(55 / 7)
    assert c1["monetary"] == pytest.approx((20 + 30) / 2)
    c2 = usd.loc["C2"]  # 31 Dec and 1 Jan are two days; the cancelled and later orders are not
    assert (c2["frequency"], c2["orders"], c2["monetary"]) == (1, 2, pytest.approx(8.0))
    assert c2["recency"] == pytest.approx(1 / 7) and c2["T"] == pytest.approx(60 / 7)
    eur = got["EUR"].loc["C1"]  # the euro order is its own history, never added to dollars
    assert (eur["frequency"], eur["recency"], eur["T"], eur["monetary"]) == (0, 0, 4.0, 0)
    gbp = got["GBP"].loc["C3"]
    assert (gbp["frequency"], gbp["T"], gbp["orders"]) == (0, 0.0, 1)
    days = from_warehouse(wh, dt.date(2026, 3, 1), "days")["USD"].loc["C1"]
    assert (days["recency"], days["T"]) == (42, 55)
    # default --as-of: the latest completed order's day, which brings in C2's March order
    assert latest_order_day(wh) == dt.date(2026, 3, 2)
    later = from_warehouse(wh, None, "weeks")["USD"].loc["C2"]
    assert (later["frequency"], later["monetary"]) == (2, pytest.approx((8 + 50) / 2))


def _definition(wh: Warehouse, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """The summaries by ``from_transactions`` (pandas) over the completed orders: what
    ``from_warehouse`` computed before it summarised in SQL (issue 18)."""
    after = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC) + dt.timedelta(1)
    raw = wh.query_df("SELECT customer_id, coalesce(currency, 'USD') AS currency, ordered_at, "
                      "amount FROM orders WHERE customer_id IS NOT NULL "
                      "AND coalesce(status, 'completed') = 'completed' AND ordered_at < ?",
                      [after])
    return {str(cur): from_transactions(part, as_of, "weeks", when="ordered_at")
            for cur, part in raw.groupby("currency", sort=True)}


def test_summary_is_the_transactions_summary(wh: Warehouse) -> None:
    _orders(wh)
    wh.insert_rows("orders", ["order_id", "customer_id", "ordered_at", "amount", "currency"], [
        ("n1", "C4", _at("2026-01-03 10:00"), 5.0, None),  # no currency: dollars
        ("n2", "C4", _at("2026-01-09 10:00"), None, None),  # a day with no amount counts 0
        ("n3", "C4", _at("2026-01-20 10:00"), 9.0, None)])
    for as_of in (dt.date(2026, 3, 1), dt.date(2026, 1, 19), dt.date(2026, 3, 2)):
        got, want = from_warehouse(wh, as_of, "weeks"), _definition(wh, as_of)
        assert list(got) == list(want)
        for cur in want:
            pd.testing.assert_frame_equal(got[cur], want[cur], rtol=1e-12)
    assert from_warehouse(wh, dt.date(2026, 3, 1))["USD"].loc["C4", "monetary"] == 4.5


def test_summary_on_the_demo_is_the_transactions_summary(demo: Warehouse) -> None:
    as_of = latest_order_day(demo)
    got, want = from_warehouse(demo, as_of, "weeks"), _definition(demo, as_of)
    assert list(got) == list(want) and sum(len(f) for f in got.values()) > 1000
    for cur in want:
        pd.testing.assert_frame_equal(got[cur], want[cur], rtol=1e-12)


def test_refuses_without_orders(wh: Warehouse) -> None:
    with pytest.raises(InsufficientData) as none:
        from_warehouse(wh)
    assert "no completed orders" in none.value.message and "cxlens demo" in none.value.hint
    _orders(wh)
    with pytest.raises(InsufficientData) as early:
        from_warehouse(wh, dt.date(2025, 1, 1))
    assert "2025-01-01" in early.value.message
    with pytest.raises(InsufficientData) as few:
        warehouse_value(wh, dt.date(2026, 3, 1), resamples=0)
    assert "USD" in few.value.message and str(MIN_CUSTOMERS) in few.value.hint


def test_fit_on_the_demo(demo: Warehouse) -> None:
    values = {c.currency: c for c in warehouse_value(demo, None, "weeks", resamples=8, seed=3)}
    assert sorted(values) == ["AUD", "CAD", "EUR", "GBP", "USD"]
    fitted = [c for c in values.values() if c.value is not None]
    assert {c.currency for c in fitted} >= {"EUR", "GBP", "USD"}
    for c in values.values():
        if c.value is None:
            assert "too few" in c.skipped
            continue
        v = c.value
        assert np.isfinite(v.parameters["value"]).all() and (v.parameters["value"] > 0).all()
        assert v.purchases.finite and v.spend.finite
        assert v.total.n == c.customers and np.isfinite(v.total.value) and v.total.value > 0
        assert v.total.ci_low <= v.total.ci_high and v.resamples > 0
        assert (v.customers["p_alive"].between(0, 1)).all()
        assert v.customers["orders"].sum() == c.orders
