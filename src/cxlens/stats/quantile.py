"""Distribution-free intervals for medians and percentiles (P90 of resolution time, ...).

Resolution and response times are right-skewed, so cxlens reports the median and P90 with an
order-statistic interval: the ranks l < u such that [x₍ₗ₎, x₍ᵤ₎] covers the p-quantile with the
requested confidence, from the normal approximation to Binomial(n, p) with a continuity
correction. The point estimate is the nearest-rank quantile x₍⌈pn⌉₎ (the median of an even
count averages the two middle values). Ranks are computed here and the values looked up in the
warehouse, so every engine returns the same figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxlens.stats._arrays import arr, z_value

Ints = NDArray[np.int64]


def quantile_ranks(n: Any, p: float, confidence: float = 0.95) -> tuple[Ints, Ints, Ints, Ints]:
    """(point_low, point_high, ci_low, ci_high) 1-based ranks, clipped to [1, n]; 0 where n = 0.

    The point estimate is the mean of the values at ``point_low`` and ``point_high`` (equal
    except for the median of an even count).
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    n_ = arr(n)
    z = z_value(confidence)
    half = z * np.sqrt(n_ * p * (1 - p))
    low = np.floor(n_ * p - half + 0.5)
    high = np.ceil(n_ * p + half + 0.5)
    nearest = np.ceil(n_ * p)
    if p == 0.5:
        point_low, point_high = np.floor((n_ + 1) / 2), np.ceil((n_ + 1) / 2)
    else:
        point_low = point_high = nearest

    def clip(r: Any) -> Ints:
        return np.where(n_ > 0, np.clip(r, 1, np.maximum(n_, 1)), 0).astype(np.int64)

    return clip(point_low), clip(point_high), clip(low), clip(high)


def quantile_se(n: Any, p: float, ci_low: Any, ci_high: Any,
                confidence: float = 0.95) -> NDArray[np.float64]:
    """Standard error of the p-quantile from the two order statistics of its interval
    (x₍ₗ₎ = ``ci_low``, x₍ᵤ₎ = ``ci_high``, ranks from :func:`quantile_ranks`):

        SE = (x₍ᵤ₎ − x₍ₗ₎) / (u − l) · √(n·p(1 − p)),

    the asymptotic Var = p(1 − p)/(n·f²) with the density f at the quantile estimated by the
    slope of the sorted values between the two ranks (Siddiqui; Bloch & Gastwirth 1968). The
    ranks are the actual, rounded and clipped ones, so a small sample is not read as if its
    interval spanned 2·z·√(np(1 − p)) ranks. NaN where n = 0 or both ranks coincide (n = 1).
    Check: the values 1…10, median → l = 2, u = 9, SE = 7/7·√2.5 = 1.581.
    """
    n_ = arr(n)
    _, _, low, high = quantile_ranks(n_, p, confidence)
    span = (high - low).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = (arr(ci_high) - arr(ci_low)) / span * np.sqrt(n_ * p * (1 - p))
    return np.where((n_ > 0) & (span > 0), se, np.nan)
