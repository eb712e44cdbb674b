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
import pandas as pd
from numpy.typing import NDArray

from cxlens.stats._arrays import Floats, arr
from cxlens.stats.relative_weights import RelativeWeights, from_correlations

#: A variance below this, in units of the column's variance over all rows, is zero: the
#: column does not vary among the drawn rows (a plain fit's ``sd > 0`` test, without the
#: rounding left by a weighted sum of squares minus its squared mean).
FLAT = 1e-12
#: A column with at most this many distinct values is summed per cell (see :class:`Replicates`).
LEVELS = 64
#: At most this many cells: a discrete column that would make more is summed row by row.
MAX_CELLS = 1 << 15
#: Rows weighted at a time when a replicate sums the row-by-row columns' Gram matrix.
BLOCK = 16_384


def counts(pick: Any, n: int) -> Floats:
    """How often each of the ``n`` rows is drawn in ``pick``: the resample as row weights."""
    return np.bincount(np.asarray(pick, dtype=np.intp), minlength=n).astype(np.float64)


class Replicates:
    """The rows of ``x`` (n × p) and ``y`` with a NaN dropped, standardised once; each call of
    :meth:`fit` is the relative-weights fit of the rows weighted by ``weights`` — for bootstrap
    counts, the fit of ``relative_weights(x[pick], y[pick])``.

    Most of a key-driver design is discrete (yes/no flags, dummy sets, a 1–5 score): the rows
    fall into a few thousand *cells*, each a combination of the discrete columns' values. A
    replicate's sums over those columns are then sums over cells of the cell's weight (one
    ``bincount``), and their cross-products with a continuous column sums over cells of that
    column's weighted sum in the cell; only the few continuous columns are multiplied row by
    row. The arithmetic is the same sums in another order."""

    def __init__(self, x: Any, y: Any, *, max_cells: int = MAX_CELLS) -> None:
        xs, ys = arr(x), arr(y)
        if xs.ndim == 1:
            xs = xs[:, None]
        if xs.shape[0] != ys.shape[0]:
            raise ValueError(f"x has {xs.shape[0]} rows and y {ys.shape[0]}")
        self.keep = np.isfinite(ys) & np.isfinite(xs).all(axis=1)
        self.p = xs.shape[1]
        # centred and scaled once, in place (a column that never varies stays all zero): the
        # weighted moments of a replicate are then of order 1, with no cancellation to speak of
        every = self.keep.all()  # (then no copy of the rows before the one below)
        z = np.column_stack([xs if every else xs[self.keep], ys if every else ys[self.keep]])
        if len(z):  # (no complete row: nothing to centre, and no empty-mean warning)
            z -= z.mean(axis=0)
        sd = np.sqrt(np.einsum("ij,ij->j", z, z) / max(len(z), 1))
        z /= np.where(sd > 0, sd, 1.0)
        self.cell, found = _cells(z, max_cells)
        self.discrete = np.array(found, dtype=np.intp)
        self.dense = np.setdiff1d(np.arange(self.p + 1), self.discrete).astype(np.intp)
        # the row where each cell first appears: where the running highest cell number rises
        first = np.flatnonzero(np.diff(np.maximum.accumulate(self.cell), prepend=-1) > 0)
        #: each cell's value of each discrete column (cells are numbered by first appearance)
        self.values = z[np.ix_(first, self.discrete)]
        self.cells = len(first)
        self.rows = np.asfortranarray(z[:, self.dense])

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
        gram, sums = self._moments(c)
        mean = sums / total
        cov = gram / total - np.outer(mean, mean)
        var = np.diag(cov)
        if not var[-1] > FLAT:
            return RelativeWeights(nan, float("nan"), nan.copy())
        live = var[:-1] > FLAT
        sd = np.sqrt(var[:-1][live])
        rxx = cov[:-1, :-1][np.ix_(live, live)] / np.outer(sd, sd)
        rxy = cov[:-1, -1][live] / (sd * np.sqrt(var[-1]))
        return from_correlations(rxx, rxy, live)

    def _moments(self, c: Floats) -> tuple[Floats, Floats]:
        """Σ_i c_i z_i z_iᵀ and Σ_i c_i z_i over the rows (y the last column)."""
        size = self.p + 1
        gram, sums = np.zeros((size, size)), np.zeros(size)
        weight = np.bincount(self.cell, weights=c, minlength=self.cells)  # per cell
        per_cell = np.column_stack([  # Σ c z_k per cell, for each row-by-row column k
            np.bincount(self.cell, weights=c * self.rows[:, k], minlength=self.cells)
            for k in range(len(self.dense))]) if len(self.dense) else np.zeros((self.cells, 0))
        d, j, v = self.dense, self.discrete, self.values
        # np.einsum, not @: these products are small, and a threaded BLAS on a busy machine
        # took 30 ms for one of them (1 ms unthreaded), the whole replicate's budget
        gram[np.ix_(j, j)] = np.einsum("ci,cj->ij", v, weight[:, None] * v)
        gram[np.ix_(j, d)] = np.einsum("ci,ck->ik", v, per_cell)
        gram[np.ix_(d, j)] = gram[np.ix_(j, d)].T
        gram[np.ix_(d, d)] = self._gram(c)
        sums[j] = np.einsum("ci,c->i", v, weight)
        sums[d] = per_cell.sum(axis=0)
        return gram, sums

    def _gram(self, c: Floats) -> Floats:
        """Σ_i c_i r_i r_iᵀ over the row-by-row columns, a block of rows at a time: the
        weighted rows are never all in memory at once."""
        k = len(self.dense)
        gram = np.zeros((k, k))
        for start in range(0, len(c), BLOCK):
            part = self.rows[start:start + BLOCK]
            gram += np.einsum("ij,ik->jk", part * c[start:start + BLOCK, None], part)
        return gram


def _cells(z: Floats, most: int) -> tuple[NDArray[np.intp], list[int]]:
    """Each row's cell (numbered by first appearance) and the discrete columns that define the
    cells: those with at most ``LEVELS`` distinct values, taken while the cells number at most
    ``most``."""
    cell = np.zeros(len(z), dtype=np.intp)
    found: list[int] = []
    for j in range(z.shape[1]):
        col = z[:, j]
        if len(pd.unique(col[:4096])) > LEVELS:  # plainly continuous: no full pass
            continue
        codes, levels = pd.factorize(col)
        if len(levels) > LEVELS:
            continue
        combined, seen = pd.factorize(cell * len(levels) + codes)
        if len(seen) <= most:
            cell, found = combined.astype(np.intp), [*found, j]
    return cell, found
