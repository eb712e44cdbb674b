"""BG/NBD: the published CDNOW fit (Fader, Hardie & Lee 2005), its log-likelihood, identities
of the expectation formulas, and a simulation the fit must recover."""

from __future__ import annotations

import numpy as np
import pytest

from cxlens.insights.clv import bgnbd
from tests.insights.datasets import cdnow_summary

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow() -> bgnbd.BgNbd:
    s = cdnow_summary()
    return bgnbd.fit(s["frequency"], s["recency"], s["T"])


def test_reproduces_the_published_cdnow_fit(cdnow: bgnbd.BgNbd) -> None:
    got = dict(zip(bgnbd.NAMES, cdnow.params, strict=True))
    for name, value in PUBLISHED.items():
        assert round(got[name], 2) == round(value, 2), name
        assert got[name] == pytest.approx(value, abs=6e-4), name  # three decimals too
    assert cdnow.loglik == pytest.approx(-9582.4, abs=0.05)  # the paper's LL
    assert cdnow.converged and not cdnow.boundary and cdnow.finite


def test_weights_are_repeated_rows(cdnow: bgnbd.BgNbd) -> None:
    s = cdnow_summary()
    rows, counts = np.unique(s[["frequency", "recency", "T"]].to_numpy(), axis=0,
                             return_counts=True)
    assert len(rows) < len(s)
    compressed = bgnbd.fit(*rows.T, counts)
    assert compressed.params == pytest.approx(cdnow.params, rel=1e-5)
    assert compressed.loglik == pytest.approx(cdnow.loglik, abs=1e-6)


def test_expectation_identities(cdnow: bgnbd.BgNbd) -> None:
    t = np.array([1.0, 13.0, 39.0, 52.0])
    # a customer seen for no time at all is a new customer: conditional = unconditional
    assert bgnbd.expected_purchases(cdnow, t, 0, 0, 0) == pytest.approx(
        bgnbd.expected_purchases_new(cdnow, t), rel=1e-10)
    # without repeat purchases P(alive) is 1; it falls as the last purchase ages
    assert bgnbd.p_alive(cdnow, 0, 0, 38.86) == 1.0
    alive = bgnbd.p_alive(cdnow, 2, np.array([38.0, 30.43, 10.0, 1.0]), 38.86)
    assert np.all(np.diff(alive) < 0) and 0 < alive.min() < alive.max() < 1
    # more purchases expected over a longer horizon, and from more frequent buyers
    future = bgnbd.expected_purchases(cdnow, t, 2, 30.43, 38.86)
    assert np.all(np.diff(future) > 0)
    assert bgnbd.expected_purchases(cdnow, 39, 5, 37.0, 38.86) > future[2]
    # the value worked by hand from equation 10 for (x, t_x, T) = (2, 30.43, 38.86), t = 39
    assert future[2] == pytest.approx(1.2259, abs=1e-4)


def _simulate(rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float,
              T: float, horizon: float) -> tuple[np.ndarray, ...]:
    """Customers from the BG/NBD story: purchases at rate λ ~ Gamma(r, α) while alive, and
    after each repeat purchase a dropout with probability p ~ Beta(a, b). Returns x, t_x, T
    and the purchases in (T, T + horizon]."""
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x, t_x, future = np.zeros(n), np.zeros(n), np.zeros(n)
    now, alive = np.zeros(n), np.ones(n, dtype=bool)
    while alive.any():
        step = rng.exponential(1 / np.maximum(lam, 1e-300))
        nxt = now + step
        before = alive & (nxt <= T)
        after = alive & (nxt > T) & (nxt <= T + horizon)
        x[before] += 1
        t_x[before] = nxt[before]
        future[after] += 1
        alive &= nxt <= T + horizon
        alive &= ~(rng.random(n) < p)  # dropout after this purchase
        now = nxt
    return x, t_x, np.full(n, T), future


def test_recovers_simulated_parameters_and_forecasts() -> None:
    rng = np.random.default_rng(2005)
    truth = (0.243, 4.414, 0.793, 2.426)
    x, t_x, T, future = _simulate(rng, 20_000, *truth, T=39.0, horizon=39.0)
    t_x = np.round(t_x * 7) / 7  # to the day, as real summaries are: fewer distinct rows
    rows, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    fit = bgnbd.fit(*rows.T, counts)
    assert fit.params == pytest.approx(truth, rel=0.25)
    assert fit.r == pytest.approx(truth[0], rel=0.1)
    model = bgnbd.BgNbd(*truth)
    expected = bgnbd.expected_purchases(model, 39.0, x, t_x, T)
    se = future.std() / np.sqrt(len(future))
    assert expected.mean() == pytest.approx(future.mean(), abs=3 * se)
    for group in (x == 0, x == 1, x >= 3):
        se = future[group].std() / np.sqrt(group.sum())
        assert expected[group].mean() == pytest.approx(future[group].mean(), abs=3 * se + 0.01)
