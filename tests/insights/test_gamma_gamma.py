"""Gamma-Gamma: the published CDNOW fit on the 946 repeat buyers, the conditional expected spend
lifetimes documents for the first CDNOW customers, and the independence check."""

from __future__ import annotations

import numpy as np
import pytest

from cxlens.insights.clv import gamma_gamma
from tests.insights.datasets import cdnow_with_spend


@pytest.fixture(scope="module")
def fitted() -> gamma_gamma.GammaGamma:
    s = cdnow_with_spend()
    repeat = s[s["frequency"] > 0]
    assert len(repeat) == 946 and (repeat["monetary"] > 0).all()
    return gamma_gamma.fit(repeat["frequency"], repeat["monetary"])


def test_reproduces_the_published_cdnow_fit(fitted: gamma_gamma.GammaGamma) -> None:
    assert (round(fitted.p, 2), round(fitted.q, 2), round(fitted.v, 2)) == (6.25, 3.74, 15.45)
    assert fitted.converged and not fitted.boundary


def test_expected_spend(fitted: gamma_gamma.GammaGamma) -> None:
    s = cdnow_with_spend().head(10)
    got = gamma_gamma.expected_spend(fitted, s["frequency"], s["monetary"])
    # lifetimes' documentation, conditional_expected_average_profit on CDNOW customers 1-10
    published = [24.658619, 18.911489, 35.170981, 35.170981, 35.170981, 71.462843, 18.911489,
                 35.170981, 27.282408, 35.170981]
    assert got == pytest.approx(published, abs=1e-3)
    # no repeat purchase: the population mean p·v/(q−1)
    assert got[2] == pytest.approx(fitted.mean_spend)
    # a weighted mean of the population mean and the customer's own mean
    x, m = 2.0, 22.35
    w = fitted.p * x / (fitted.p * x + fitted.q - 1)
    assert got[0] == pytest.approx((1 - w) * fitted.mean_spend + w * m)


def test_frequency_and_spend_nearly_uncorrelated() -> None:
    s = cdnow_with_spend()
    repeat = s[s["frequency"] > 0]
    r, low, high, n = gamma_gamma.frequency_correlation(repeat["frequency"],
                                                        repeat["monetary"])
    assert n == 946 and r == pytest.approx(0.11, abs=0.005) and low < r < high
    assert np.corrcoef(repeat["frequency"], repeat["monetary"])[0, 1] == pytest.approx(r)


def test_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(3)
    p, q, v = 6.25, 3.74, 15.45
    x = rng.integers(1, 12, 20_000)
    nu = rng.gamma(q, 1 / v, len(x))  # each customer's rate ν ~ Gamma(q, γ)
    mean = rng.gamma(x * p, 1 / (x * nu))  # mean of x spends z ~ Gamma(p, ν)
    got = gamma_gamma.fit(x, mean)
    assert got.params == pytest.approx((p, q, v), rel=0.15)
    assert got.mean_spend == pytest.approx(p * v / (q - 1), rel=0.03)
