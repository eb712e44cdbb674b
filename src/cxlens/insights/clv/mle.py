"""The optimiser both models share: minimise a negative log-likelihood, given with its
analytic gradient, over the logarithms of positive parameters, inside ±``LOG_BOUND``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize

Arr = npt.NDArray[np.float64]
#: Parameters live in [e^−12, e^12]; an optimum within 1 of that wall is "at the boundary"
#: (e.g. BG/NBD's a → 0: no dropout seen), where single parameters are not identified.
LOG_BOUND = 12.0
#: A non-finite likelihood counts as this (and its gradient as 0): the line search backs off.
WALL = 1e100
#: A negative log-likelihood and its gradient at the optimiser's coordinates.
Objective = Callable[[Arr], tuple[float, Arr]]


@dataclass(frozen=True)
class Optimum:
    theta: Arr  # log parameters
    nll: float  # mean negative log-likelihood per (weighted) row
    converged: bool  # the optimiser reported success
    boundary: tuple[int, ...]  # indices of parameters at the wall

    @property
    def finite(self) -> bool:
        return bool(self.nll < 1e99 and np.all(np.isfinite(self.theta)))


def weighted_sum(w: Arr, terms: Arr) -> float:
    """Σ w·terms in this thread. ``np.dot`` hands a long vector to the threaded BLAS, which on
    a loaded two-core machine stalled 4–5 ms a call waiting for its threads: 160 s of the
    customers page at 10 M went into the likelihood's last line (42,000 BG/NBD evaluations)."""
    return float(np.einsum("i,i->", w, terms))


def weighted_sums(w: Arr, terms: Arr) -> Arr:
    """Σ w·terms[j] for each row j of ``terms`` (k × n), in this thread (see
    :func:`weighted_sum`)."""
    return np.asarray(np.einsum("i,ji->j", w, terms), dtype=np.float64)


def bounded(objective: Objective) -> Objective:
    """``objective`` flat beyond the wall (the parameters clipped to ±LOG_BOUND, the gradient
    0 in a clipped coordinate), and ``WALL`` with a zero gradient where it is not finite."""

    def safe(theta: Arr) -> tuple[float, Arr]:
        inner = np.clip(theta, -LOG_BOUND, LOG_BOUND)
        with np.errstate(all="ignore"):  # flat beyond the wall: the optimum stops there
            value, grad = objective(inner)
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return WALL, np.zeros_like(theta)
        return float(value), np.where(inner == theta, grad, 0.0)

    return safe


def minimise(objective: Objective, x0: Arr, polish: bool = True) -> Optimum:
    """BFGS on the analytic gradient. With ``polish`` (a point fit), tight tolerances and, only
    if BFGS did not report convergence, a Nelder-Mead pass from its answer, keeping the
    better; without (bootstrap refits from the point estimate), the default tolerance.
    L-BFGS-B was tried first: on a small machine its per-iteration overhead in threaded BLAS
    made bootstrap refits five times slower. Numerical gradients (the code before issue 18's
    second pass) cost five likelihoods a step and stopped where the differences of a sum over
    a million rows first looked flat, so refits depended on the sum's last bits."""
    safe = bounded(objective)
    x0 = np.clip(np.asarray(x0, dtype=np.float64), -LOG_BOUND + 0.5, LOG_BOUND - 0.5)
    res = optimize.minimize(safe, x0, jac=True, method="BFGS",
                            options={"gtol": 1e-8, "maxiter": 2000} if polish
                            else {"maxiter": 500})
    best, ok = res, bool(res.success)
    if polish and not ok:
        nm = optimize.minimize(lambda t: safe(t)[0], res.x, method="Nelder-Mead",
                               options={"xatol": 1e-8, "fatol": 1e-13, "maxiter": 800})
        if nm.fun <= res.fun:
            best, ok = nm, bool(nm.success)
    theta = np.clip(np.asarray(best.x, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    edge = tuple(int(i) for i in np.flatnonzero(np.abs(theta) > LOG_BOUND - 1))
    return Optimum(theta, float(best.fun), ok, edge)
