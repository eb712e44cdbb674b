"""The optimiser both models share: minimise a negative log-likelihood over the logarithms of
positive parameters, inside ±``LOG_BOUND``."""

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


def minimise(nll: Callable[[Arr], float], x0: Arr, polish: bool = True) -> Optimum:
    """BFGS on numerical gradients (a non-finite likelihood counts as 1e100, and the
    likelihood is flat beyond the wall); with ``polish``, tight tolerances and a Nelder-Mead
    pass from BFGS's answer, keeping the better. Without it (bootstrap refits from the point
    estimate), default tolerances. L-BFGS-B was tried first: on a small machine its
    per-iteration overhead in threaded BLAS made bootstrap refits five times slower."""

    def safe(theta: Arr) -> float:
        with np.errstate(all="ignore"):  # flat beyond the wall: the optimum stops there
            value = nll(np.clip(theta, -LOG_BOUND, LOG_BOUND))
        return value if np.isfinite(value) else 1e100

    x0 = np.clip(np.asarray(x0, dtype=np.float64), -LOG_BOUND + 0.5, LOG_BOUND - 0.5)
    res = optimize.minimize(safe, x0, method="BFGS",
                            options={"gtol": 1e-8, "maxiter": 2000} if polish
                            else {"maxiter": 500})
    best, ok = res, bool(res.success)
    if polish:
        nm = optimize.minimize(safe, res.x, method="Nelder-Mead",
                               options={"xatol": 1e-8, "fatol": 1e-13, "maxiter": 800})
        if nm.fun <= res.fun:
            best, ok = nm, ok or bool(nm.success)
    theta = np.clip(np.asarray(best.x, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    edge = tuple(int(i) for i in np.flatnonzero(np.abs(theta) > LOG_BOUND - 1))
    return Optimum(theta, float(best.fun), ok, edge)
