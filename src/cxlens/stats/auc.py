"""Area under the ROC curve: the probability that a score from the high group exceeds one from
the low group (ties count half) — the Mann–Whitney U scaled to 0–1 — and its DeLong standard
error (DeLong, DeLong & Clarke-Pearson 1988, by the midrank formulas of Sun & Xu 2014)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats


def auc(low: npt.ArrayLike, high: npt.ArrayLike) -> float:
    """P(a ``high`` score > a ``low`` score), ties half; NaN when a group is empty."""
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    lo, hi = lo[~np.isnan(lo)], hi[~np.isnan(hi)]
    if not len(lo) or not len(hi):
        return float("nan")
    ranks = stats.rankdata(np.concatenate([lo, hi]))
    u = ranks[len(lo):].sum() - len(hi) * (len(hi) + 1) / 2
    return float(u / (len(lo) * len(hi)))


def delong(y: npt.ArrayLike, score: npt.ArrayLike) -> tuple[float, float]:
    """AUC of ``score`` for the outcome ``y`` and its DeLong standard error (NaN with fewer
    than two of either outcome)."""
    y_, s = np.asarray(y, dtype=bool), np.asarray(score, dtype=float)
    pos, neg = s[y_], s[~y_]
    m, n = len(pos), len(neg)
    if m < 2 or n < 2:
        return float("nan"), float("nan")
    both = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (both[:m] - stats.rankdata(pos)) / n
    v01 = 1.0 - (both[m:] - stats.rankdata(neg)) / m
    return float(v10.mean()), float(np.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n))
