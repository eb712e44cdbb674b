"""Net Promoter Score interval.

Each respondent is coded +1 (promoter, 9–10), 0 (passive) or −1 (detractor, 0–6); NPS is the
mean × 100. Var = p + d − (p − d)² with p, d the promoter and detractor shares; SE = √(Var/n).
Small samples use the adjusted Wald interval (Rocks 2016): n′ = n + 3, P′ = P + ¾, D′ = D + ¾.
Check: n 1000, 250 promoters, 75 detractors → 17.5, Wald 95 % CI ≈ (14.1, 20.9).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from cxlens.stats._arrays import Floats, arr, z_value

#: Below this many responses the adjusted Wald interval is used (it is never narrower).
ADJUSTED_BELOW = 100


def nps_variance(promoters: Any, detractors: Any, n: Any) -> Floats:
    """Variance of the −1/0/+1 score (on the share scale, not points)."""
    p_, d_, n_ = arr(promoters), arr(detractors), arr(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = p_ / n_, d_ / n_
        return np.where(n_ > 0, p + d - (p - d) ** 2, np.nan)


def nps_interval(promoters: Any, detractors: Any, n: Any, confidence: float = 0.95,
                 method: Literal["auto", "wald", "adjusted"] = "auto",
                 ) -> tuple[Floats, Floats, Floats]:
    """(NPS, low, high) in points (−100…100). ``auto`` uses adjusted Wald below 100 responses."""
    p_, d_, n_ = arr(promoters), arr(detractors), arr(n)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n_ > 0, 100 * (p_ - d_) / n_, np.nan)
        adjusted = (n_ < ADJUSTED_BELOW) if method == "auto" else np.full(n_.shape,
                                                                          method == "adjusted")
        na = np.where(adjusted, n_ + 3, n_)
        pa = np.where(adjusted, p_ + 0.75, p_)
        da = np.where(adjusted, d_ + 0.75, d_)
        centre = (pa - da) / na
        se = np.sqrt(nps_variance(pa, da, na) / na)
    low = np.where(n_ > 0, np.clip(100 * (centre - z * se), -100, 100), np.nan)
    high = np.where(n_ > 0, np.clip(100 * (centre + z * se), -100, 100), np.nan)
    return value, low, high
