"""Variance of a ratio of means R = x̄ / ȳ (AOV, revenue per customer, handle time per
contact) by the delta method: Var(R) ≈ (Sxx − 2R·Sxy + R²·Syy) / (n·ȳ²), with the sample
variances and covariance of x and y over the n units."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxlens.stats._arrays import Floats, arr


def ratio_variance(n: Any, mean_x: Any, mean_y: Any, var_x: Any, var_y: Any,
                   cov_xy: Any) -> Floats:
    """Delta-method variance of x̄ / ȳ; NaN where n = 0 or ȳ = 0."""
    n_, mx, my, vx, vy, cxy = (arr(v) for v in (n, mean_x, mean_y, var_x, var_y, cov_xy))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = mx / my
        out: Floats = np.clip(vx - 2 * r * cxy + r * r * vy, 0, None) / (n_ * my * my)
    return out
