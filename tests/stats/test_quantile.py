"""The order-statistic standard error of a quantile, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxlens.stats.quantile import quantile_ranks, quantile_se


def test_median_of_one_to_ten() -> None:
    # n = 10, p = ½: half-width 1.96·√2.5 = 3.099 → ranks ⌊5 − 3.099 + ½⌋ = 2, ⌈5 + 3.099 + ½⌉ = 9
    _, _, low, high = quantile_ranks(10, 0.5)
    assert (int(low), int(high)) == (2, 9)
    # values 1…10: x₍₂₎ = 2, x₍₉₎ = 9 → slope 1 per rank → SE = √(10·¼) = 1.5811
    assert quantile_se(10, 0.5, 2.0, 9.0) == pytest.approx(math.sqrt(2.5))


def test_p90_uses_the_clipped_ranks() -> None:
    # n = 20, p = 0.9: half 1.96·√1.8 = 2.630 → ranks ⌊18 − 2.630 + ½⌋ = 15, ⌈18 + 2.630 + ½⌉ = 22,
    # clipped to 20: 5 ranks, not the 2·2.630 an interval width assumes
    _, _, low, high = quantile_ranks(20, 0.9)
    assert (int(low), int(high)) == (15, 20)
    assert quantile_se(20, 0.9, 150.0, 200.0) == pytest.approx(50 / 5 * math.sqrt(1.8))


def test_no_spread_without_two_ranks() -> None:
    assert np.isnan(quantile_se(1, 0.5, 3.0, 3.0))
    assert np.isnan(quantile_se(0, 0.5, np.nan, np.nan))
