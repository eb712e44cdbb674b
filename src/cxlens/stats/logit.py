"""Maximum-likelihood logistic regression by Newton's method: statsmodels' ``Logit(...).fit(
method="newton")`` (the same steps, stopping rule and covariance: the inverse information at
the answer), with one evaluation of the risks per step.

statsmodels evaluates the likelihood, the score and the Hessian apart, each recomputing the
risks of every row, and checks the design's rank with a QR decomposition: over the 2.6 M
customers of the churn windows at 10 M a fit took 0.6 s a step. Here a step computes the risks
once and the information matrix in blocks of rows (no n × k temporary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

Arr = npt.NDArray[np.float64]
#: Stop when no parameter moves by this much in a step (statsmodels' default for Newton).
TOL = 1e-8
#: Rows per block of the information matrix.
BLOCK = 1 << 16


@dataclass(frozen=True)
class Fit:
    params: Arr
    cov: Arr  # inverse information matrix at ``params``
    converged: bool
    iterations: int

    @property
    def bse(self) -> Arr:
        return np.asarray(np.sqrt(np.maximum(np.diag(self.cov), 0.0)), dtype=np.float64)


def information(x: Arr, w: Arr) -> Arr:
    """Xᵀ diag(w) X, summed over blocks of rows."""
    k = x.shape[1]
    out = np.zeros((k, k))
    for start in range(0, len(x), BLOCK):
        block = x[start:start + BLOCK]
        out += block.T @ (block * w[start:start + BLOCK, None])
    return out


def logit(y: Arr, x: Arr, offset: Arr | None = None, start: Arr | None = None,
          maxiter: int = 35) -> Fit:
    """Logistic regression of 0/1 ``y`` on the columns of ``x`` (with an ``offset`` on the
    linear predictor), from ``start`` (default 0). Raises ``np.linalg.LinAlgError`` when the
    information matrix is singular (e.g. a constant column besides the intercept)."""
    beta = np.zeros(x.shape[1]) if start is None else np.asarray(start, dtype=np.float64)
    off = 0.0 if offset is None else offset
    converged, steps = False, 0
    while steps < maxiter and not converged:
        p = special.expit(x @ beta + off)
        step = np.linalg.solve(information(x, p * (1 - p)), x.T @ (y - p))
        beta = beta + step
        steps += 1
        converged = bool(np.all(np.abs(step) <= TOL))
    p = special.expit(x @ beta + off)
    cov = np.linalg.inv(information(x, p * (1 - p)))
    return Fit(np.asarray(beta, dtype=np.float64), np.asarray(cov, dtype=np.float64),
               converged, steps)
