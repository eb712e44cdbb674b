"""Helpers shared by the statistics modules."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Floats = NDArray[np.float64]


def arr(x: Any) -> Floats:
    return np.asarray(x, dtype=np.float64)


def z_value(confidence: float) -> float:
    """Two-sided normal critical value, e.g. 1.95996 for 0.95."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))
