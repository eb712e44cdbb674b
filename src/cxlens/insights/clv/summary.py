"""Per-customer (frequency, recency, T, monetary value) summaries for BG/NBD and Gamma-Gamma,
from a list of transactions or from the warehouse's ``orders`` table.

Conventions (those of the CDNOW summaries published with the models):

* purchases on the same calendar day (UTC) are one purchase occasion, their amounts added;
* ``frequency`` x = purchase days after the first one (repeat purchases);
* ``recency`` t_x = first to last purchase day, ``T`` = first purchase day to the end day
  (inclusive: a purchase on the end day counts), in days or weeks (days / 7);
* ``monetary`` = mean value of the repeat purchase days (0 without repeat purchases); the first
  purchase is left out, as in the Gamma-Gamma papers;
* ``orders`` = transactions (orders) behind it, the n of every per-customer figure.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.insights import InsufficientData
from cxlens.store.base import Warehouse

UNITS = {"days": 1.0, "weeks": 7.0}
COLUMNS = ["frequency", "recency", "T", "monetary", "orders", "first", "last"]


def unit_days(unit: str) -> float:
    try:
        return UNITS[unit]
    except KeyError:
        raise ConfigError(f"unknown period unit {unit!r}",
                          f"use one of: {', '.join(UNITS)}") from None


def from_transactions(frame: pd.DataFrame, end: dt.date, unit: str = "weeks", *,
                      customer: str = "customer_id", when: str = "day",
                      amount: str = "amount", count: str | None = None) -> pd.DataFrame:
    """The summary of ``frame`` (one row per transaction, or per customer and day with a
    ``count`` column of transactions) up to and including the day ``end``."""
    days = unit_days(unit)
    stamp = pd.to_datetime(frame[when])
    if stamp.dt.tz is not None:
        stamp = stamp.dt.tz_convert("UTC").dt.tz_localize(None)
    day = stamp.dt.normalize()
    rows = pd.DataFrame({"customer": frame[customer].to_numpy(), "day": day.to_numpy(),
                         "amount": pd.to_numeric(frame[amount]).to_numpy(dtype=float),
                         "n": frame[count].to_numpy(dtype=float) if count else 1.0})
    rows = rows[rows["day"] <= pd.Timestamp(end)]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS, index=pd.Index([], name=customer))
    per_day = rows.groupby(["customer", "day"], sort=True).agg(amount=("amount", "sum"),
                                                               n=("n", "sum")).reset_index()
    per_day["repeat"] = per_day.groupby("customer").cumcount() > 0
    g = per_day.groupby("customer")
    first, last = g["day"].min(), g["day"].max()
    repeat = per_day[per_day["repeat"]].groupby("customer")["amount"].mean()
    out = pd.DataFrame({
        "frequency": g.size() - 1,
        "recency": (last - first).dt.days / days,
        "T": (pd.Timestamp(end) - first).dt.days / days,
        "monetary": repeat.reindex(first.index).fillna(0.0),
        "orders": g["n"].sum().astype(int),
        "first": first.dt.date,
        "last": last.dt.date,
    })
    out.index.name = customer
    return out[COLUMNS]


#: One row per customer and order currency, the per-day purchases already summed (what
#: :func:`from_transactions` does in pandas: its groupby over 1.7 M customer-days was 7.6 s
#: of the customers page at 10 M): first and last purchase day, purchase days, orders, and the
#: amount of the days after the first (a day's NULL amounts count 0, as pandas' sum). The
#: amounts are summed as decimals (to 10⁻¹⁰) and only the totals made floating point: a
#: database sums floats in parallel in no fixed order, and the last digit of a repeat buyer's
#: spend then changed from one computation to the next, moving the CLV fits by up to 10⁻⁸.
SUMMARY_SQL = (
    "WITH per_day AS ("
    " SELECT customer_id, coalesce(currency, 'USD') AS currency, "
    " CAST(ordered_at AS DATE) AS day, count(*) AS orders, "
    " coalesce(sum(CAST(amount AS DECIMAL(38, 10))), 0) AS amount "
    " FROM orders WHERE customer_id IS NOT NULL "
    " AND coalesce(status, 'completed') = 'completed' AND ordered_at < ? "
    " GROUP BY customer_id, coalesce(currency, 'USD'), CAST(ordered_at AS DATE)), "
    "firsts AS (SELECT customer_id, currency, min(day) AS first FROM per_day "
    " GROUP BY customer_id, currency) "
    "SELECT p.customer_id, p.currency, f.first, max(p.day) AS last, count(*) AS days, "
    " sum(p.orders) AS orders, "
    " CAST(sum(CASE WHEN p.day > f.first THEN p.amount ELSE 0 END) AS DOUBLE PRECISION) "
    " AS repeat_amount "
    "FROM per_day p JOIN firsts f "
    " ON f.customer_id = p.customer_id AND f.currency = p.currency "
    "GROUP BY p.customer_id, p.currency, f.first "
    "ORDER BY p.currency, p.customer_id")


def latest_order_day(wh: Warehouse) -> dt.date:
    """The day of the latest completed order (the default ``--as-of``)."""
    latest = wh.scalar("SELECT max(ordered_at) FROM orders "
                       "WHERE coalesce(status, 'completed') = 'completed'")
    if latest is None:
        raise InsufficientData(
            "the warehouse has no completed orders, so there is nothing to fit a customer "
            "lifetime value model on",
            "import orders first (cxlens import orders orders.csv --mapping …) or build the "
            "demo (cxlens demo)")
    return pd.Timestamp(latest).date()


def from_warehouse(wh: Warehouse, as_of: dt.date | None = None,
                   unit: str = "weeks") -> dict[str, pd.DataFrame]:
    """One summary per order currency (amounts in different currencies are never added), from
    completed orders with a customer, up to and including the day ``as_of`` (default: the day
    of the latest completed order)."""
    end = as_of or latest_order_day(wh)
    unit_days(unit)
    after = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    rows = wh.query_df(SUMMARY_SQL, [after])
    if rows.empty:
        raise InsufficientData(
            f"no completed order with a customer on or before {end}",
            "choose a later --as-of, or import orders that carry customer_id")
    return {str(cur): _summary(part, end, unit)
            for cur, part in rows.groupby("currency", sort=True)}


def _summary(rows: pd.DataFrame, end: dt.date, unit: str) -> pd.DataFrame:
    """:func:`from_transactions`'s frame from the per-customer rows of ``SUMMARY_SQL``, in
    its order (customers sorted as pandas sorts them: a database's collation may not)."""
    days = unit_days(unit)
    rows = rows.set_index("customer_id")
    if not rows.index.is_monotonic_increasing:  # DuckDB's order is pandas'; a collation not
        rows = rows.sort_index()
    first = pd.to_datetime(rows["first"])
    last = pd.to_datetime(rows["last"])
    frequency = pd.to_numeric(rows["days"]).astype(np.int64) - 1
    repeat = pd.to_numeric(rows["repeat_amount"]).astype(float)
    out = pd.DataFrame({
        "frequency": frequency,
        "recency": (last - first).dt.days / days,
        "T": (pd.Timestamp(end) - first).dt.days / days,
        "monetary": (repeat / frequency.where(frequency > 0)).fillna(0.0),
        "orders": pd.to_numeric(rows["orders"]).astype(int),
        # datetime.date objects, as ``.dt.date`` gives, converted by numpy in one pass
        "first": first.to_numpy().astype("datetime64[D]").astype(object),
        "last": last.to_numpy().astype("datetime64[D]").astype(object),
    }, index=rows.index)
    out.index.name = "customer_id"
    return out[COLUMNS]
