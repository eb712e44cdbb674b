"""Bootstrap replicates as weighted refits against the plain bootstrap they replace: copy the
drawn rows and fit them (``relative_weights(x[pick], y[pick])``), on a hand-sized data set whose
rare yes/no column is missing from many resamples (weight 0, coefficient NaN there)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cxlens.stats.relative_weights import relative_weights
from cxlens.stats.replicates import Replicates, counts

# 12 answers: a wait-like score, a rare yes/no flag (2 of 12), a correlated third column; row 7
# has an unknown wait (NaN: dropped by both fits)
X = np.array([
    [0.3, 0.0, 1.2], [1.1, 0.0, 0.4], [-0.7, 1.0, -0.2], [2.0, 0.0, 1.9],
    [-1.4, 0.0, -1.1], [0.0, 0.0, 0.5], [0.8, 0.0, 0.9], [np.nan, 0.0, 0.1],
    [-0.2, 1.0, -0.6], [1.6, 0.0, 1.0], [-0.9, 0.0, -0.3], [0.5, 0.0, 0.2]])
Y = np.array([62.0, 70.0, 35.0, 88.0, 30.0, 55.0, 71.0, 50.0, 28.0, 80.0, 41.0, 60.0])


def _same(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_counts_are_how_often_each_row_is_drawn() -> None:
    np.testing.assert_array_equal(counts([2, 0, 2, 5, 2], 7), [1, 0, 3, 0, 0, 1, 0])


def test_each_replicate_equals_the_fit_of_the_copied_rows() -> None:
    reps = Replicates(X, Y)
    rng = np.random.default_rng(7)
    flag_missing = 0
    for _ in range(300):
        pick = rng.integers(0, len(Y), len(Y))
        want = relative_weights(X[pick], Y[pick])
        got = reps.fit(counts(pick, len(Y)))
        _same(got.weights, want.weights)
        _same(got.beta, want.beta)
        _same(np.array(got.r2), np.array(want.r2))
        flag_missing += int(np.isnan(want.beta[1]))
    # absent from a resample with chance (10/12)^12 = 11 %: about 34 of 300 here
    assert 15 < flag_missing < 60


def _mixed(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """A key-driver-like design: two continuous columns (n distinct values: summed row by row),
    a yes/no flag, a three-level dummy set and a 1–5 answer on 0–100 (discrete: summed per
    cell), rows 5 and 9 with an unknown continuous value."""
    rng = np.random.default_rng(4)
    wait = rng.normal(size=n)
    flag = (rng.random(n) < 0.3).astype(float)
    level = rng.integers(0, 3, n)
    aht = 0.5 * wait + rng.normal(size=n)
    x = np.column_stack([wait, flag, level == 1, level == 2, aht]).astype(float)
    x[[5, 9], 0] = np.nan
    y = 25.0 * np.clip(np.round(3 + 1.2 * flag - 0.6 * wait + rng.normal(size=n)), 1, 5) - 25
    return x, y


@pytest.mark.parametrize("max_cells", [1 << 15, 4, 1])  # cells; fewer; every column row by row
def test_cells_and_rows_give_the_fit_of_the_copied_rows(max_cells: int) -> None:
    x, y = _mixed()
    reps = Replicates(x, y, max_cells=max_cells)
    rng = np.random.default_rng(5)
    for _ in range(40):
        pick = rng.integers(0, len(y), len(y))
        want = relative_weights(x[pick], y[pick])
        got = reps.fit(counts(pick, len(y)))
        _same(got.weights, want.weights)
        _same(got.beta, want.beta)
        assert got.r2 == pytest.approx(want.r2, rel=1e-9)


def test_unit_weights_are_the_plain_fit() -> None:
    got, want = Replicates(X, Y).fit(np.ones(len(Y))), relative_weights(X, Y)
    _same(got.weights, want.weights)
    _same(got.beta, want.beta)
    assert got.r2 == pytest.approx(want.r2, rel=1e-9)


def test_too_little_weight_or_a_flat_outcome_gives_nan() -> None:
    two = np.zeros(len(Y))
    two[[0, 3]] = 1.0  # two rows: fewer than three, as relative_weights(X[[0, 3]], ...) says
    assert np.isnan(Replicates(X, Y).fit(two).weights).all()
    assert np.isnan(relative_weights(X[[0, 3]], Y[[0, 3]]).weights).all()
    ys = Y.copy()
    ys[[0, 11]] = 60.0
    flat = np.zeros(len(Y))
    flat[[0, 11]] = [1.0, 3.0]  # four draws, every y = 60: nothing to explain
    assert np.isnan(Replicates(X, ys).fit(flat).r2)
    assert np.isnan(relative_weights(X[[0, 11, 11, 11]], ys[[0, 11, 11, 11]]).r2)
    flat[2] = 1.0  # one more draw, y = 35: it varies again
    assert np.isfinite(Replicates(X, ys).fit(flat).r2)


def test_no_complete_row_gives_nan_without_warnings() -> None:
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [np.nan, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = Replicates(x, [1.0, 2.0, 3.0]).fit(np.ones(3))
    assert np.isnan(fit.weights).all() and np.isnan(fit.r2)


def test_rows_must_match() -> None:
    with pytest.raises(ValueError, match="x has 12 rows and y 3"):
        Replicates(X, Y[:3])
