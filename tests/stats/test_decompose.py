"""The mix/rate decomposition on numbers worked by hand, as a property (the parts add up to the
change, whatever the segments), and its delta-method SEs against a bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlens.stats.decompose import decompose

# Two categories, CSAT as a percentage; variances p(1 − p)/n in points².
#            April: n, satisfied        May: n, satisfied
# billing    200, 160 (80 %)            100,  80 (80 %)
# technical  200, 120 (60 %)            300, 165 (55 %)
HAND: dict[str, list[float]] = {
    "n0": [200, 200], "r0": [80.0, 60.0], "v0": [8.0, 12.0],
    "n1": [100, 300], "r1": [80.0, 55.0], "v1": [16.0, 8.25]}


def test_the_hand_worked_case() -> None:
    """Worked by hand:

    R0 = 280/400 = 70 %, R1 = 245/400 = 61.25 %: the change is −8.75 points.
    w0 = (.5, .5), w1 = (.25, .75).
    mix  = (−.25)(80 + 80)/2 + (.25)(60 + 55)/2 = −20 + 14.375 = −5.625
    rate = 0 + (55 − 60)(.5 + .75)/2 = −3.125;  −5.625 − 3.125 = −8.75.
    Per segment, mix against R̄ = (70 + 61.25)/2 = 65.625:
    billing (−.25)(80 − 65.625) = −3.59375; technical (.25)(57.5 − 65.625) = −2.03125.

    SE of the change: √(70·30/400 + 61.25·38.75/400) = √(5.25 + 5.93359375) = 3.34419.
    SE of the mix: weights, period 1: r̄ = (80, 57.5) weighted by w1 has variance
    4079.6875 − 63.125² = 94.921875, /400 = .2373046875; period 0: weighted by w0
    4853.125 − 68.75² = 126.5625, /400 = .31640625; rates: (Δw/2)² = .015625 times
    (8 + 12 + 16 + 8.25) = .69140625. Sum 1.2451171875, SE 1.115848.
    SE of the rate: rates: w̄² = (.140625, .390625): .140625·(8 + 16) + .390625·(12 + 8.25)
    = 11.28515625; weights: (Δr/2) = (0, −2.5): period 0 variance 3.125 − 1.25² = 1.5625,
    /400 = .00390625; period 1 4.6875 − 1.875² = 1.171875, /400 = .0029296875.
    Sum 11.2919921875, SE 3.360356.
    """
    d = decompose(**HAND)
    assert (d.before, d.after, d.change) == pytest.approx((70.0, 61.25, -8.75))
    assert (d.mix, d.rate) == pytest.approx((-5.625, -3.125))
    assert list(d.seg_mix) == pytest.approx([-3.59375, -2.03125])
    assert list(d.seg_rate) == pytest.approx([0.0, -3.125])
    assert list(d.w0) == [0.5, 0.5] and list(d.w1) == [0.25, 0.75]
    assert d.change_se == pytest.approx(3.344188, abs=1e-6)
    assert d.mix_se == pytest.approx(1.115848, abs=1e-6)
    assert d.rate_se == pytest.approx(3.360356, abs=1e-6)


def test_the_delta_method_agrees_with_a_bootstrap() -> None:
    """Rows resampled within each period (counts multinomial, satisfied binomial within each
    category); the bootstrap's spread of the totals and of technical's mix part is the
    delta method's SE within 5 %."""
    rng = np.random.default_rng(11)
    b = 20_000
    big, w0, w1 = 400, np.array([0.5, 0.5]), np.array([0.25, 0.75])
    p0, p1 = np.array([0.8, 0.6]), np.array([0.8, 0.55])

    def draw(w: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = rng.multinomial(big, w, size=b)
        return n / big, 100 * rng.binomial(n, p) / n

    s0, r0 = draw(w0, p0)
    s1, r1 = draw(w1, p1)
    mix = ((s1 - s0) * (r0 + r1) / 2).sum(axis=1)
    rate = ((r1 - r0) * (s0 + s1) / 2).sum(axis=1)
    level = ((s0 * r0).sum(axis=1) + (s1 * r1).sum(axis=1)) / 2
    technical_mix = (s1 - s0)[:, 1] * ((r0 + r1)[:, 1] / 2 - level)
    d = decompose(**HAND)
    assert d.mix_se == pytest.approx(mix.std(), rel=0.05)
    assert d.rate_se == pytest.approx(rate.std(), rel=0.05)
    assert d.change_se == pytest.approx((mix + rate).std(), rel=0.05)
    assert d.seg_mix_se[1] == pytest.approx(technical_mix.std(), rel=0.05)


def test_a_segment_in_one_period_only_is_all_mix() -> None:
    """May adds 'returns', 100 answers at 90 %: N1 = 500, w1 = (.2, .6, .2),
    R1 = 16 + 33 + 18 = 67 %, R̄ = (70 + 67)/2 = 68.5; returns' part is all mix:
    .2 · (90 − 68.5) = 4.3 points, its rate 0 with SE 0."""
    d = decompose(n0=[200, 200, 0], r0=[80.0, 60.0, np.nan], v0=[8.0, 12.0, np.nan],
                  n1=[100, 300, 100], r1=[80.0, 55.0, 90.0], v1=[16.0, 8.25, 9.0])
    assert d.after == pytest.approx(67.0) and d.change == pytest.approx(-3.0)
    assert d.seg_mix[2] == pytest.approx(4.3) and d.seg_rate[2] == 0.0
    assert d.seg_rate_se[2] == 0.0 and d.seg_mix_se[2] > 0
    assert d.mix + d.rate == pytest.approx(-3.0)


def test_an_undefined_variance_borrows_the_periods_pooled_one() -> None:
    """A mean over one answer has no variance. Period 0's other segment has n = 10 and a
    variance of its mean of 4 (40 per answer): the lone answer gets 40/1 = 40."""
    lone = decompose(n0=[10, 1], r0=[5.0, 3.0], v0=[4.0, np.nan],
                     n1=[12, 3], r1=[6.0, 4.0], v1=[3.0, 2.0])
    given_ = decompose(n0=[10, 1], r0=[5.0, 3.0], v0=[4.0, 40.0],
                       n1=[12, 3], r1=[6.0, 4.0], v1=[3.0, 2.0])
    assert np.isfinite(lone.rate_se)
    assert (lone.mix_se, lone.rate_se) == pytest.approx((given_.mix_se, given_.rate_se))


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(ValueError, match="both periods"):
        decompose([0, 0], [1.0, 2.0], [1.0, 1.0], [3, 4], [1.0, 2.0], [1.0, 1.0])


segments = st.integers(min_value=1, max_value=12)
counts = st.integers(min_value=0, max_value=5_000)
rates = st.floats(min_value=-100, max_value=100, allow_nan=False)
variances = st.floats(min_value=0, max_value=50, allow_nan=False)


@st.composite
def two_periods(draw: st.DrawFn) -> tuple[list[float], ...]:
    k = draw(segments)
    cols = [draw(st.lists(s, min_size=k, max_size=k))
            for s in (counts, rates, variances, counts, rates, variances)]
    for i in (0, 3):  # each period has at least one answer
        if sum(cols[i]) == 0:
            cols[i][0] = 1
    return tuple(cols)


@settings(max_examples=300, deadline=None)
@given(two_periods())
def test_the_parts_add_up_exactly_to_the_change(data: tuple[list[float], ...]) -> None:
    n0, r0, v0, n1, r1, v1 = (np.array(c, dtype=float) for c in data)
    d = decompose(n0, r0, v0, n1, r1, v1)
    before = (n0 * r0).sum() / n0.sum()  # the overall figures, weighted by n
    after = (n1 * r1).sum() / n1.sum()
    assert d.before == pytest.approx(before, abs=1e-9)
    assert d.after == pytest.approx(after, abs=1e-9)
    assert d.mix + d.rate == pytest.approx(after - before, abs=1e-9)
    # the shift-share totals, an absent segment's figure taken from the other period
    f0, f1 = np.where(n0 > 0, r0, r1), np.where(n1 > 0, r1, r0)
    w0, w1 = n0 / n0.sum(), n1 / n1.sum()
    assert d.mix == pytest.approx(((w1 - w0) * (f0 + f1) / 2).sum(), abs=1e-9)
    assert d.rate == pytest.approx(((f1 - f0) * (w0 + w1) / 2).sum(), abs=1e-9)
    assert d.seg_mix.sum() == pytest.approx(d.mix, abs=1e-9)
    assert d.seg_rate.sum() == pytest.approx(d.rate, abs=1e-9)
    # a segment absent in a period changes by mix only
    assert (d.seg_rate[(n0 == 0) | (n1 == 0)] == 0).all()
    assert np.isfinite([d.mix_se, d.rate_se, d.change_se]).all()
    assert min(d.mix_se, d.rate_se, d.change_se) >= 0
