"""Bootstrap resamples drawn as counts: both samplers give Multinomial(n, c / n), the
distribution of the counts of n units drawn with replacement (scipy's multinomial as the
oracle), and which one runs depends only on the data's shape."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from cxlens.stats.resample import Sampler, resampled_counts, sampler

COUNTS = [3, 1, 0, 2]  # n = 6 units of four kinds, one kind never seen


def _goodness_of_fit(drawn: np.ndarray, counts: list[int]) -> float:
    """Chi-square p-value of the drawn count vectors against scipy's Multinomial(n, c / n),
    over every possible outcome (kinds with no unit stay at 0)."""
    n = sum(counts)
    seen = [i for i, c in enumerate(counts) if c]
    shares = np.array(counts) / n
    outcomes = [o for o in itertools.product(range(n + 1), repeat=len(seen)) if sum(o) == n]
    expected, observed = [], []
    tally: dict[tuple[int, ...], int] = {}
    for row in drawn:
        key = tuple(int(row[i]) for i in seen)
        tally[key] = tally.get(key, 0) + 1
    for o in outcomes:
        full = np.zeros(len(counts), dtype=int)
        full[seen] = o
        expected.append(stats.multinomial.pmf(full, n, shares) * len(drawn))
        observed.append(tally.get(o, 0))
    assert sum(observed) == len(drawn)  # no draw outside the possible outcomes
    return float(stats.chisquare(observed, expected).pvalue)


@pytest.mark.parametrize("how", ["multinomial", "rows"])
def test_each_sampler_draws_the_bootstrap_distribution(how: Sampler) -> None:
    rng = np.random.default_rng(11)
    drawn = np.vstack(list(resampled_counts(COUNTS, 20_000, rng, how=how)))
    assert drawn.shape == (20_000, 4)
    assert (drawn.sum(axis=1) == 6).all()
    assert (drawn[:, 2] == 0).all()  # a kind with no unit is never drawn
    assert _goodness_of_fit(drawn, COUNTS) > 1e-3


def test_the_goodness_of_fit_check_can_fail() -> None:
    """Control: counts drawn with equal shares instead of the observed ones are rejected."""
    rng = np.random.default_rng(11)
    wrong = rng.multinomial(6, [1 / 3, 1 / 3, 0, 1 / 3], size=20_000)
    assert _goodness_of_fit(wrong, COUNTS) < 1e-6


def test_the_row_sampler_is_the_row_bootstrap() -> None:
    """The rows sampler draws unit numbers with the generator and counts them: a resample of
    the units [0, 0, 0, 1, 3, 3] the plain way, counted per kind."""
    units = np.array([0, 0, 0, 1, 3, 3])
    plain = np.random.default_rng(4)
    expected = [np.bincount(units[plain.integers(0, 6, 6)], minlength=4) for _ in range(50)]
    got = np.vstack(list(resampled_counts(COUNTS, 50, np.random.default_rng(4), how="rows")))
    assert np.array_equal(got, np.array(expected))


def test_the_sampler_depends_on_the_shape_only() -> None:
    # a few thousand distinct scores among a million answers: the multinomial; nearly every
    # answer a score of its own (a model's probabilities): the rows
    assert sampler(2_131, 669_000) == "multinomial"
    assert sampler(900_000, 1_000_000) == "rows"
    a = np.vstack(list(resampled_counts([5, 0, 7], 30, np.random.default_rng(2))))
    b = np.vstack(list(resampled_counts([5, 0, 7], 30, np.random.default_rng(2))))
    assert np.array_equal(a, b)


def test_blocks_hold_every_resample_when_there_are_many_kinds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from cxlens.stats import resample

    monkeypatch.setattr(resample, "BLOCK_CELLS", 10)  # 2 resamples of 4 kinds a block
    for how in ("multinomial", "rows"):
        blocks = list(resampled_counts(COUNTS, 5, np.random.default_rng(1), how=how))  # type: ignore[arg-type]
        assert [len(b) for b in blocks] == [2, 2, 1]


def test_nothing_to_resample_is_an_error() -> None:
    with pytest.raises(ValueError, match="every count is 0"):
        list(resampled_counts([0, 0], 3, np.random.default_rng(1)))
    with pytest.raises(ValueError, match="counts ≥ 0"):
        list(resampled_counts([2, -1], 3, np.random.default_rng(1)))
