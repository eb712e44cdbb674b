"""Delta-method variance of a ratio of means, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cxlens.stats.ratio import ratio_variance


def test_three_units_by_hand() -> None:
    # x = 2, 4, 6 and y = 1, 2, 2: x̄ = 4, ȳ = 5/3, R = 2.4; Sxx = 4, Syy = 1/3, Sxy = 1
    # Var = (4 − 2·2.4·1 + 2.4²/3) / (3·25/9) = 1.12 / (25/3) = 0.1344
    x, y = np.array([2.0, 4, 6]), np.array([1.0, 2, 2])
    got = ratio_variance(3, x.mean(), y.mean(), x.var(ddof=1), y.var(ddof=1),
                         np.cov(x, y)[0, 1])
    assert got == pytest.approx(0.1344)
    assert np.isnan(ratio_variance(0, np.nan, np.nan, np.nan, np.nan, np.nan))
