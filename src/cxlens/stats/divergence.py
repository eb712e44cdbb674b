"""Jensen–Shannon divergence between two distributions over the same categories.

JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M) with M = ½ (P + Q), in bits (log base 2), so it lies in
[0, 1]: 0 for identical distributions, 1 for distributions with no category in common. It is
symmetric and defined when one side has zeros (unlike KL). Counts are normalised first.
Check: P = (1, 0), Q = (0, 1) → 1; P = (½, ½), Q = (1, 0) → 0.3113 (= 1.5 − ¾·log₂3).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxlens.stats._arrays import arr


def _kl_bits(p: Any, m: Any) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log2(p[mask] / m[mask])))


def jensen_shannon(p_counts: Any, q_counts: Any) -> float:
    """JS divergence (bits) of two count or probability vectors; NaN when either is empty."""
    p, q = arr(p_counts), arr(q_counts)
    if p.shape != q.shape:
        raise ValueError(f"the two distributions differ in length: {p.shape} vs {q.shape}")
    if p.sum() <= 0 or q.sum() <= 0:
        return float("nan")
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    return max(0.0, 0.5 * _kl_bits(p, m) + 0.5 * _kl_bits(q, m))
