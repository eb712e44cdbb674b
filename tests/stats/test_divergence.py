"""Jensen–Shannon divergence against hand values and scipy's independent implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from cxlens.stats.divergence import jensen_shannon


def test_hand_values() -> None:
    assert jensen_shannon([1, 0], [0, 1]) == pytest.approx(1.0)
    assert jensen_shannon([3, 3], [7, 0]) == pytest.approx(1.5 - 0.75 * math.log2(3))
    assert jensen_shannon([2, 5, 1], [4, 10, 2]) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p, q = rng.integers(0, 20, 6), rng.integers(0, 20, 6)
    # scipy returns the distance: the square root of the divergence
    assert jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q, base=2) ** 2)


def test_empty_and_mismatched() -> None:
    assert math.isnan(jensen_shannon([0, 0], [1, 2]))
    with pytest.raises(ValueError, match="differ in length"):
        jensen_shannon([1, 2], [1, 2, 3])
