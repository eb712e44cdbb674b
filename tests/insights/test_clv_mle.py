"""The analytic gradients the CLV fits run on (issue 18): each equals the finite-difference
gradient of the papers' likelihoods written customer by customer (tests/insights/likelihoods.py,
not the code under test), in the optimiser's coordinates, on hand-made rows with bootstrap-like weights; the
objective is flat beyond the parameters' wall; and the fits still stop at the published CDNOW
optimum, where the gradient is 0."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import optimize

from cxlens.insights.clv import bgnbd, gamma_gamma
from cxlens.insights.clv.mle import LOG_BOUND, WALL, bounded, distinct, distinct_rows
from tests.insights.datasets import cdnow_summary, cdnow_with_spend
from tests.insights.likelihoods import bgnbd_loglik, gamma_gamma_loglik

# (x, t_x, T, weight): one-off and repeat buyers, a row counted three times and one not drawn
ROWS = [(0, 0.0, 10.0, 1), (1, 2.0, 8.0, 3), (3, 6.5, 9.0, 1), (2, 1.0, 12.0, 2),
        (0, 0.0, 4.0, 1), (5, 11.0, 11.5, 1), (1, 0.5, 3.0, 0), (4, 2.0, 7.0, 2)]
# (x, m_x, weight)
SPEND = [(1, 20.0, 3), (3, 35.5, 1), (2, 12.25, 2), (5, 41.0, 1), (1, 8.0, 1), (2, 30.0, 0),
         (7, 15.5, 2)]


def _bgnbd_mean(theta: np.ndarray) -> float:
    """−Σ w log L / Σ w, L of equation 6 of Fader, Hardie & Lee (2005), at (log r, log α,
    logit a/(a+b), log(a+b))."""
    r, alpha = math.exp(theta[0]), math.exp(theta[1])
    mu, kappa = 1 / (1 + math.exp(-theta[2])), math.exp(theta[3])
    a, b = mu * kappa, (1 - mu) * kappa
    return -bgnbd_loglik(ROWS, r, alpha, a, b) / sum(w for *_, w in ROWS)


def _gamma_gamma_mean(theta: np.ndarray) -> float:
    """−Σ w log f(m_x | p, q, γ, x) / Σ w at (log p, log q, log pγ)."""
    p, q = math.exp(theta[0]), math.exp(theta[1])
    v = math.exp(theta[2]) / p
    return -gamma_gamma_loglik(SPEND, p, q, v) / sum(w for *_, w in SPEND)


def _columns(rows: list[tuple[float, ...]]) -> list[np.ndarray]:
    return [np.array(c, dtype=float) for c in zip(*rows, strict=True)]


def _assert_slope(objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
                  reference: Callable[[np.ndarray], float], th: np.ndarray) -> None:
    """The objective's value is the reference likelihood's, and its gradient the reference's
    finite-difference slope (and its own, by ``check_grad``)."""
    value, grad = objective(th)
    assert value == pytest.approx(reference(th), rel=1e-12)
    numeric = optimize.approx_fprime(th, reference, 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=2e-6)
    assert optimize.check_grad(lambda t: objective(t)[0], lambda t: objective(t)[1],
                               th) < 1e-5 * max(1.0, float(np.linalg.norm(grad)))


@pytest.mark.parametrize("theta", [
    [math.log(0.243), math.log(4.414), math.log(0.793 / 2.426), math.log(0.793 + 2.426)],
    [0.3, -1.0, 2.0, -0.5],
    [-2.0, 1.5, -3.0, 4.0],
    [1.0, 0.2, 0.0, -3.0],
])
def test_bgnbd_gradient_is_the_likelihoods_slope(theta: list[float]) -> None:
    _assert_slope(bgnbd._Likelihood(*_columns(ROWS)), _bgnbd_mean, np.array(theta))


@pytest.mark.parametrize("theta", [
    [math.log(6.25), math.log(3.74), math.log(6.25 * 15.44)],
    [0.5, 2.0, -1.0],
    [-1.5, -0.3, 3.0],
    [4.0, 1.0, 2.0],
])
def test_gamma_gamma_gradient_is_the_likelihoods_slope(theta: list[float]) -> None:
    _assert_slope(gamma_gamma._Likelihood(*_columns(SPEND)), _gamma_gamma_mean,
                  np.array(theta))


def test_flat_beyond_the_wall_and_a_wall_where_not_finite() -> None:
    objective = bgnbd._Likelihood(*_columns(ROWS))
    safe = bounded(objective)
    inside = np.array([0.3, -1.0, LOG_BOUND, -0.5])
    beyond = inside + np.array([0.0, 0.0, 5.0, 0.0])
    value, grad = safe(beyond)
    assert value == objective(inside)[0]  # the parameters are clipped to the wall
    assert grad[2] == 0.0 and np.all(grad[[0, 1, 3]] == objective(inside)[1][[0, 1, 3]])
    nan_value, nan_grad = bounded(lambda t: (float("nan"), t))(np.ones(2))
    assert nan_value == WALL and not nan_grad.any()


def test_cdnow_fits_stop_where_the_gradient_is_zero() -> None:
    s = cdnow_summary()
    cols = [s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")]
    m = bgnbd.fit(*cols)
    # the published fit (Fader, Hardie & Lee 2005), as tests/insights/test_bgnbd.py checks
    assert m.params == pytest.approx((0.243, 4.414, 0.793, 2.426), abs=6e-4)
    _, grad = bgnbd._Likelihood(*cols, np.ones(len(s)))(bgnbd._coordinates(m.params))
    assert np.abs(grad).max() < 1e-7 and m.converged
    spend = cdnow_with_spend()
    repeat = spend[spend["frequency"] > 0]
    x, mx = repeat["frequency"].to_numpy(float), repeat["monetary"].to_numpy(float)
    g = gamma_gamma.fit(x, mx)
    assert (round(g.p, 2), round(g.q, 2), round(g.v, 2)) == (6.25, 3.74, 15.45)
    theta = np.log([g.p, g.q, g.p * g.v])
    _, grad = gamma_gamma._Likelihood(x, mx, np.ones(len(x)))(theta)
    assert np.abs(grad).max() < 1e-7 and g.converged


@pytest.mark.parametrize("x", [[3.0, 0.0, 1.0, 3.0, 7.0, 0.0], [2.5, 0.0, 2.5, 1.0],
                               [-1.0, 4.0, 4.0], [2e6, 1.0, 2e6], [5.0]])
def test_distinct_is_numpy_unique(x: list[float]) -> None:
    values, where = distinct(np.array(x))
    want, back = np.unique(np.array(x), return_inverse=True)
    np.testing.assert_array_equal(values, want)
    np.testing.assert_array_equal(where, back.ravel())


def test_distinct_rows_are_numpy_unique_rows() -> None:
    rng = np.random.default_rng(8)
    x = rng.integers(0, 4, 3000).astype(float)
    t_x = np.round(rng.uniform(0, 5, 3000) * 7) / 7 * (x > 0)
    T = np.round(rng.uniform(5, 8, 3000) * 7) / 7
    for cols in ((x, t_x, T), (x, T), (T,)):
        rows, where, counts = distinct_rows(*cols)
        want, back, n = np.unique(np.column_stack(cols), axis=0, return_inverse=True,
                                  return_counts=True)
        assert len(want) < 3000  # duplicates to merge
        np.testing.assert_array_equal(rows, want)
        np.testing.assert_array_equal(where, back.ravel())
        np.testing.assert_array_equal(counts, n)
    empty, where, counts = distinct_rows(np.zeros(0), np.zeros(0))
    assert empty.shape == (0, 2) and not len(where) and not len(counts)
