"""Control limits against hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxlens.stats.control import p_chart, se_chart


def test_p_chart_by_hand() -> None:
    # periods: 40/50 and 70/100 → p̄ = 110/150 = 0.7333…
    centre, low, high = p_chart([0.8, 0.7], [50, 100])
    assert centre == pytest.approx(110 / 150)
    pbar = 110 / 150
    assert low[0] == pytest.approx(pbar - 3 * math.sqrt(pbar * (1 - pbar) / 50))
    assert high[1] == pytest.approx(pbar + 3 * math.sqrt(pbar * (1 - pbar) / 100))
    assert high[0] - low[0] > high[1] - low[1]  # fewer answers, wider limits


def test_p_chart_limits_stay_within_0_and_1() -> None:
    _, low, high = p_chart([0.98, 0.99], [5, 4])
    assert (low >= 0).all() and (high <= 1).all() and high[0] == 1.0


def test_se_chart_by_hand() -> None:
    centre, low, high = se_chart([30.0, 10.0], [5.0, 2.0], [100, 300])
    assert centre == pytest.approx((30 * 100 + 10 * 300) / 400)  # 15
    np.testing.assert_allclose(low, [0.0, 9.0])
    np.testing.assert_allclose(high, [30.0, 21.0])


def test_empty_periods_do_not_count() -> None:
    centre, _, _ = p_chart([float("nan"), 0.5], [0, 10])
    assert centre == 0.5
