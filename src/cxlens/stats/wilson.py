"""Wilson score interval for a proportion (CSAT, FCR, every rate).

p̃ = (p̂ + z²/2n)/(1 + z²/n); half-width = z/(1 + z²/n)·√(p̂(1−p̂)/n + z²/4n²).
Check: 171 of 200 → [0.7995, 0.8971] (statsmodels' proportion_confint, method "wilson").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxlens.stats._arrays import Floats, arr, z_value


def wilson_interval(successes: Any, n: Any, confidence: float = 0.95) -> tuple[Floats, Floats]:
    """Lower and upper bounds; NaN where n = 0."""
    k, n_ = arr(successes), arr(n)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n_
        denom = 1 + z**2 / n_
        centre = (p + z**2 / (2 * n_)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n_ + z**2 / (4 * n_**2))
    low = np.where(n_ > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n_ > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high
