"""Cohen's κ between two raters on pass/fail (the machine and a person), with a bootstrap
interval: shown beside Krippendorff's α (:mod:`cxlens.qa.calibration`) because κ is the
figure QA vendors and most readers know. The two differ only in how chance agreement is
estimated: κ from each rater's own pass rate, α from the pooled one.

The point estimate is scikit-learn's ``cohen_kappa_score`` (the ``text`` extra; without it
:class:`cxlens.extras.MissingExtra` names the extra). The interval resamples the
conversations with replacement, as α's does (seeded, 1,000 resamples by default, percentile
interval, NaN when fewer than half the resamples define κ); on pass/fail the resampled κ is
the same two-by-two formula, computed for all resamples at once rather than by a thousand
calls to scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cxlens.extras import require
from cxlens.qa.calibration import percentile_interval

RESAMPLES = 1000
_CHUNK = 250  # resamples computed at once (bounds memory)
Floats = npt.NDArray[np.float64]


def kappa(first: npt.ArrayLike, second: npt.ArrayLike) -> float:
    """Cohen's κ of two raters' pass/fail (1/0) on the same units; NaN when there are no
    units or chance agreement is total (both raters gave one and the same answer throughout:
    κ is 0/0)."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.size == 0 or _chance(a[None, :], b[None, :])[0] >= 1.0:
        return float("nan")
    require("text", ["sklearn"])
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a.astype(int), b.astype(int), labels=[0, 1]))


def _chance(a: Floats, b: Floats) -> Floats:
    """Chance agreement per row: both pass or both fail by each rater's own pass rate."""
    pa, pb = a.mean(axis=1), b.mean(axis=1)
    out: Floats = pa * pb + (1 - pa) * (1 - pb)
    return out


def _kappas(a: Floats, b: Floats) -> Floats:
    """κ of each row of ``a`` and ``b`` (resamples × units of 1/0)."""
    observed = (a == b).mean(axis=1)
    chance = _chance(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: Floats = np.where(chance < 1.0, (observed - chance) / (1.0 - chance), np.nan)
    return out


def bootstrap(first: npt.ArrayLike, second: npt.ArrayLike, resamples: int = RESAMPLES,
              seed: int | Sequence[int] = 0, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of κ over ``resamples`` draws of units with replacement."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    k = a.size
    if k == 0 or resamples <= 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    found = []
    for start in range(0, resamples, _CHUNK):
        draws = rng.integers(0, k, (min(_CHUNK, resamples - start), k))
        found.append(_kappas(a[draws], b[draws]))
    return percentile_interval(np.concatenate(found), resamples, confidence)


__all__ = ["RESAMPLES", "bootstrap", "kappa"]
