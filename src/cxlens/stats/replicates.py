"""Bootstrap replicates of Johnson's relative weights as weighted refits.

A bootstrap resample ``pick`` (n row numbers drawn with replacement) is the same data set as the
original rows weighted by how often each was drawn, ``np.bincount(pick, minlength=n)``: every
mean, variance and cross-product of the resample is a weighted sum over the original rows. So
the design is standardised once, and a replicate is the weighted Gram matrix of that one
matrix (y appended as a last column), turned into correlations and handed to the same
:func:`~cxlens.stats.relative_weights.from_correlations` as a plain fit. This replaces copying
the n × p rows of every resample (``xs[pick]``), standardising the copy and forming its Gram
matrix — the same statistic up to floating-point rounding, at a fraction of the memory traffic
(on a 10 M-interaction warehouse the copies were two thirds of the key-drivers page's time;
docs/performance.md, "The key-drivers page at 10 M").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxlens.stats._arrays import Floats, arr
from cxlens.stats.relative_weights import RelativeWeights, from_correlations

#: A variance below this, in units of the column's variance over all rows, is zero: the
#: column does not vary among the drawn rows (a plain fit's ``sd > 0`` test, without the
#: rounding left by a weighted sum of squares minus its squared mean).
FLAT = 1e-12
#: Rows weighted at a time when a replicate sums its Gram matrix (about 4 MB at 30 columns).
BLOCK = 16_384


def counts(pick: Any, n: int) -> Floats:
    """How often each of the ``n`` rows is drawn in ``pick``: the resample as row weights."""
    return np.bincount(np.asarray(pick, dtype=np.intp), minlength=n).astype(np.float64)


class Replicates:
    """The rows of ``x`` (n × p) and ``y`` with a NaN dropped, standardised once; each call of
    :meth:`fit` is the relative-weights fit of the rows weighted by ``weights`` — for bootstrap
    counts, the fit of ``relative_weights(x[pick], y[pick])``."""

    def __init__(self, x: Any, y: Any) -> None:
        xs, ys = arr(x), arr(y)
        if xs.ndim == 1:
            xs = xs[:, None]
        if xs.shape[0] != ys.shape[0]:
            raise ValueError(f"x has {xs.shape[0]} rows and y {ys.shape[0]}")
        self.keep = np.isfinite(ys) & np.isfinite(xs).all(axis=1)
        self.p = xs.shape[1]
        #: centred and scaled once, in place (a column that never varies stays all zero): the
        #: weighted moments of a replicate are then of order 1, with no cancellation to speak of
        self.z = np.column_stack([xs[self.keep], ys[self.keep]])
        self.z -= self.z.mean(axis=0)
        sd = np.sqrt(np.einsum("ij,ij->j", self.z, self.z) / max(len(self.z), 1))
        self.z /= np.where(sd > 0, sd, 1.0)

    def fit(self, weights: Any) -> RelativeWeights:
        """Relative weights of the rows weighted by ``weights`` (one per row of ``x``; rows
        with a NaN count for nothing). Under three rows' worth of weight, or a y that does not
        vary, gives NaN weights, as a plain fit does."""
        c = arr(weights)
        c = c if self.keep.all() else c[self.keep]
        total = float(c.sum())
        nan = np.full(self.p, np.nan)
        if total < 3:
            return RelativeWeights(nan, float("nan"), nan.copy())
        mean = c @ self.z / total
        cov = self._gram(c) / total - np.outer(mean, mean)
        var = np.diag(cov)
        if not var[-1] > FLAT:
            return RelativeWeights(nan, float("nan"), nan.copy())
        live = var[:-1] > FLAT
        sd = np.sqrt(var[:-1][live])
        rxx = cov[:-1, :-1][np.ix_(live, live)] / np.outer(sd, sd)
        rxy = cov[:-1, -1][live] / (sd * np.sqrt(var[-1]))
        return from_correlations(rxx, rxy, live)

    def _gram(self, c: Floats) -> Floats:
        """Σ_i c_i z_i z_iᵀ, a block of rows at a time: the weighted rows are never all in
        memory at once (a replicate needs a block, not a copy of the design)."""
        gram = np.zeros((self.p + 1, self.p + 1))
        for start in range(0, len(c), BLOCK):
            part = self.z[start:start + BLOCK] * np.sqrt(c[start:start + BLOCK])[:, None]
            gram += part.T @ part  # A.T @ A: one BLAS syrk
        return gram
