"""Laney p′ limits: written out by hand for a small case, and their purpose — σz ≈ 1 when
periods vary only binomially, wider limits (fewer false breaches) when they vary more."""

from __future__ import annotations

import math

import numpy as np

from cxlens.stats import laney
from cxlens.stats.control import limits


def test_small_case_by_hand() -> None:
    k = [30, 45, 38, 52]
    n = [100, 120, 110, 130]
    pbar = sum(k) / sum(n)  # 165 / 460
    z = [(ki / ni - pbar) / math.sqrt(pbar * (1 - pbar) / ni) for ki, ni in zip(k, n, strict=True)]
    mr = (abs(z[1] - z[0]) + abs(z[2] - z[1]) + abs(z[3] - z[2])) / 3
    sz = mr / 1.128
    # the baseline's four periods set the limits of a fifth period of 150
    lim = limits([0.0] * 5, [*n, 150], k=[*k, 0], baseline=[True] * 4 + [False])
    half = 3 * math.sqrt(pbar * (1 - pbar) / 150) * sz
    assert math.isclose(lim.centre, 165 / 460)
    assert lim.sigma_z is not None and math.isclose(lim.sigma_z, sz)
    assert math.isclose(lim.low[-1], pbar - half) and math.isclose(lim.high[-1], pbar + half)


def test_empty_periods_are_left_out_and_two_are_needed() -> None:
    with_gap = laney.sigma_z([30, 0, 45], [100, 0, 120])
    assert with_gap == laney.sigma_z([30, 45], [100, 120])
    centre, sz = laney.sigma_z([30], [100])
    assert centre == 0.3 and math.isnan(sz)
    assert math.isnan(limits([0.0], [100], k=[0], baseline=[False]).low[0])


def test_binomial_periods_give_sigma_z_near_one() -> None:
    rng = np.random.default_rng(1)
    n = rng.integers(200, 2000, 400)
    k = rng.binomial(n, 0.8)
    _, sz = laney.sigma_z(k, n)
    assert 0.9 < sz < 1.1


def test_overdispersion_widens_limits_so_ordinary_months_do_not_breach() -> None:
    """True monthly rate drifts (beta around 0.8) at 20,000 contacts a month: the p-chart flags
    most months, p′ about as many as 3σ should (< 2 %)."""
    rng = np.random.default_rng(2)
    months = 240
    n = np.full(months, 20_000)
    p_true = rng.beta(800, 200, months)
    k = rng.binomial(n, p_true)
    base_k, base_n = k[:36], n[:36]
    pbar = base_k.sum() / base_n.sum()
    p_half = 3 * np.sqrt(pbar * (1 - pbar) / n[36:])
    p_chart = np.mean(np.abs(k[36:] / n[36:] - pbar) > p_half)
    lim = limits(k / n, n, k=k, baseline=np.arange(months) < 36)
    prime = np.mean((k[36:] / n[36:] < lim.low[36:]) | (k[36:] / n[36:] > lim.high[36:]))
    assert lim.sigma_z is not None and lim.sigma_z > 3
    assert p_chart > 0.5
    assert prime < 0.02
