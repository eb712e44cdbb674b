"""Laney p′ control chart for rates tracked period by period.

At contact-centre volumes the plain p-chart's limits p̄ ± 3√(p̄(1 − p̄)/nᵢ) are so tight that
ordinary month-to-month variation (overdispersion) breaches them. Laney (2002) widens them by
the spread actually seen between periods:

    zᵢ = (pᵢ − p̄) / σᵢ,   σᵢ = √(p̄(1 − p̄)/nᵢ)
    σ_z = mean moving range of the zᵢ / 1.128   (d₂ for ranges of two)
    limits = p̄ ± 3 · σᵢ · σ_z

σ_z ≈ 1 when the periods vary only as binomial sampling says (p′ = the p-chart); σ_z > 1 when
they vary more. The limits themselves are drawn by :func:`cxlens.stats.control.limits`, from a
baseline of periods.

Laney, D. B. (2002). Improved control charts for attributes. Quality Engineering 14(4), 531–537.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxlens.stats._arrays import arr

D2 = 1.128  # expected range of two standard normal values


def sigma_z(k: Any, n: Any) -> tuple[float, float]:
    """(p̄, σ_z) of baseline periods with ``k`` successes out of ``n`` (periods with n = 0 are
    left out; fewer than two periods left: σ_z is NaN)."""
    k_, n_ = arr(k), arr(n)
    ok = n_ > 0
    k_, n_ = k_[ok], n_[ok]
    if not len(n_):
        return float("nan"), float("nan")
    centre = float(k_.sum() / n_.sum())
    if len(n_) < 2 or centre in (0.0, 1.0):
        return centre, float("nan")
    z = (k_ / n_ - centre) / np.sqrt(centre * (1 - centre) / n_)
    return centre, float(np.abs(np.diff(z)).mean() / D2)

