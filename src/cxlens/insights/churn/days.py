"""The churn features' per-day aggregates, kept in memory and brought up to date by the days
an import touched (issue 18, "Freshness at scale").

A customer's features on day c (:mod:`.features`) are sums over the days of a window before c
(contacts, reopens, unresolved escalations, completed orders), a count over every day before c
(orders ever) and the last answer of each survey before c. Kept per customer and UTC day —
contacts with their reopens and unresolved escalations, completed orders, and each survey's
last answer of the day (by ``responded_at``, then ``response_id``: the order of
:mod:`.features`' ranking) — the features of any day are sums and picks over those rows.
Every cut-off of the features is a UTC midnight, so a row of a day is in a window exactly when
its day is, and the figures equal the SQL read's (tests/insights/test_churn_days.py compares
them after imports, updates and deletes).

After a data change only the days the change log says it touched (:mod:`cxlens.store.changes`)
are read again; a table whose chain is broken is read again whole, and a change of the
customers (their ids number the rows) or a global bump rebuilds everything. A day's sync into a
10 M-interaction warehouse then reads a day of rows instead of grouping 270 days of contacts and
ranking every answer (16 s of the customers page).

DuckDB only, like :mod:`cxlens.metrics.partials`; on other engines, and on a warehouse whose
data version was never stamped, :mod:`.features` reads with its SQL as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from cxlens.store import changes
from cxlens.store.base import Warehouse
from cxlens.store.duck import DuckDBWarehouse

DIALECTS = ("duckdb",)
#: Warehouses whose days are kept at once, least recently used dropped first (at 10 M
#: interactions one holds about 0.6 GB: 9.3 M contact days, 3.5 M answer days, the orders'
#: days, and 3.4 M customers with their ids and six attributes).
KEEP = 2
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: The rescaled answer (0 at the scale's minimum, 1 at its maximum): one definition for the
#: SQL read and the kept days.
DEFAULT_MIN = "CASE survey WHEN 'nps' THEN 0 ELSE 1 END"
DEFAULT_MAX = "CASE survey WHEN 'nps' THEN 10 ELSE 5 END"
FRAC = (f"CAST(score - coalesce(scale_min, {DEFAULT_MIN}) AS DOUBLE PRECISION) "
        f"/ nullif(coalesce(scale_max, {DEFAULT_MAX}) - coalesce(scale_min, {DEFAULT_MIN}), 0)")

Arr = npt.NDArray[Any]
#: Customer attributes read with the features (the time-based model uses ``segment``).
ATTRIBUTES = ("segment", "region", "country", "age_group", "gender", "acquisition_source")


def day_sql(column: str) -> str:
    """The UTC day of a time column as days since 1970-01-01 (from epoch microseconds:
    independent of the session's time zone)."""
    return f"CAST(floor(epoch_us({column}) / 86400000000) AS INTEGER)"


def day_number(value: dt.datetime) -> int:
    """:func:`day_sql` of a UTC time, in Python."""
    return (value - _EPOCH) // dt.timedelta(days=1)


@dataclass(frozen=True)
class _Part:
    """One table's rows per customer and day: its SQL (``{range}``: an optional filter on the
    time column), its value columns and the order its rows are kept in: by day (the sums over
    a window are then a slice) or by customer and day (a customer's last row before a day is
    then the last of their run)."""

    table: str
    column: str
    sql: str
    values: tuple[str, ...]
    by_customer: bool = False


_IDS = ("ids AS (SELECT customer_id, CAST(row_number() OVER (ORDER BY customer_id) - 1 "
        "AS INTEGER) AS ix FROM customers)")
PARTS = (
    _Part("interactions", "created_at", f"""
WITH {_IDS}
SELECT ids.ix, g.day, g.contacts, g.reopens, g.unresolved_escalations FROM (
  SELECT customer_id, {day_sql('created_at')} AS day, CAST(count(*) AS INTEGER) AS contacts,
         CAST(sum(coalesce(reopen_count, 0)) AS BIGINT) AS reopens,
         CAST(sum(CASE WHEN coalesce(escalated, FALSE) AND NOT coalesce(resolved, FALSE)
                  THEN 1 ELSE 0 END) AS INTEGER) AS unresolved_escalations
  FROM interactions
  WHERE customer_id IS NOT NULL AND created_at IS NOT NULL {{range}}
  GROUP BY customer_id, day) g
JOIN ids ON ids.customer_id = g.customer_id""",
          ("contacts", "reopens", "unresolved_escalations")),
    _Part("survey_responses", "responded_at", f"""
WITH {_IDS}
SELECT ids.ix, g.day, g.nps, g.frac FROM (
  SELECT customer_id, day, survey = 'nps' AS nps, frac,
         row_number() OVER (PARTITION BY customer_id, survey, day
                            ORDER BY responded_at DESC, response_id DESC) AS k
  FROM (SELECT customer_id, survey, responded_at, response_id,
               {day_sql('responded_at')} AS day, {FRAC} AS frac
        FROM survey_responses
        WHERE customer_id IS NOT NULL AND survey IN ('nps', 'csat')
          AND responded_at IS NOT NULL {{range}}) s) g
JOIN ids ON ids.customer_id = g.customer_id
WHERE g.k = 1""", ("nps", "frac"), by_customer=True),
    _Part("orders", "ordered_at", f"""
WITH {_IDS}
SELECT ids.ix, g.day, g.orders FROM (
  SELECT customer_id, {day_sql('ordered_at')} AS day, CAST(count(*) AS INTEGER) AS orders
  FROM orders
  WHERE customer_id IS NOT NULL AND ordered_at IS NOT NULL
    AND coalesce(status, 'completed') = 'completed' {{range}}
  GROUP BY customer_id, day) g
JOIN ids ON ids.customer_id = g.customer_id""", ("orders",)),
)

Rows = dict[str, Arr]  # "ix", "day" and the part's values, one entry per customer and day


@dataclass(frozen=True)
class Customers:
    """Every customer, in ``customer_id`` order (a row's ``ix`` is its position)."""

    ids: npt.NDArray[np.object_]
    acquired: pd.Series  # UTC
    churned: pd.Series
    attributes: dict[str, pd.api.extensions.ExtensionArray]  # pandas strings, "(unknown)"


@dataclass(frozen=True)
class _Kept:
    versions: dict[str, str | None]
    customers: Customers
    rows: dict[str, Rows]  # per part's table


_kept: OrderedDict[str, _Kept] = OrderedDict()
_guard = threading.Lock()
#: How each read was answered since the process started (``built``, ``kept``, ``days read``,
#: ``table read``): read by the bench and the tests.
counts: Counter[str] = Counter()


def clear() -> None:
    """Forget every kept day (the next read builds them again)."""
    with _guard:
        _kept.clear()


def usable(wh: Warehouse) -> bool:
    return wh.dialect in DIALECTS and isinstance(wh, DuckDBWarehouse)


def _arrow(wh: Warehouse, sql: str, params: Sequence[object] = ()) -> pa.Table:
    assert isinstance(wh, DuckDBWarehouse)  # usable()
    return wh.query_arrow(sql, params)


def _read(wh: Warehouse, part: _Part, days: tuple[int, int] | None = None) -> Rows:
    """The part's rows; with ``days`` (first, last), those of the days first … last only."""
    if days is None:
        table = _arrow(wh, part.sql.format(range=""))
    else:
        lo, hi = (_EPOCH + dt.timedelta(days=d) for d in (days[0], days[1] + 1))
        table = _arrow(wh, part.sql.format(
            range=f"AND {part.column} >= ? AND {part.column} < ?"), [lo, hi])
    # a null answer (no score, or a scale without span) comes as NaN
    out = {name: table.column(name).to_numpy(zero_copy_only=False)
           for name in ("ix", "day", *part.values)}
    order = np.argsort(_key(out) if part.by_customer else out["day"], kind="stable")
    return {name: values[order] for name, values in out.items()}


def _key(rows: Rows) -> npt.NDArray[np.int64]:
    """The (customer, day) order as one number."""
    return np.asarray(rows["ix"].astype(np.int64) * 2**32 + (rows["day"].astype(np.int64)
                                                             + 2**31))


def _customers(wh: Warehouse, attributes: Sequence[str] = ATTRIBUTES) -> Customers:
    table = _arrow(wh, f"SELECT customer_id, acquired_at, churned_at, {', '.join(attributes)} "
                       "FROM customers ORDER BY customer_id")
    ids = np.asarray(table.column("customer_id").to_numpy(zero_copy_only=False), dtype=object)
    texts = {}
    for name in attributes:
        # through a dictionary: the rows share one Python string per level (3.4 M customers'
        # own strings would take 0.2 GB a column)
        coded = table.column(name).combine_chunks().dictionary_encode()
        levels = np.asarray(coded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        codes = coded.indices.fill_null(len(levels)).to_numpy()
        values = np.append(levels, "(unknown)").take(codes)
        texts[name] = pd.array(values, dtype="string")
    return Customers(ids, pd.to_datetime(table.column("acquired_at").to_pandas(), utc=True),
                     pd.to_datetime(table.column("churned_at").to_pandas(), utc=True), texts)


def _spliced(part: _Part, old: Rows, fresh: Rows, days: tuple[int, int]) -> Rows:
    """``old`` with the days first … last replaced by ``fresh``'s, in the part's order."""
    if not part.by_customer:
        a, b = _between(old["day"], days[0], days[1] + 1)
        return {name: np.concatenate([old[name][:a], fresh[name], old[name][b:]])
                for name in old}
    keep = (old["day"] < days[0]) | (old["day"] > days[1])
    kept = {name: values[keep] for name, values in old.items()}
    at = np.searchsorted(_key(kept), _key(fresh))  # both in order: a merge, not a sort
    return {name: np.insert(kept[name], at, fresh[name]) for name in old}


def _between(day: Arr, first: int, end: int) -> tuple[int, int]:
    """The slice of rows in day order whose day is first … end − 1 (the bounds cast to the
    days' own type: a Python int made NumPy convert all 9 M days to compare them)."""
    a, b = np.searchsorted(day, np.array([first, end]).clip(np.iinfo(day.dtype).min,
                                                             np.iinfo(day.dtype).max
                                                             ).astype(day.dtype))
    return int(a), int(b)


def _versions(wh: Warehouse) -> dict[str, str | None] | None:
    now = changes.versions(wh)
    if not now:
        return None
    return {"": now.get(""), "customers": now.get("customers")} | {
        p.table: now.get(p.table) for p in PARTS}


def kept(wh: Warehouse) -> tuple[Customers, dict[str, Rows]] | None:
    """The customers and every part's rows at the warehouse's current data, brought up to
    date from what was kept; None when they cannot be kept (see the module)."""
    if not usable(wh):
        return None
    # one transaction: the versions, the customers and every part's rows read from one
    # snapshot (customers imported between two reads would renumber the rows under the ids)
    with _guard, wh.transaction():
        now = _versions(wh)
        if now is None:
            return None
        entry = _kept.get(wh.url)
        if (entry is None or entry.versions[""] != now[""]
                or entry.versions["customers"] != now["customers"]):
            counts["built"] += 1
            entry = _Kept(now, _customers(wh),
                          {p.table: _read(wh, p) for p in PARTS})
        elif entry.versions != now:
            rows = dict(entry.rows)
            for part in PARTS:
                was, is_ = entry.versions[part.table], now[part.table]
                if was == is_:
                    continue
                walked = changes.chain(wh, part.table, was, is_)
                if walked is None:
                    counts["table read"] += 1
                    rows[part.table] = _read(wh, part)
                    continue
                span = changes.hull(walked, part.table, part.column)
                if span is not None:
                    counts["days read"] += 1
                    days = (day_number(_utc(span[0])), day_number(_utc(span[1])))
                    rows[part.table] = _spliced(part, rows[part.table],
                                                _read(wh, part, days), days)
            entry = dataclasses.replace(entry, versions=now, rows=rows)
        else:
            counts["kept"] += 1
        _kept[wh.url] = entry
        _kept.move_to_end(wh.url)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return entry.customers, entry.rows


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def window_sum(rows: Rows, column: str, first: int, end: int, n: int) -> npt.NDArray[np.float64]:
    """Per customer (``n`` of them), the sum of ``column`` over the days first … end − 1."""
    a, b = _between(rows["day"], first, end)
    return np.asarray(np.bincount(rows["ix"][a:b], weights=rows[column][a:b], minlength=n),
                      dtype=np.float64)


def last_before(rows: Rows, nps: bool, end: int, n: int) -> npt.NDArray[np.float64]:
    """Per customer (``n`` of them), the survey's (NPS or CSAT) last rescaled answer before
    day ``end``; NaN for none (or a last answer without a value). The rows are in customer
    and day order: a customer's last is the last row of their run."""
    at = np.flatnonzero((rows["day"] < end) & (rows["nps"] == nps))
    ix = rows["ix"][at]
    last = at[np.append(ix[1:] != ix[:-1], True)] if len(at) else at
    out = np.full(n, np.nan)
    out[rows["ix"][last]] = rows["frac"][last]
    return out
