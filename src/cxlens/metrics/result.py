"""Sufficient statistics from the warehouse → the figure, its interval, n and flag.

Every figure gets ``n`` and an interval; an empty group gives a null value with n = 0 (never
0); n below the metric's minimum sample is flagged ``insufficient_sample``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from cxlens.errors import CxlensError
from cxlens.metrics.compile import PERIOD, Request
from cxlens.metrics.spec import Kind, Metric, Unit
from cxlens.stats import nps_interval, t_interval, wilson_interval
from cxlens.stats._arrays import z_value

COLUMNS = ["period", "metric", "value", "n", "ci_low", "ci_high", "flag"]


class MixedFigure(CxlensError):
    code = "mixed_figure"


def finalize(raw: pd.DataFrame, metric: Metric, req: Request,
             confidence: float = 0.95) -> pd.DataFrame:
    """One row per segment: the dimensions, then ``COLUMNS``."""
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
    sort = [c for c in [*dims, PERIOD] if c in out and out[c].notna().any()]
    return out.sort_values(sort, kind="stable").reset_index(drop=True) if sort else out


def _check_uniform(raw: pd.DataFrame, metric: Metric) -> None:
    for i, col in enumerate(metric.uniform):
        mixed = raw.get(f"uniform_{i}")
        if mixed is not None and (pd.to_numeric(mixed).fillna(0) > 1).any():
            raise MixedFigure(
                f"{metric.label} would mix different {col} values in one figure",
                f"split with --by {col} or filter with --where, e.g. --where \"{col} = ...\"",
            )


def _share(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    k = raw["k"].fillna(0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
    low, high = wilson_interval(k, n, c)
    return p, low, high


def _share_difference(raw: pd.DataFrame, m: Metric, n: np.ndarray,
                      c: float) -> tuple[np.ndarray, ...]:
    value, low, high = nps_interval(raw["pos"].fillna(0), raw["neg"].fillna(0), n, c)
    return value, low, high


def _mean(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    mean = raw["mean"].to_numpy(dtype=float)
    low, high = t_interval(n, mean, raw["sd"].to_numpy(dtype=float), c)
    return mean, low, high


def _sum(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    total = raw["total"].to_numpy(dtype=float)
    nan = np.full(total.shape, np.nan)
    return total, nan, nan  # a total over a complete log has no sampling interval


def _ratio(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    """Delta method: Var(R) ≈ (Sxx − 2R·Sxy + R²·Syy) / (n·ȳ²)."""
    mx, my = raw["mean_x"].to_numpy(dtype=float), raw["mean_y"].to_numpy(dtype=float)
    vx, vy = raw["var_x"].to_numpy(dtype=float), raw["var_y"].to_numpy(dtype=float)
    cxy = raw["cov_xy"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = mx / my
        se = np.sqrt(np.clip(vx - 2 * r * cxy + r * r * vy, 0, None) / (n * my * my))
    z = z_value(c)
    return r, r - z * se, r + z * se


def _count(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    """Exact (Garwood) Poisson interval for a count."""
    alpha = 1 - c
    low = np.where(n > 0, sps.chi2.ppf(alpha / 2, 2 * n) / 2, 0.0)
    high = sps.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    return n.astype(float), low, high


def _quantile(raw: pd.DataFrame, m: Metric, n: np.ndarray, c: float) -> tuple[np.ndarray, ...]:
    lo, hi = raw["q_lo"].to_numpy(dtype=float), raw["q_hi"].to_numpy(dtype=float)
    return (lo + hi) / 2, raw["ci_lo"].to_numpy(dtype=float), raw["ci_hi"].to_numpy(dtype=float)


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
