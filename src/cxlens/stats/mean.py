"""Student-t interval for a mean (CES mean, CSAT mean, AHT), from n, mean and the sample SD."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from cxlens.stats._arrays import Floats, arr


def t_interval(n: Any, mean: Any, sd: Any, confidence: float = 0.95) -> tuple[Floats, Floats]:
    """Lower and upper bounds; NaN where n < 2 (no spread can be estimated from one value)."""
    n_, m, s = arr(n), arr(mean), arr(sd)
    ok = n_ >= 2
    df = np.where(ok, n_ - 1, 1)
    t = stats.t.ppf(0.5 + confidence / 2, df)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t * s / np.sqrt(n_)
    return np.where(ok, m - half, np.nan), np.where(ok, m + half, np.nan)


def sd_from_sums(n: Any, total: Any, total_sq: Any) -> Floats:
    """Sample SD from Σx and Σx² (what a warehouse returns); NaN where n < 2."""
    n_, s, s2 = arr(n), arr(total), arr(total_sq)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (s2 - s * s / n_) / (n_ - 1)
    return np.where(n_ >= 2, np.sqrt(np.clip(var, 0, None)), np.nan)
