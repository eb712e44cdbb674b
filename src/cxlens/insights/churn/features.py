"""The churn features of the warehouse's customers on one or several days, in one read.

A customer's features on day c (see :mod:`.warehouse` for their meaning) look back from c only:
support contacts in the ``window`` days before c, the last NPS and CSAT answers before c, orders
in the window and ever before c. The time-based holdout needs them on three days (training,
holdout and today), and read one day at a time the three reads each aggregated the window's
contacts and ranked every survey answer before their day: 32 s of the customers page at 10 M.
:func:`features_at` reads them for every day at once — each contact, answer and order is
scanned once and counted for the days whose window holds it — and :func:`features` is the
same read for one day, so both give the same rows. On DuckDB the rows come from the per-day
aggregates kept by :mod:`.days` (brought up to date by the days an import touched), which give
the same rows as this SQL (tests/insights/test_churn_days.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlens.dates import utc
from cxlens.errors import ConfigError
from cxlens.insights.churn import days as kept_days
from cxlens.insights.churn.days import ATTRIBUTES as ATTRIBUTES
from cxlens.store.base import Warehouse

#: The numeric features, in the frames' column order (after the id, churn time and attributes).
NUMBERS = ("tenure_years", "contacts", "reopens", "unresolved_escalations", "no_nps",
           "last_nps", "no_csat", "last_csat", "orders", "never_ordered")
#: Who is in the rows of any of the days c₁ < … < c_k: at risk on one of them (acquired
#: before c_k, not churned before c₁), or, for a snapshot, acquired before c_k or undated.
AT_RISK_ANY = "acquired_at < ? AND (churned_at IS NULL OR churned_at >= ?)"
IN_SNAPSHOT = "acquired_at IS NULL OR acquired_at < ?"


def _sql(days: int, attributes: tuple[str, ...], snapshot: bool) -> str:
    """The read for ``days`` days (parameters: see :func:`_params`). Per day i the columns
    ``contacts_i`` … ``orders_ever_i``; the survey answers are ranked once per customer, survey
    and *bucket* (the answers between two consecutive days), the last of each bucket pivoted to
    one row per customer (one join, not one per survey), and the last answer before day i is
    the last one of the latest non-empty bucket before it."""
    window = "{col} >= ? AND {col} < ?"
    sup = ",\n         ".join(
        f"sum(CASE WHEN {window.format(col='created_at')} THEN 1 ELSE 0 END) AS contacts_{i}, "
        f"sum(CASE WHEN {window.format(col='created_at')} "
        f"THEN coalesce(reopen_count, 0) ELSE 0 END) AS reopens_{i}, "
        f"sum(CASE WHEN {window.format(col='created_at')} AND coalesce(escalated, FALSE) "
        f"AND NOT coalesce(resolved, FALSE) THEN 1 ELSE 0 END) AS unresolved_escalations_{i}"
        for i in range(days))
    bucket = " ".join(f"WHEN responded_at < ? THEN {i}" for i in range(days - 1))
    bucket = f"CASE {bucket} ELSE {days - 1} END" if days > 1 else "0"
    pivot = ",\n         ".join(
        f"max(CASE WHEN survey = '{survey}' AND bucket = {i} THEN frac END) AS {survey}_{i}, "
        f"max(CASE WHEN survey = '{survey}' AND bucket = {i} THEN 1 ELSE 0 END) "
        f"AS {survey}_has_{i}" for survey in ("nps", "csat") for i in range(days))
    ords = ",\n         ".join(
        f"sum(CASE WHEN {window.format(col='ordered_at')} THEN 1 ELSE 0 END) AS orders_{i}, "
        f"sum(CASE WHEN ordered_at < ? THEN 1 ELSE 0 END) AS orders_ever_{i}"
        for i in range(days))

    def last(survey: str, i: int) -> str:  # the latest answer before day i: buckets < i
        picks = " ".join(f"WHEN ans.{survey}_has_{j} = 1 THEN ans.{survey}_{j}"
                         for j in reversed(range(i + 1)))
        return f"CASE {picks} END AS {survey}_frac_{i}"

    columns = ",\n       ".join(
        f"coalesce(sup.contacts_{i}, 0) AS contacts_{i}, "
        f"coalesce(sup.reopens_{i}, 0) AS reopens_{i}, "
        f"coalesce(sup.unresolved_escalations_{i}, 0) AS unresolved_escalations_{i}, "
        f"{last('nps', i)}, {last('csat', i)}, "
        f"coalesce(ord.orders_{i}, 0) AS orders_{i}, "
        f"coalesce(ord.orders_ever_{i}, 0) AS orders_ever_{i}" for i in range(days))
    return f"""
WITH base AS (
  SELECT customer_id, acquired_at, churned_at, {", ".join(attributes)} FROM customers
  WHERE {IN_SNAPSHOT if snapshot else AT_RISK_ANY}),
sup AS (
  SELECT customer_id,
         {sup}
  FROM interactions
  WHERE customer_id IS NOT NULL AND created_at >= ? AND created_at < ?
  GROUP BY customer_id),
ranked AS (
  SELECT customer_id, survey, bucket, frac,
         row_number() OVER (PARTITION BY customer_id, survey, bucket
                            ORDER BY responded_at DESC, response_id DESC) AS k
  FROM (SELECT customer_id, survey, responded_at, response_id, {bucket} AS bucket,
               {kept_days.FRAC} AS frac
        FROM survey_responses
        WHERE customer_id IS NOT NULL AND survey IN ('nps', 'csat') AND responded_at < ?) s),
ans AS (
  SELECT customer_id,
         {pivot}
  FROM ranked WHERE k = 1
  GROUP BY customer_id),
ord AS (
  SELECT customer_id,
         {ords}
  FROM orders
  WHERE customer_id IS NOT NULL AND coalesce(status, 'completed') = 'completed'
    AND ordered_at < ?
  GROUP BY customer_id)
SELECT b.*,
       {columns}
FROM base b
LEFT JOIN sup ON sup.customer_id = b.customer_id
LEFT JOIN ans ON ans.customer_id = b.customer_id
LEFT JOIN ord ON ord.customer_id = b.customer_id
ORDER BY b.customer_id
"""


def _params(cuts: list[dt.datetime], starts: list[dt.datetime],
            snapshot: bool) -> list[dt.datetime]:
    """The parameters of :func:`_sql`, in the order of its placeholders."""
    base = [cuts[-1]] if snapshot else [cuts[-1], cuts[0]]
    sup = [v for s, c in zip(starts, cuts, strict=True) for v in (s, c, s, c, s, c)]
    ords = [v for s, c in zip(starts, cuts, strict=True) for v in (s, c, c)]
    return base + sup + [min(starts), cuts[-1]] + cuts[:-1] + [cuts[-1]] + ords + [cuts[-1]]


@dataclass(frozen=True)
class _Read:
    """Every customer the days may hold, in ``customer_id`` order: ids, acquisition and churn
    times, attributes (pandas strings, ``(unknown)`` for none) and per day i the columns
    ``contacts_i`` … ``orders_ever_i`` (``nps_frac_i``/``csat_frac_i``: NaN for none)."""

    ids: np.ndarray
    acquired: pd.Series
    churned: pd.Series
    texts: dict[str, pd.api.extensions.ExtensionArray]
    number: Callable[[str], np.ndarray]


def _from_sql(wh: Warehouse, cuts: list[dt.datetime], starts: list[dt.datetime],
              snapshot: bool, attributes: tuple[str, ...]) -> _Read:
    raw = wh.query_df(_sql(len(cuts), attributes, snapshot), _params(cuts, starts, snapshot))
    return _Read(raw["customer_id"].astype(str).to_numpy(),
                 pd.to_datetime(raw["acquired_at"], utc=True),
                 pd.to_datetime(raw["churned_at"], utc=True),
                 {name: raw[name].astype("string").fillna("(unknown)").array
                  for name in attributes},
                 lambda name: np.asarray(pd.to_numeric(raw[name]).to_numpy(dtype=float)))


def _from_days(wh: Warehouse, cuts: list[dt.datetime], starts: list[dt.datetime]
               ) -> _Read | None:
    found = kept_days.kept(wh)
    if found is None:
        return None
    who, rows = found
    n = len(who.ids)
    contacts, answers, orders = (rows[p.table] for p in kept_days.PARTS)
    columns: dict[str, np.ndarray] = {}
    for i, (start, cut) in enumerate(zip(starts, cuts, strict=True)):
        first, end = kept_days.day_number(start), kept_days.day_number(cut)
        for name in ("contacts", "reopens", "unresolved_escalations"):
            columns[f"{name}_{i}"] = kept_days.window_sum(contacts, name, first, end, n)
        columns[f"nps_frac_{i}"] = kept_days.last_before(answers, True, end, n)
        columns[f"csat_frac_{i}"] = kept_days.last_before(answers, False, end, n)
        columns[f"orders_{i}"] = kept_days.window_sum(orders, "orders", first, end, n)
        columns[f"orders_ever_{i}"] = kept_days.window_sum(
            orders, "orders", np.iinfo(np.int32).min, end, n)
    return _Read(who.ids, who.acquired, who.churned, who.attributes, columns.__getitem__)


def features_at(wh: Warehouse, cutoffs: Sequence[dt.date], window_days: int = 90,
                snapshot: bool = False, attributes: tuple[str, ...] = ATTRIBUTES,
                lean: Sequence[dt.date] = ()) -> dict[dt.date, pd.DataFrame]:
    """:func:`features` on each day of ``cutoffs``, read at once. The days in ``lean`` get only
    ``segment`` of the attributes (the windows that are only fitted and evaluated)."""
    unknown = sorted(set(attributes) - set(ATTRIBUTES))
    if unknown:
        raise ConfigError(f"no customer attribute {', '.join(unknown)} for churn features",
                          f"use some of: {', '.join(ATTRIBUTES)}")
    days = sorted(set(cutoffs))
    cuts = [utc(c) for c in days]
    starts = [c - dt.timedelta(days=window_days) for c in cuts]
    read = _from_days(wh, cuts, starts) or _from_sql(wh, cuts, starts, snapshot, attributes)
    acquired, churned = read.acquired, read.churned
    out = {}
    for i, (day, c) in enumerate(zip(days, cuts, strict=True)):
        stamp = pd.Timestamp(c)
        at_risk = (acquired < stamp) if not snapshot else (acquired.isna() | (acquired < stamp))
        if not snapshot:
            at_risk &= churned.isna() | (churned >= stamp)
        rows = at_risk.to_numpy(dtype=bool)

        def number(name: str, rows: np.ndarray = rows) -> np.ndarray:
            return np.asarray(read.number(name)[rows])

        names = ("segment",) if day in lean and "segment" in attributes else attributes
        # built as one dict, not column by column: inserting 19 columns of 2.6 M rows into a
        # frame one at a time copied them again and again (1–2 s a day at 10 M)
        cols: dict[str, object] = {"customer_id": read.ids[rows],
                                   "churned_at": churned.array[rows]}
        for name in names:
            cols[name] = read.texts[name][rows]
        # the numbers straight into one float block (a column a row of it): pandas takes it
        # as the frame's one float block, where a dict of 10 columns was stacked into one
        # (a copy of 2.6 M × 10 floats a day at 10 M, 0.5 s)
        block = np.empty((len(NUMBERS), int(rows.sum())))
        at = dict(zip(NUMBERS, block, strict=True))
        at["tenure_years"][:] = ((stamp - acquired.array[rows]).total_seconds()
                                 / (365.25 * 86400))
        np.log1p(number(f"contacts_{i}"), out=at["contacts"])
        at["reopens"][:] = number(f"reopens_{i}")
        at["unresolved_escalations"][:] = number(f"unresolved_escalations_{i}")
        for name, low, span in (("nps", 0.0, 10.0), ("csat", 1.0, 4.0)):
            frac = number(f"{name}_frac_{i}")
            at[f"no_{name}"][:] = np.isnan(frac)
            at[f"last_{name}"][:] = np.where(np.isnan(frac), 0.0, low + span * frac)
        np.log1p(number(f"orders_{i}"), out=at["orders"])
        at["never_ordered"][:] = number(f"orders_ever_{i}") == 0
        # copy=False (pandas 2 copies by default; the stubs leave the argument out)
        frame = pd.concat(  # type: ignore[call-overload]
            [pd.DataFrame(cols), pd.DataFrame(block.T, columns=list(NUMBERS))], axis=1,
            copy=False)
        out[day] = frame
    return out


def features(wh: Warehouse, cutoff: dt.date, window_days: int = 90,
             snapshot: bool = False, attributes: tuple[str, ...] = ATTRIBUTES
             ) -> pd.DataFrame:
    """One row per customer at risk at the start of the day ``cutoff`` (with ``snapshot``:
    every customer acquired before it, churned or not), with the features of
    :mod:`.warehouse`'s docstring, the customer ``attributes`` (default all of ``ATTRIBUTES``)
    and ``churned_at``."""
    return features_at(wh, [cutoff], window_days, snapshot, attributes)[cutoff]
