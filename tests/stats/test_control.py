"""The one control-limit function (report and alerts) against hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxlens.stats.control import limits


def test_share_limits_are_laney_p_prime_by_hand() -> None:
    # periods 40/50, 70/100, 60/80: p̄ = 170/230; zᵢ = (pᵢ − p̄)/√(p̄(1 − p̄)/nᵢ);
    # σz = mean |zᵢ₊₁ − zᵢ| / 1.128; limits p̄ ± 3·σz·√(p̄(1 − p̄)/nᵢ), in percent
    k, n = [40, 70, 60], [50, 100, 80]
    pbar = 170 / 230
    z = [(ki / ni - pbar) / math.sqrt(pbar * (1 - pbar) / ni) for ki, ni in zip(k, n, strict=True)]
    sz = (abs(z[1] - z[0]) + abs(z[2] - z[1])) / 2 / 1.128
    lim = limits([80.0, 70.0, 75.0], n, k=k, scale=100.0)
    assert lim.centre == pytest.approx(100 * pbar)
    assert lim.sigma_z == pytest.approx(sz)
    for i in range(3):
        half = 3 * sz * math.sqrt(pbar * (1 - pbar) / n[i])
        assert lim.low[i] == pytest.approx(100 * (pbar - half))
        assert lim.high[i] == pytest.approx(100 * (pbar + half))
    assert lim.method == f"Laney p′ (σz {sz:.2f})"


def test_share_limits_stay_within_0_and_100_percent() -> None:
    lim = limits([98.0, 90.0, 99.0], [5, 10, 4], k=[4.9, 9, 3.96], scale=100.0)
    assert (lim.low >= 0).all() and (lim.high <= 100).all()


def test_se_limits_by_hand() -> None:
    lim = limits([30.0, 10.0], [100, 300], [5.0, 2.0])
    assert lim.centre == pytest.approx((30 * 100 + 10 * 300) / 400)  # 15
    np.testing.assert_allclose(lim.low, [0.0, 9.0])
    np.testing.assert_allclose(lim.high, [30.0, 21.0])
    assert lim.method == "±3 SE"


def test_the_baseline_alone_sets_the_centre() -> None:
    """An alert judges the last month against limits learnt from the months before it."""
    lim = limits([10.0, 20.0, 90.0], [100, 100, 100], [1.0, 1.0, 2.0],
                 baseline=[True, True, False])
    assert lim.centre == pytest.approx(15.0)
    assert lim.high[-1] == pytest.approx(21.0)
    share = limits([30.0, 45.0, 90.0], [100, 100, 100], k=[30, 45, 90], scale=100.0,
                   baseline=[True, True, False])
    assert share.centre == pytest.approx(37.5)


def test_empty_periods_do_not_count() -> None:
    lim = limits([float("nan"), 50.0], [0, 10], [float("nan"), 1.0])
    assert lim.centre == 50.0
    with pytest.raises(ValueError, match="standard errors"):
        limits([1.0], [1])
