"""Control limits for a figure tracked period by period (Shewhart charts).

- Shares: the p-chart. Centre p̄ = Σk / Σn over the periods shown; limits
  p̄ ± 3·√(p̄(1 − p̄)/nᵢ), so a period with fewer answers gets wider limits.
- Anything with a standard error (NPS, means): centre = the n-weighted mean of the figures;
  limits centre ± 3·SEᵢ.

A point outside its limits is a signal worth a look, not proof of a cause.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _centre(value: Floats, n: Floats) -> float:
    """n-weighted mean over the periods that have data."""
    ok = (n > 0) & ~np.isnan(value)
    return float((value[ok] * n[ok]).sum() / n[ok].sum()) if ok.any() else float("nan")


def p_chart(p: Any, n: Any, sigmas: float = 3.0) -> tuple[float, Floats, Floats]:
    """Centre and per-period limits for proportions ``p`` (0–1) with sample sizes ``n``."""
    p_, n_ = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    centre = _centre(p_, n_)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = sigmas * np.sqrt(centre * (1 - centre) / n_)
    return centre, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def se_chart(value: Any, se: Any, n: Any, sigmas: float = 3.0) -> tuple[float, Floats, Floats]:
    """Centre (n-weighted mean of ``value``) and limits centre ± sigmas·SE per period."""
    v, s, n_ = (np.asarray(x, dtype=float) for x in (value, se, n))
    centre = _centre(v, n_)
    return centre, centre - sigmas * s, centre + sigmas * s
