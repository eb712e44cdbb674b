"""Statistics kept per period and brought up to date by recomputing only the periods a change
can have moved (issue 18: a day synced into a big warehouse reaches the pages in seconds).

A request for statistics with periods (``--grain``) keeps its per-period frame; one without
keeps a frame per month and sums it (counts, sums, shares, means and SDs, ratios: every
sufficient statistic that adds up exactly; medians, P90s, distinct counts and per-entity
shares have no such sum and are computed in full). Each frame is kept with the data versions
of the tables it reads. When they have moved, the change log
(:mod:`cxlens.store.changes`) says which times of the metric's own table the changes touched
— directly, or through a changed row it joins (its interaction, its customer) — and only the
periods holding those times are computed again, from the warehouse, and put in place of the
kept ones. A period's statistics depend on that period's rows only, so the result is the full
computation's: the same rows, the same formulas (tests/metrics/test_partials.py).

Medians and P90s without periods keep each month's sorted values instead (``"lists"``), as
DuckDB's query gathers them; the months' values together, picked at the same ranks, are the
query's order statistics, so they are exact too and a day costs its own month's values.

Kept whole, and computed again in full when a table they read changes: metrics on customer
periods (they read spans of the whole data), those using derived window columns (a customer's
next contact moves with a contact at any earlier time), and requests without periods whose
statistics neither add up nor are quantiles of one scan (distinct counts, per-entity shares).
Computed in full as well: after a change the log does not describe (a settings change, an
erasure, a survey run: no entry, the chain breaks). Never kept: business-hours metrics (they
read the stored working schedule), and warehouses other than DuckDB (on Postgres two workers'
bumps may interleave, so a chain is not proof of what changed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
import warnings
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlens.metrics import relations
from cxlens.metrics.compile import PERIOD, ROWS, STATS, Request, list_columns, needed_columns
from cxlens.metrics.spec import Kind, Metric
from cxlens.schema import TABLES
from cxlens.stats.quantile import quantile_ranks
from cxlens.store import changes
from cxlens.store.base import Warehouse

#: Warehouses whose bumps form one chain: a single writing process.
DIALECTS = ("duckdb",)
#: Kept frames, least recently used dropped first (each is a few rows per segment and period).
ENTRIES = 2048
#: Kinds whose statistics add up over periods exactly (with ``quantile`` and ``per`` unset).
ADDITIVE = frozenset({Kind.SHARE, Kind.SHARE_DIFFERENCE, Kind.MEAN, Kind.DURATION, Kind.SUM,
                      Kind.RATIO, Kind.COUNT})
#: The grain of the frames kept for a request without periods.
MONTH = "month"
#: Bytes of sorted values kept for quantiles at most, least recently used dropped first
#: (at 10 M interactions the pre-computation's five quantile requests hold about 200 MB).
VALUES = 512 * 2**20

#: Computes a request's statistics (one frame per metric) from the warehouse, given the data
#: versions already read for it (None: not read), which ``prepared.frame`` then need not read.
Compute = Callable[[Request, Mapping[str, str] | None], list[pd.DataFrame]]


@dataclass
class _Kept:
    frames: list[pd.DataFrame]
    versions: dict[str, str | None]
    start: dt.datetime | None  # the range the frames were computed for (naive UTC)
    end: dt.datetime | None
    values: int = 0  # bytes of sorted values held (``"lists"``)


_kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
#: Per request without its range, the key of the newest kept frames: a window that slid
#: (the last twelve months, a month later) starts from them.
_latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
#: Per request family, the statistics its metrics without a row in any month had in the last
#: full computation (None for the others): see :func:`_no_rows`.
_empty: dict[tuple[Any, ...], list[pd.DataFrame | None]] = {}
_guard = threading.Lock()
#: How each request was answered since the process started (``hit``, ``patched``, ``full``,
#: also per mode as ``full:MODE``, ``uncached``): read by the bench and the tests.
counts: Counter[str] = Counter()


def clear() -> None:
    """Forget every kept frame (the next request of each computes in full)."""
    with _guard:
        _kept.clear()
        _latest.clear()
        _empty.clear()


def combinable(metric: Metric) -> bool:
    """Whether the metric's statistics over a range are the sum of its months'."""
    return metric.kind in ADDITIVE and metric.quantile is None and metric.per is None


def _derived(metric: Metric) -> frozenset[str]:
    return frozenset(relations.derived_columns().get(metric.source, {}))


def mode(metrics: Sequence[Metric], req: Request, *, listed: bool = False) -> str | None:
    """``"periods"`` (kept per period of the request), ``"months"`` (kept per month, summed),
    ``"lists"`` (quantiles: each month's sorted values kept, merged; when ``listed``, i.e.
    the caller can compute them), ``"whole"`` (kept as computed, computed again when a table
    it reads changes) or None (computed every time: business hours read the stored working
    schedule)."""
    if any(m.hours != "calendar" for m in metrics):
        return None
    for metric in metrics:
        if metric.source == relations.CUSTOMER_PERIODS:
            return "whole"
        needed = needed_columns(metric, req)
        if needed & _derived(metric):
            return "whole"
        if req.grain is None and relations.PERIOD_START in needed:
            return "whole"  # the range's start, not a month's
    if req.grain is not None:
        return "periods"
    if all(combinable(m) for m in metrics):
        return "months"
    if listed and all(m.quantile is not None and m.per is None for m in metrics):
        return "lists"
    return "whole"


def reads(metric: Metric, req: Request) -> frozenset[str]:
    """The tables a metric's relation can read: its own, the interactions it is about, the
    customers of its rows (customer periods: the customers, and their orders and support
    history when the metric or the request uses them)."""
    if metric.source == relations.CUSTOMER_PERIODS:
        needed = needed_columns(metric, req)
        return frozenset({"customers"}
                         | ({"orders"} if needed & set(relations.CUSTOMER_PERIOD_ORDERS) else set())
                         | ({"interactions"} if needed & set(relations.CUSTOMER_PERIOD_SUPPORT)
                            else set()))
    out = {metric.source}
    if metric.source in relations.ABOUT_AN_INTERACTION:
        out.add("interactions")
    if "customer_id" in TABLES[metric.source].column_names:
        out.add("customers")
    return frozenset(out)


def kept(wh: Warehouse, metrics: Sequence[Metric], req: Request, compute: Compute,
         lists: Compute | None = None) -> list[pd.DataFrame]:
    """``compute(req, versions)`` (one statistics frame per metric), answered from the kept
    frames when the data has not moved and patched period by period when it has (see the
    module). ``lists``: for quantiles, the query of ``compile.compile_fused(..., picked=False)``
    as one frame (its sorted lists as arrays, ``prepared.frame(arrays=True)``). The data
    versions are read once here and handed to every computation (one meta query a request)."""
    how = mode(metrics, req, listed=lists is not None) if wh.dialect in DIALECTS else None
    now = changes.versions(wh) if how is not None else None
    if how is None or not now:  # no version stamped: nothing tells this data apart
        counts["uncached"] += 1
        return compute(req, now)
    inner = req if req.grain is not None or how == "whole" else \
        dataclasses.replace(req, grain=MONTH)
    tables = sorted(frozenset().union(*(reads(m, req) for m in metrics)))
    current: dict[str, str | None] = {"": now.get("")} | {t: now.get(t) for t in tables}
    family = (wh.url, how, tuple(m.model_dump_json() for m in metrics),
              repr(dataclasses.replace(req, start=None, end=None)))
    key = (*family, req.start, req.end)
    with _guard:
        entry = _kept.get(key) or (None if how == "whole" else
                                   _kept.get(_latest.get(family, ())))
    frames = None
    run = lists if how == "lists" and lists is not None else compute
    if entry is not None and how == "whole":
        frames = entry.frames if _untouched(wh, metrics, entry, current) else None
        counts["hit"] += frames is not None
    elif entry is not None:
        frames = _brought_up(wh, metrics, inner, entry, current, run, now)
    if frames is None:
        counts["full"] += 1
        counts[f"full:{how}"] += 1
        frames = run(inner, now) if how == "whole" else [_sorted(f, inner)
                                                         for f in run(inner, now)]
    with _guard:
        _kept[key] = _Kept(frames, current, _opt(req.start), _opt(req.end),
                           _values(frames, metrics) if how == "lists" else 0)
        _kept.move_to_end(key)
        _latest[family] = key
        while len(_kept) > ENTRIES:
            _kept.popitem(last=False)
        held = sum(e.values for e in _kept.values())
        for old in [k for k, e in _kept.items() if e.values]:
            if held <= VALUES or old == key:
                break
            held -= _kept.pop(old).values
    if inner is req:
        return [f.copy() for f in frames]
    if how == "lists":
        picked = _picked(frames[0], list(metrics), req)
        return compute(req, now) if picked is None else picked
    out = [_total(f, m, req) for f, m in zip(frames, metrics, strict=True)]
    if any(o is None for o in out):  # a metric without a single row, and no segments
        return _no_rows(family, out, req, compute, now)
    return [o for o in out if o is not None]


def _no_rows(family: tuple[Any, ...], out: list[pd.DataFrame | None], req: Request,
             compute: Compute, versions: Mapping[str, str]) -> list[pd.DataFrame]:
    """The totals, where the metrics without a row in any month (``None`` in ``out``) take
    the statistics a full computation gives them. Those are its aggregates over a scan in
    which no row is in their population — sums of nothing (0), extremes and means of nothing
    (null) — so they depend on nothing but whether the scan read a row at all, which it did
    when another metric of the request has one. They are computed in full once and reused
    while that holds (relational NPS asked per vendor: its answers are about no contact, and
    a full scan of every answer joined to every contact each time cost a second at 10 M)."""
    if all(o is None for o in out):  # no row for any metric: whether the scan read any is unknown
        return compute(req, versions)
    with _guard:
        known = _empty.get(family)
    if known is not None:
        taken = [o if o is not None else None if k is None else k.copy()
                 for o, k in zip(out, known, strict=True)]
        if all(t is not None for t in taken):
            counts["no rows: kept"] += 1
            return [t for t in taken if t is not None]
    full = compute(req, versions)
    with _guard:
        _empty[family] = [f if o is None else None for o, f in zip(out, full, strict=True)]
    return full


def _moved(wh: Warehouse, entry: _Kept, current: dict[str, str | None],
           ) -> list[changes.Change] | None:
    """The changes since the kept versions, over every table read (none when nothing
    moved); None when they cannot be known: everything was bumped, or a chain is broken."""
    if entry.versions.get("") != current[""] or entry.versions.keys() != current.keys():
        return None
    moved: list[changes.Change] = []
    for table, version in current.items():
        if table and entry.versions[table] != version:
            walked = changes.chain(wh, table, entry.versions[table], version)
            if walked is None:
                return None
            moved += walked
    return moved


def _untouched(wh: Warehouse, metrics: Sequence[Metric], entry: _Kept,
               current: dict[str, str | None]) -> bool:
    """Whether frames kept whole still hold: the same versions, or changes of the tables they
    read that touched no row of the metrics' own tables (new contacts under no follow-up
    case leave the cases' figures as they were). Customer periods are made from the whole
    customers table: any change counts."""
    if entry.versions == current:
        return True
    if any(m.source == relations.CUSTOMER_PERIODS for m in metrics):
        return False
    moved = _moved(wh, entry, current)
    own = {m.source for m in metrics}
    return moved is not None and not any(own & set(c.ranges) for c in moved)


Bound = dt.datetime | None  # naive UTC; None: unbounded
_TICK = dt.timedelta(microseconds=1)


def _opt(value: dt.datetime | None) -> Bound:
    return None if value is None else _naive(value)


def _brought_up(wh: Warehouse, metrics: Sequence[Metric], req: Request, entry: _Kept,
                current: dict[str, str | None], compute: Compute, versions: Mapping[str, str],
                ) -> list[pd.DataFrame] | None:
    """The kept frames at the current versions and ``req``'s range, or None when they
    cannot be brought there (then everything is computed). ``versions``: every version as
    read, handed to ``compute``."""
    moved = _moved(wh, entry, current)
    if moved is None:
        return None
    regions: list[tuple[Bound, Bound]] = []  # times whose periods are computed again
    for m in metrics:
        span = changes.hull(moved, m.source, m.time)
        if span is not None:
            regions.append((_naive(span[0]), _naive(span[1]) + _TICK))
    start, end = _opt(req.start), _opt(req.end)
    if start != entry.start:  # a window that slid: the periods between its two starts
        regions.append((None, _later(start, entry.start)) if None in (start, entry.start)
                       else (min(start, entry.start), max(start, entry.start)))  # type: ignore[type-var]
    if end != entry.end:
        regions.append((_earlier(end, entry.end), None) if None in (end, entry.end)
                       else (min(end, entry.end), max(end, entry.end)))  # type: ignore[type-var]
    assert req.grain is not None
    covers = _covers(regions, req.grain)
    if not covers and (start, end) == (entry.start, entry.end):
        counts["hit" if entry.versions == current else "patched"] += 1
        return entry.frames
    counts["patched"] += 1
    fresh: list[list[pd.DataFrame]] = []
    for lo, hi in covers:
        lo2 = lo if start is None else (start if lo is None else max(lo, start))
        hi2 = hi if end is None else (end if hi is None else min(hi, end))
        if lo2 is not None and hi2 is not None and lo2 >= hi2:
            continue
        fresh.append(compute(dataclasses.replace(
            req, start=None if lo2 is None else lo2.replace(tzinfo=dt.UTC),
            end=None if hi2 is None else hi2.replace(tzinfo=dt.UTC)), versions))
    out = []
    for i, old in enumerate(entry.frames):
        when = pd.to_datetime(old[PERIOD])
        if getattr(when.dt, "tz", None) is not None:
            when = when.dt.tz_convert("UTC").dt.tz_localize(None)
        drop = pd.Series(False, index=old.index)
        for lo, hi in covers:
            drop |= (when >= lo if lo is not None else True) & (when < hi if hi is not None
                                                                 else True)
        if start is not None:  # periods wholly before the range
            drop |= when < start_of(start, req.grain)
        if end is not None:
            drop |= when >= end
        parts = [p for p in (old[~drop], *(f[i] for f in fresh)) if len(p)]
        out.append(_sorted(_stacked(parts) if parts else old.iloc[:0], req))
    return out


def _stacked(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts one under the other, a column empty in one part taking the type the others
    give it (kept periods where a statistic is null, e.g. an SD of one answer, beside computed
    ones where it is not): the type a full computation gives."""
    if len(parts) == 1:
        return parts[0]
    types: dict[str, Any] = {}
    for part in parts:
        for col in part.columns:
            if col not in types and part[col].notna().any():
                types[col] = part[col].dtype
    aligned = []
    for part in parts:
        for col in part.columns:
            if col in types and part[col].isna().all() and part[col].dtype != types[col]:
                with contextlib.suppress(TypeError, ValueError):  # e.g. NaN into integers
                    part = part.astype({col: types[col]})
        aligned.append(part)
    with warnings.catch_warnings():  # (pandas warns of all-empty columns; typed above)
        warnings.filterwarnings("ignore", "The behavior of DataFrame concatenation",
                                FutureWarning)
        return pd.concat(aligned, ignore_index=True)


def _later(a: Bound, b: Bound) -> Bound:
    return a if b is None else b if a is None else max(a, b)


def _earlier(a: Bound, b: Bound) -> Bound:
    return a if b is None else b if a is None else min(a, b)


def _covers(regions: list[tuple[Bound, Bound]], grain: str) -> list[tuple[Bound, Bound]]:
    """The regions widened to whole periods, overlapping ones merged, in order."""
    wide = sorted(((None if lo is None else start_of(lo, grain),
                    None if hi is None else next_start(start_of(hi - _TICK, grain), grain))
                   for lo, hi in regions if lo is None or hi is None or lo < hi),
                  key=lambda r: (r[0] is not None, r[0] or dt.datetime.min))
    out: list[tuple[Bound, Bound]] = []
    for lo, hi in wide:
        if out and (out[-1][1] is None or lo is None or lo <= out[-1][1]):
            prev = out[-1]
            out[-1] = (prev[0], None if hi is None or prev[1] is None else max(prev[1], hi))
        else:
            out.append((lo, hi))
    return out


def _naive(value: dt.datetime) -> dt.datetime:
    """UTC wall time without a zone: what the warehouse's periods are cut on."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def start_of(value: dt.datetime, grain: str) -> dt.datetime:
    """The start of the ``grain`` period holding ``value`` (weeks start on Monday), as the
    warehouse truncates (``Engine.truncate``)."""
    day = dt.datetime(value.year, value.month, value.day)
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=3 * ((value.month - 1) // 3) + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown grain {grain!r}")


def next_start(start: dt.datetime, grain: str) -> dt.datetime:
    """The start of the period after the one starting at ``start``."""
    if grain in ("day", "week"):
        return start + dt.timedelta(days=1 if grain == "day" else 7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1)


def _sorted(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    keys = [k for k in (*req.dims, PERIOD) if k in frame.columns]
    if not keys or frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


_SUMMED = ("n", "k", "pos", "neg", "total")


def _values(frames: list[pd.DataFrame], metrics: Sequence[Metric]) -> int:
    """Bytes of the arrays held in the frames' list columns (the metrics' sorted lists, as
    ``compile.list_columns`` names them)."""
    listed = {c for c in list_columns(list(metrics)) if c is not None}
    return sum(a.nbytes for f in frames for c in f.columns if c in listed
               for a in f[c] if a is not None)


def _segments(frame: pd.DataFrame, dims: list[str],
              ) -> list[tuple[tuple[Any, ...], pd.DataFrame]]:
    """The frame's rows per segment, in order; a segment without a value (null) keyed None,
    as the warehouse gives it, not pandas's NaN."""
    if not dims:
        return [((), frame)]
    out = []
    for key, g in frame.groupby(dims, dropna=False, sort=True):
        values: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
        out.append((tuple(None if frame[d].dtype == object and pd.isna(v) else v
                          for d, v in zip(dims, values, strict=True)), g))
    return out


def _picked(frame: pd.DataFrame, metrics: list[Metric], req: Request,
            ) -> list[pd.DataFrame] | None:
    """Quantiles over the months of ``frame`` (``compile_fused(..., picked=False)`` per
    month: each month's rows in the population and sorted values), per segment: the values
    of every month together, and the order statistics at the ranks the SQL picks
    (``stats.quantile.quantile_ranks``, the formula of ``compile._ranks``): what the query
    without periods gives, segment for segment (None when there is nothing and no segments
    to make a row of)."""
    dims = list(req.dims)
    if frame.empty and not dims:
        return None
    columns = list_columns(metrics)
    rows: list[list[dict[str, Any]]] = [[] for _ in metrics]
    for key, g in _segments(frame, dims):
        merged: dict[str, np.ndarray] = {}
        for i, metric in enumerate(metrics):
            column, p = columns[i], metric.quantile
            assert column is not None and p is not None
            if dims and not pd.to_numeric(g[f"m{i}__{ROWS}"], errors="coerce").fillna(0).sum():
                continue  # no row of the metric in this segment (``split_fused``)
            if column not in merged:
                held = [a for a in g[column] if a is not None and len(a)]
                merged[column] = np.concatenate(held) if held else np.empty(0)
            xs = merged[column]
            row = dict(zip(dims, key, strict=True)) | {"n": len(xs)}
            if len(xs):  # 0-based places of the four order statistics in the sorted values
                at = np.asarray(quantile_ranks(len(xs), p)).ravel() - 1
                row |= dict(zip(STATS, np.partition(xs, np.unique(at))[at].tolist(),
                                strict=True))
            else:
                row |= dict.fromkeys(STATS, np.nan)
            rows[i].append(row)
    out = []
    for i in range(len(metrics)):
        part = pd.DataFrame(rows[i], columns=[*dims, "n", *STATS])
        out.append(part.astype({"n": "int64"} | dict.fromkeys(STATS, "float64")))
    return out


def _total(frame: pd.DataFrame, metric: Metric, req: Request) -> pd.DataFrame | None:
    """A metric's monthly statistics summed over the months, per segment: what computing it
    without periods gives (None when there is nothing and no segments to make a row of)."""
    dims = list(req.dims)
    if frame.empty and not dims:
        return None
    data = frame.drop(columns=[PERIOD])
    rows = []
    for key, g in _segments(data, dims):
        row: dict[str, Any] = dict(zip(dims, key, strict=True))
        for col in _SUMMED:
            if col in g:
                row[col] = g[col].sum(min_count=1)
        for col in g.columns:  # a column that must be uniform: its extent over the months
            if col.startswith("uniform_") and col.endswith("_lo"):
                row[col] = g[col].dropna().min() if g[col].notna().any() else None
            elif col.startswith("uniform_") and col.endswith("_hi"):
                row[col] = g[col].dropna().max() if g[col].notna().any() else None
        if "mean" in g:
            row |= _pooled(g, "n", ("mean", "sd"))
        if "mean_x" in g:
            row |= _pooled(g, "n", ("mean_x", "var_x"), ("mean_y", "var_y"), cov="cov_xy")
        rows.append(row)
    return pd.DataFrame(rows, columns=list(data.columns))


def _pooled(g: pd.DataFrame, count: str, *pairs: tuple[str, str], cov: str | None = None,
            ) -> dict[str, float]:
    """Means and spreads of several parts as one: the parts' means weighted by their counts;
    the sums of squares within parts plus those of the parts' means about the whole's (SDs
    for ``sd`` columns, variances for ``var_`` ones); the co-moment likewise for ``cov``."""
    n = pd.to_numeric(g[count], errors="coerce").fillna(0).to_numpy(float)
    total = float(n.sum())
    out: dict[str, float] = {}
    centred: list[np.ndarray] = []
    for mean_col, spread_col in pairs:
        mean = pd.to_numeric(g[mean_col], errors="coerce").to_numpy(float)
        has = n > 0
        whole = float((n[has] * mean[has]).sum() / total) if total > 0 else float("nan")
        out[mean_col] = whole
        spread = pd.to_numeric(g[spread_col], errors="coerce").to_numpy(float)
        within = spread ** 2 if spread_col.startswith("sd") else spread
        within = np.where((n > 1) & np.isfinite(within), within, 0.0)
        dev = np.where(has, mean - whole, 0.0)
        centred.append(dev)
        squares = float(((n - 1).clip(min=0) * within).sum() + (n * dev ** 2).sum())
        value = squares / (total - 1) if total > 1 else float("nan")
        out[spread_col] = float(np.sqrt(value)) if spread_col.startswith("sd") else value
    if cov is not None:
        c = pd.to_numeric(g[cov], errors="coerce").to_numpy(float)
        c = np.where((n > 1) & np.isfinite(c), c, 0.0)
        co = float(((n - 1).clip(min=0) * c).sum() + (n * centred[0] * centred[1]).sum())
        out[cov] = co / (total - 1) if total > 1 else float("nan")
    return out
