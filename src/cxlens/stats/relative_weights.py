"""Johnson's relative weights (Johnson 2000): how much of a linear regression's R² each
predictor accounts for, when the predictors are correlated.

With R the predictors' correlation matrix and r their correlations with y, take the symmetric
square root Λ = R^½ = V diag(√λ) Vᵀ (the orthogonal variables Z closest to X, X = Z Λ).
Regress y on Z: β = Λ⁻¹ r. Predictor j's weight is ε_j = Σ_k Λ_jk² β_k². Each column of Λ has
unit sum of squares, so Σ_j ε_j = Σ_k β_k² = rᵀ R⁻¹ r = R². The weights agree closely with the
Shapley-value decomposition of R² (general dominance), which needs 2^p fits instead of one
eigen-decomposition. With uncorrelated predictors, ε_j = r_j².
Standardised coefficients b = R⁻¹ r are returned too: the weights have no sign.
Exactly collinear predictors (a zero eigenvalue) are handled with the pseudo-inverse; predictors
that do not vary get weight 0 and coefficient NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cxlens.stats._arrays import Floats, arr

#: Eigenvalues below this (relative to the largest) count as zero: collinear predictors.
TOLERANCE = 1e-10


@dataclass(frozen=True)
class RelativeWeights:
    """Per predictor: raw weight (sums to ``r2``) and standardised coefficient."""

    weights: Floats
    r2: float
    beta: Floats

    @property
    def shares(self) -> Floats:
        """Each weight as a share of R² (sums to 1); NaN when R² is 0."""
        return self.weights / self.r2 if self.r2 > 0 else np.full_like(self.weights, np.nan)


def relative_weights(x: Any, y: Any) -> RelativeWeights:
    """Relative weights of the columns of ``x`` (n × p) for ``y`` (n); rows with a NaN are
    dropped. Fewer than three complete rows give NaN weights."""
    xs, ys = arr(x), arr(y)
    if xs.ndim == 1:
        xs = xs[:, None]
    if xs.shape[0] != ys.shape[0]:
        raise ValueError(f"x has {xs.shape[0]} rows and y {ys.shape[0]}")
    keep = np.isfinite(ys) & np.isfinite(xs).all(axis=1)
    xs, ys = xs[keep], ys[keep]
    p = xs.shape[1]
    nan = np.full(p, np.nan)
    if xs.shape[0] < 3 or not np.std(ys) > 0:
        return RelativeWeights(nan, float("nan"), nan.copy())
    sd = xs.std(axis=0)
    live = sd > 0
    zx = (xs[:, live] - xs[:, live].mean(axis=0)) / sd[live]
    zy = (ys - ys.mean()) / ys.std()
    n = len(ys)
    return from_correlations(zx.T @ zx / n, zx.T @ zy / n, live)


def from_correlations(rxx: Floats, rxy: Floats, live: Any) -> RelativeWeights:
    """Relative weights from the correlation matrix ``rxx`` of the predictors that vary
    (``live``, a mask over all p predictors) and their correlations ``rxy`` with y: the step
    shared by one fit (:func:`relative_weights`) and a bootstrap replicate's refit from weighted
    moments (:mod:`cxlens.stats.replicates`), so both estimate the same thing."""
    mask = np.asarray(live, dtype=bool)
    p = len(mask)
    lam, vec = np.linalg.eigh(rxx)
    ok = lam > TOLERANCE * max(float(lam.max(initial=0.0)), 1.0)
    root = vec[:, ok] * np.sqrt(lam[ok])          # V √λ (columns kept)
    half = root @ vec[:, ok].T                    # Λ = V √λ Vᵀ
    inv_half = (vec[:, ok] / np.sqrt(lam[ok])) @ vec[:, ok].T
    b_z = inv_half @ rxy
    eps = (half ** 2) @ (b_z ** 2)
    beta_live = ((vec[:, ok] / lam[ok]) @ vec[:, ok].T) @ rxy
    weights = np.zeros(p)
    beta = np.full(p, np.nan)
    weights[mask] = eps
    beta[mask] = beta_live
    return RelativeWeights(weights, float(np.sum(b_z ** 2)), beta)
