"""Benjamini–Hochberg false-discovery-rate control across many segments compared at once."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxlens.stats._arrays import Floats, arr


def benjamini_hochberg(p_values: Any, alpha: float = 0.05) -> tuple[Floats, NDArray[np.bool_]]:
    """(q-values, significant) for p-values; NaN p-values stay NaN and are never significant."""
    p = arr(p_values)
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m:
        order = np.argsort(p[ok])
        ranked = p[ok][order] * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
        out = np.empty(m)
        out[order] = np.clip(adjusted, 0, 1)
        q[ok] = out
    return q, np.where(ok, q <= alpha, False)
