"""Shared kit of the oracle tests: the registry of which catalogue entries have an independent
expected value, the raw SQL runner, and the reference formulas of each measure kind.

Expected values come from hand-written SQL run on the warehouse's own connection (never
through the metric compiler) or from small hand-worked tables; intervals are recomputed here
from the oracle's own counts with scipy / statsmodels, following docs/metrics.md:

- share: Wilson score interval (statsmodels ``proportion_confint(method="wilson")``);
- share difference (NPS-like): Wald on the −1/0/+1 coding, adjusted Wald (n + 3, P + ¾,
  D + ¾; Rocks 2016) below 100 responses;
- mean (and a duration's mean): Student-t interval with the sample SD;
- median / P90: nearest-rank order statistics (an even median averages the two middle values)
  with the order-statistic interval of ranks ⌊np − z√(np(1−p)) + ½⌋ and ⌈np + z√(np(1−p)) + ½⌉,
  clipped to [1, n];
- count and distinct count: exact Poisson (Garwood) interval;
- sum: no interval.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.query import query
from cxlens.metrics.spec import Metric
from cxlens.store.base import Warehouse

MONTH = "date_trunc('month', {col})"
SECS = "(EXTRACT(EPOCH FROM {b}) - EXTRACT(EPOCH FROM {a}))"
Z = float(stats.norm.ppf(0.975))

F = TypeVar("F", bound=Callable[..., Any])

#: Catalogue name (``metric`` or ``metric:variant``) → the tests giving it an expected value.
COVERED: dict[str, set[str]] = {}


def oracle_for(*names: str) -> Callable[[F], F]:
    """Register the decorated test as an independent oracle of ``names``."""
    def mark(test: F) -> F:
        for name in names:
            COVERED.setdefault(name, set()).add(f"{test.__module__}.{test.__name__}")
        return test

    return mark


def catalogue_names(metrics: dict[str, Metric] | None = None) -> list[str]:
    """Every catalogue entry and every variant, as ``query`` accepts them."""
    cat = catalogue() if metrics is None else metrics
    return [f"{m.name}:{v}" if v else m.name for m in cat.values() for v in [None, *m.variants]]


#: Entries being added to the catalogue on other branches (issue 15), with oracles already
#: written against their definitions: each oracle skips, saying so, until its entry exists.
PENDING = frozenset({"resolution_rate", "csat:top_box", "fcr:operational"})


def needs(name: str) -> None:
    """Skip the calling oracle when ``name`` is not (yet) in the catalogue."""
    if name not in catalogue_names():
        assert name in PENDING, f"{name} is neither in the catalogue nor pending"
        pytest.skip(f"{name} is not in the catalogue on this branch (pending from issue 15)")


# -- running both sides -------------------------------------------------------------------


def oracle(wh: Warehouse, sql: str) -> pd.DataFrame:
    """Hand-written SQL on the warehouse's own connection, numbers as floats, periods as
    dates."""
    frame = wh.query_df(sql)
    for col in frame.columns:  # Postgres returns numeric aggregates as Decimal
        if frame[col].map(lambda v: isinstance(v, decimal.Decimal)).any():
            frame[col] = frame[col].astype(float)
    if "period" in frame:
        frame["period"] = pd.to_datetime(frame["period"], utc=True).dt.date
    return frame


def ours(wh: Warehouse, metric: str, by: list[str], grain: str | None = "month",
         company: Sequence[str] = (), **kw: Any) -> pd.DataFrame:
    """cxlens's figures of ``metric``; queried together with ``company`` when given, so the
    shared scans (several metrics of one table in one query, a median and its P90 in one
    sort) are checked against the oracle too, not only a metric computed alone."""
    if not company:  # every row is the metric's (whatever its label: see the xfail in
        return query(metric, by=by, grain=grain, db=wh, **kw)  # test_oracle_journey.py)
    names = [metric, *(c for c in company if c != metric)]
    frame = query(names, by=by, grain=grain, db=wh, **kw)
    return frame[frame["metric"] == metric].reset_index(drop=True)


def alone_and_with(*neighbours: str) -> Any:
    """A ``company`` fixture: each test using it runs twice, its metric asked alone and asked
    together with ``neighbours`` (metrics of the same table that share its scan)."""
    @pytest.fixture(params=["alone", "together"])
    def company(request: pytest.FixtureRequest) -> tuple[str, ...]:
        return () if request.param == "alone" else neighbours

    return company


def against(got: pd.DataFrame, want: pd.DataFrame, keys: list[str],
            min_rows: int = 6) -> pd.DataFrame:
    """cxlens's rows joined to the oracle's: every segment on both sides, none missing."""
    if not keys:
        assert len(got) == len(want) == 1
        return pd.concat([got.reset_index(drop=True), want.reset_index(drop=True)], axis=1)
    m = got.merge(want, on=keys, how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"]
    assert len(m) >= min_rows
    return m


def merged(wh: Warehouse, metric: str, by: list[str], sql: str, grain: str | None = "month",
           min_rows: int = 6, company: Sequence[str] = (), **kw: Any) -> pd.DataFrame:
    keys = [*by, *(["period"] if grain else [])]
    return against(ours(wh, metric, by, grain, company, **kw), oracle(wh, sql), keys,
                   min_rows)


# -- reference formulas, one per measure kind ---------------------------------------------


def close(a: Any, b: Any, tol: float = 1e-9) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=tol, atol=tol, equal_nan=True)


def assert_n(m: pd.DataFrame) -> None:
    """n as the oracle counted it, and the flags docs/metrics.md defines on it: ``no_data``
    when nothing matched, ``insufficient_sample`` below the metric's minimum sample."""
    n = m["n_sql"].to_numpy()
    assert (m["n"].to_numpy() == n).all(), m[["n", "n_sql"]]
    least = resolve(str(m["metric"].iloc[0])).min_sample
    for count, flag in zip(n, m["flag"], strict=True):
        assert (flag == "no_data") == (count == 0), (count, flag)
        assert ("insufficient_sample" in flag) == (0 < count < least), (count, least, flag)


def assert_share(m: pd.DataFrame) -> None:
    """Columns n_sql and k: value = 100 k / n with the Wilson interval."""
    assert_n(m)
    n, k = m["n_sql"].to_numpy(float), m["k"].to_numpy(float)
    close(m["value"], 100 * k / n)
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    close(m["ci_low"], 100 * np.asarray(low), 1e-7)
    close(m["ci_high"], 100 * np.asarray(high), 1e-7)


def share_difference_interval(p: Any, d: Any, n: Any) -> tuple[Any, Any]:
    """Wald interval of (P − D)/n on the −1/0/+1 coding, in points; adjusted Wald below 100."""
    p, d, n = (np.asarray(x, dtype=float) for x in (p, d, n))
    small = n < 100
    n2, p2, d2 = np.where(small, n + 3, n), np.where(small, p + 0.75, p), \
        np.where(small, d + 0.75, d)
    centre = (p2 - d2) / n2
    var = p2 / n2 + d2 / n2 - centre ** 2
    se = np.sqrt(var / n2)
    return (np.clip(100 * (centre - Z * se), -100, 100),
            np.clip(100 * (centre + Z * se), -100, 100))


def assert_share_difference(m: pd.DataFrame) -> None:
    """Columns n_sql, p (positive) and d (negative): value = 100 (p − d) / n, in points."""
    assert_n(m)
    n, p, d = (m[c].to_numpy(float) for c in ("n_sql", "p", "d"))
    close(m["value"], 100 * (p - d) / n)
    low, high = share_difference_interval(p, d, n)
    close(m["ci_low"], low, 1e-7)
    close(m["ci_high"], high, 1e-7)


def assert_mean(m: pd.DataFrame) -> None:
    """Columns n_sql, mean and sd (sample SD): the Student-t interval."""
    assert_n(m)
    n, mean, sd = (m[c].to_numpy(float) for c in ("n_sql", "mean", "sd"))
    close(m["value"], mean, 1e-7)
    with np.errstate(invalid="ignore"):
        half = np.where(n >= 2, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n),
                        np.nan)
    close(m["ci_low"], mean - half, 1e-7)
    close(m["ci_high"], mean + half, 1e-7)


def assert_count(m: pd.DataFrame) -> None:
    """Column n_sql: the count itself, with the exact Poisson (Garwood) interval."""
    assert_n(m)
    n = m["n_sql"].to_numpy(float)
    close(m["value"], n)
    close(m["ci_low"], np.where(n > 0, stats.chi2.ppf(0.025, 2 * n) / 2, 0.0), 1e-7)
    close(m["ci_high"], stats.chi2.ppf(0.975, 2 * n + 2) / 2, 1e-7)


def nearest_rank(values: Sequence[float], p: float) -> tuple[float, float, float]:
    """(quantile, ci_low, ci_high) of ``values`` by nearest rank, written out by hand."""
    x = sorted(float(v) for v in values)
    n = len(x)

    def at(rank: float) -> float:  # 1-based rank, clipped to [1, n]
        return x[int(min(max(rank, 1), n)) - 1]

    if p == 0.5:  # the median of an even count averages the two middle values
        point = (at(np.floor((n + 1) / 2)) + at(np.ceil((n + 1) / 2))) / 2
    else:
        point = at(np.ceil(n * p))
    half = Z * np.sqrt(n * p * (1 - p))
    return point, at(np.floor(n * p - half + 0.5)), at(np.ceil(n * p + half + 0.5))


def quantiles(raw: pd.DataFrame, keys: list[str], p: float) -> pd.DataFrame:
    """Per segment of ``raw`` (columns ``keys`` and x, one row per row of the population):
    n_sql, q, q_low, q_high. A segment whose rows all lack a value has n 0 and no figure."""
    rows = []
    groups = raw.groupby(keys, dropna=False) if keys else [((), raw)]
    for key, part in groups:
        xs = part["x"].dropna().tolist()
        q, lo, hi = nearest_rank(xs, p) if xs else (np.nan, np.nan, np.nan)
        values = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, values, strict=True)), "n_sql": len(xs), "q": q,
                     "q_low": lo, "q_high": hi})
    return pd.DataFrame(rows)


def assert_quantile(m: pd.DataFrame) -> None:
    assert_n(m)
    close(m["value"], m["q"], 1e-9)
    close(m["ci_low"], m["q_low"], 1e-9)
    close(m["ci_high"], m["q_high"], 1e-9)


def quantile_merged(wh: Warehouse, metric: str, by: list[str], sql: str, p: float,
                    grain: str | None = "month", min_rows: int = 6,
                    company: Sequence[str] = (), **kw: Any) -> pd.DataFrame:
    """cxlens's quantile against nearest-rank order statistics of the values ``sql`` selects
    (columns: the ``by`` dimensions, period when there is a grain, and x)."""
    keys = [*by, *(["period"] if grain else [])]
    want = quantiles(oracle(wh, sql), keys, p)
    return against(ours(wh, metric, by, grain, company, **kw), want, keys, min_rows)
