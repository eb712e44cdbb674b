"""Logistic regression by Newton's method against statsmodels' Logit (the same maximum, the
same covariance), with an offset, from a start, and refusing a singular design."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxlens.stats.logit import BLOCK, information, logit


def _design(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n),
                         rng.exponential(2.0, n)])
    beta = np.array([-2.5, 0.4, -0.7, 0.15])
    y = (rng.random(n) < 1 / (1 + np.exp(-x @ beta))).astype(float)
    return x, y


def test_is_statsmodels_logit() -> None:
    rng = np.random.default_rng(11)
    x, y = _design(rng, 3 * BLOCK + 123)  # several blocks of the information matrix
    got = logit(y, np.asfortranarray(x))
    want = sm.Logit(y, x).fit(method="newton", disp=0)
    assert got.converged and want.mle_retvals["converged"]
    np.testing.assert_allclose(got.params, want.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.cov, want.cov_params(), rtol=1e-9)
    np.testing.assert_allclose(got.bse, want.bse, rtol=1e-9)
    # the same number of Newton steps from the same start (0)
    assert got.iterations == want.mle_retvals["iterations"]
    # from another start, the same maximum
    again = logit(y, x, start=np.array([-3.0, 0.0, 0.0, 0.0]))
    np.testing.assert_allclose(again.params, want.params, rtol=1e-10, atol=1e-12)


def test_offset_is_statsmodels_logit_with_offset() -> None:
    rng = np.random.default_rng(12)
    x, y = _design(rng, 5000)
    offset = rng.normal(0, 0.5, len(y))
    got = logit(y, x[:, :2], offset=offset)
    want = sm.Logit(y, x[:, :2], offset=offset).fit(method="newton", disp=0)
    np.testing.assert_allclose(got.params, want.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.bse, want.bse, rtol=1e-9)


def test_information_by_blocks_is_the_whole_product() -> None:
    rng = np.random.default_rng(13)
    x = rng.normal(size=(2 * BLOCK + 7, 3))
    w = rng.random(len(x))
    np.testing.assert_allclose(information(x, w), x.T @ (x * w[:, None]), rtol=1e-12)


def test_singular_design_and_no_convergence() -> None:
    rng = np.random.default_rng(14)
    x, y = _design(rng, 2000)
    with pytest.raises(np.linalg.LinAlgError):
        logit(y, np.column_stack([x[:, 0], x[:, 0]]))
    separated = (x[:, 1] > 0).astype(float)  # the outcome is the sign of a column
    fit = logit(separated, x[:, :2])
    assert not fit.converged  # the coefficient runs off; never reported as an answer
