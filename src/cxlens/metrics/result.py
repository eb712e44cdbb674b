"""Sufficient statistics from the warehouse → the figure, its interval, n and flag.

Every figure gets ``n`` and an interval; an empty group gives a null value with n = 0 (never
0); n below the metric's minimum sample is flagged ``insufficient_sample``; a figure that lacks a
column it needs is null, flagged ``missing_column`` or ``missing_time`` with a ``note`` naming
the column and the fix (``presence``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from cxlens.errors import CxlensError
from cxlens.metrics.compile import PERIOD, Request
from cxlens.metrics.presence import Missing
from cxlens.metrics.spec import Kind, Metric, Unit
from cxlens.stats import nps_interval, t_interval, wilson_interval
from cxlens.stats._arrays import z_value
from cxlens.stats.ratio import ratio_variance

COLUMNS = ["period", "metric", "value", "n", "ci_low", "ci_high", "flag", "note"]


class MixedFigure(CxlensError):
    code = "mixed_figure"


def finalize(raw: pd.DataFrame, metric: Metric, req: Request,
             confidence: float = 0.95, missing: Sequence[Missing] = ()) -> pd.DataFrame:
    """One row per segment (same index as ``raw``): the dimensions, then ``COLUMNS``. With
    ``missing`` (see ``presence``) every figure is null, flagged with the first problem's
    code, and its note names each missing column and the fix."""
    dims = list(req.dims)
    if raw.empty and not dims and not req.grain:
        raw = pd.DataFrame({"n": [0]})
    _check_uniform(raw, metric)
    n = pd.to_numeric(raw["n"], errors="coerce").fillna(0).to_numpy(dtype=float)
    value, low, high = FIGURES[metric.kind if metric.quantile is None else Kind.MEDIAN](
        raw, metric, n, confidence)
    scale = 100.0 if metric.unit is Unit.PERCENT else 1.0
    out = raw[dims].copy() if dims else pd.DataFrame(index=raw.index)
    out[PERIOD] = raw[PERIOD].dt.date if PERIOD in raw else None
    out["metric"] = metric.full_name
    out["value"] = np.where(n > 0, value * scale, np.nan)
    out["n"] = n.astype(np.int64)
    out["ci_low"] = np.where(n > 0, low * scale, np.nan)
    out["ci_high"] = np.where(n > 0, high * scale, np.nan)
    flag = np.where(n == 0, "no_data", np.where(n < metric.min_sample, "insufficient_sample", ""))
    out["flag"] = flag
    out["note"] = ""
    if missing:
        out[["value", "ci_low", "ci_high"]] = np.nan
        out["flag"] = missing[0].code
        out["note"] = "; ".join(m.note for m in missing)
    return out


def ordered(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Rows sorted by segment and period (nulls last), for display."""
    sort = [c for c in [*dims, PERIOD] if c in frame and frame[c].notna().any()]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True) if sort else frame


def _check_uniform(raw: pd.DataFrame, metric: Metric) -> None:
    for i, col in enumerate(metric.uniform):
        lo, hi = raw.get(f"uniform_{i}_lo"), raw.get(f"uniform_{i}_hi")
        if lo is not None and hi is not None and (lo.notna() & hi.notna() & (lo != hi)).any():
            raise MixedFigure(
                f"{metric.label} would mix different {col} values in one figure",
                f"split with --by {col} or filter with --where, e.g. --where \"{col} = ...\"",
            )


def number(raw: pd.DataFrame, col: str, fill: float | None = None) -> np.ndarray:
    """A statistic as floats (Postgres may return Decimal; empty results are object)."""
    values = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype=float)
    return values if fill is None else np.nan_to_num(values, nan=fill)


def _share(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    k = number(raw, "k", 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
    low, high = wilson_interval(k, n, c)
    return p, low, high


def _share_difference(raw: pd.DataFrame, m: Metric, n: np.ndarray,
                      c: float) -> tuple[np.ndarray, ...]:
    value, low, high = nps_interval(number(raw, "pos", 0.0), number(raw, "neg", 0.0), n, c)
    return value, low, high


def _mean(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    mean = number(raw, "mean")
    low, high = t_interval(n, mean, number(raw, "sd"), c)
    return mean, low, high


def _sum(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    total = number(raw, "total")
    nan = np.full(total.shape, np.nan)
    return total, nan, nan  # a total over a complete log has no sampling interval


def _ratio(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    """Delta method: Var(R) ≈ (Sxx − 2R·Sxy + R²·Syy) / (n·ȳ²)."""
    mx, my = number(raw, "mean_x"), number(raw, "mean_y")
    with np.errstate(invalid="ignore", divide="ignore"):
        r = mx / my
    se = np.sqrt(ratio_variance(n, mx, my, number(raw, "var_x"), number(raw, "var_y"),
                                number(raw, "cov_xy")))
    z = z_value(c)
    return r, r - z * se, r + z * se


def _count(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    """Exact (Garwood) Poisson interval for a count."""
    alpha = 1 - c
    low = np.where(n > 0, sps.chi2.ppf(alpha / 2, 2 * n) / 2, 0.0)
    high = sps.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    return n.astype(float), low, high


def _quantile(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    lo, hi = number(raw, "q_lo"), number(raw, "q_hi")
    return (lo + hi) / 2, number(raw, "ci_lo"), number(raw, "ci_hi")


FIGURES = {
    Kind.SHARE: _share,
    Kind.SHARE_DIFFERENCE: _share_difference,
    Kind.MEAN: _mean,
    Kind.DURATION: _mean,
    Kind.SUM: _sum,
    Kind.RATIO: _ratio,
    Kind.COUNT: _count,
    Kind.DISTINCT_COUNT: _count,
    Kind.MEDIAN: _quantile,
}
