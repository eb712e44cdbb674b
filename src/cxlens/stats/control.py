"""Control limits for a figure tracked period by period (Shewhart charts): the one function
the report's trend charts and the control-chart alerts both draw their limits with.

- Shares (successes ``k`` of ``n``): Laney p′ (:mod:`cxlens.stats.laney`). Centre
  p̄ = Σk / Σn over the baseline periods; limits p̄ ± sigmas·σ_z·√(p̄(1 − p̄)/nᵢ), clipped to
  0–1, where σ_z is the baseline's between-period spread in binomial standard errors (1 when
  periods vary only as sampling says, so p′ is then the plain p-chart).
- Anything else with a standard error (NPS, means, quantiles, ratios): centre = the n-weighted
  mean of the baseline figures; limits centre ± sigmas·SEᵢ with each period's true standard
  error (:func:`cxlens.metrics.sampling.standard_error`), never one rebuilt from an interval.

The baseline is the periods the limits are learnt from: every period shown on a report chart,
or the months before the one an alert judges (so a shift does not widen the very limits it is
judged by). A point outside its limits is a signal worth a look, not proof of a cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cxlens.stats._arrays import Floats, arr
from cxlens.stats.laney import sigma_z


@dataclass(frozen=True)
class Limits:
    centre: float
    low: Floats  # per period, in the units of the figures given
    high: Floats
    method: str  # how they were drawn, for a sentence: "Laney p′ (σz 1.40)", "±3 SE"
    sigma_z: float | None = None  # Laney's between-period spread (shares only)


def _weighted_centre(value: Floats, n: Floats) -> float:
    ok = (n > 0) & np.isfinite(value)
    return float((value[ok] * n[ok]).sum() / n[ok].sum()) if ok.any() else float("nan")


def limits(value: Any, n: Any, se: Any = None, *, k: Any = None, baseline: Any = None,
           sigmas: float = 3.0, scale: float = 1.0) -> Limits:
    """Centre and per-period limits for figures ``value`` with sample sizes ``n``.

    Give ``k`` (successes per period) for a share: Laney p′; otherwise ``se`` (each period's
    standard error, same units as ``value``): ±sigmas·SE. ``baseline`` is a boolean mask of
    the periods the centre (and σ_z) are learnt from (default: every period with n > 0);
    ``scale`` is the display factor of a share (100 for percentages).
    """
    v, n_ = arr(value), arr(n)
    base = (n_ > 0) if baseline is None else (np.asarray(baseline, dtype=bool) & (n_ > 0))
    if k is not None:
        pbar, sz = sigma_z(arr(k)[base], n_[base])
        with np.errstate(invalid="ignore", divide="ignore"):
            half = sigmas * sz * np.sqrt(pbar * (1 - pbar) / n_)
        return Limits(pbar * scale, np.clip(pbar - half, 0, 1) * scale,
                      np.clip(pbar + half, 0, 1) * scale, f"Laney p′ (σz {sz:.2f})", sz)
    if se is None:
        raise ValueError("control limits need the successes k (a share) or standard errors")
    s = arr(se)
    centre = _weighted_centre(v[base], n_[base])
    return Limits(centre, centre - sigmas * s, centre + sigmas * s, f"±{sigmas:g} SE")
