"""Is a change between two periods (or two segments) real? Two-sided z tests.

NPS: z = (NPS₂ − NPS₁)/√(Var₁/n₁ + Var₂/n₂). Check: +9.3 points with n 400 vs 350 → z ≈ 1.53,
p ≈ 0.13 (not significant). Proportions: pooled two-proportion z test. Means: Welch's t test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from cxlens.stats._arrays import Floats, arr


def nps_change(nps1: Any, var1: Any, n1: Any, nps2: Any, var2: Any, n2: Any,
               ) -> tuple[Floats, Floats]:
    """(z, p) for NPS in points and variances on the share scale."""
    with np.errstate(invalid="ignore", divide="ignore"):
        se = 100 * np.sqrt(arr(var1) / arr(n1) + arr(var2) / arr(n2))
        z = (arr(nps2) - arr(nps1)) / se
    return z, 2 * stats.norm.sf(np.abs(z))


def proportion_change(k1: Any, n1: Any, k2: Any, n2: Any) -> tuple[Floats, Floats]:
    """(z, p) of the pooled two-proportion z test."""
    k1_, n1_, k2_, n2_ = arr(k1), arr(n1), arr(k2), arr(n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (k1_ + k2_) / (n1_ + n2_)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1_ + 1 / n2_))
        z = (k2_ / n2_ - k1_ / n1_) / se
    return z, 2 * stats.norm.sf(np.abs(z))


def mean_change(n1: Any, mean1: Any, sd1: Any, n2: Any, mean2: Any, sd2: Any,
                ) -> tuple[Floats, Floats]:
    """(t, p) of Welch's unequal-variance t test."""
    n1_, n2_ = arr(n1), arr(n2)
    v1, v2 = arr(sd1) ** 2 / n1_, arr(sd2) ** 2 / n2_
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (arr(mean2) - arr(mean1)) / np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1_ - 1) + v2**2 / (n2_ - 1))
    return t, 2 * stats.t.sf(np.abs(t), df)
