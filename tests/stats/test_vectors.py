"""Statistics against the published checks (the project's reference notes on statistics and test vectors; every value is
copied into this file)
and against statsmodels / scipy as independent implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from cxlens.stats import benjamini_hochberg, nps_interval, quantile_ranks, t_interval
from cxlens.stats import wilson_interval as wilson
from cxlens.stats.change import mean_change, nps_change, proportion_change
from cxlens.stats.mean import sd_from_sums
from cxlens.stats.nps import nps_variance
from cxlens.stats.shrinkage import fit_beta_binomial, shrink


def test_wilson_published_check() -> None:
    low, high = wilson(171, 200)
    assert (round(float(low), 4), round(float(high), 4)) == (0.7995, 0.8971)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (3, 7), (500, 1000), (1, 1)])
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    low, high = wilson(k, n)
    ref = proportion_confint(k, n, method="wilson")
    assert np.allclose([low, high], ref, atol=1e-12)


def test_empty_group_is_nan_not_zero() -> None:
    low, high = wilson(np.array([0, 5]), np.array([0, 10]))
    assert np.isnan(low[0]) and np.isnan(high[0]) and not np.isnan(low[1])
    value, lo, hi = nps_interval(0, 0, 0)
    assert np.isnan(value) and np.isnan(lo) and np.isnan(hi)


def test_nps_published_wald_check() -> None:
    value, low, high = nps_interval(250, 75, 1000, method="wald")
    assert float(value) == 17.5
    assert (round(float(low), 1), round(float(high), 1)) == (14.1, 20.9)


def test_nps_adjusted_wald_is_used_for_small_samples() -> None:
    # 2 promoters of 2: Wald collapses to a zero-width interval; adjusted Wald does not.
    _, wl, wh = nps_interval(2, 0, 2, method="wald")
    _, al, ah = nps_interval(2, 0, 2)
    assert float(wl) == float(wh) == 100.0
    n2, p2, d2 = 5, 2.75, 0.75  # by hand: n' = 5, P' = 2.75, D' = 0.75
    centre = (p2 - d2) / n2
    var = p2 / n2 + d2 / n2 - centre**2
    assert float(al) == pytest.approx(100 * (centre - 1.959964 * np.sqrt(var / n2)), abs=1e-3)
    assert float(ah) == pytest.approx(min(100.0, 100 * (centre + 1.959964 * np.sqrt(var / n2))),
                                      abs=1e-3)


def test_nps_basic_vector_formbricks() -> None:
    scores = np.array([10, 7, 3, 9])
    value, _, _ = nps_interval((scores >= 9).sum(), (scores <= 6).sum(), scores.size)
    assert float(value) == 25.0


def test_nps_change_published_check() -> None:
    # +9.3 points with n 400 vs 350 gives z ≈ 1.53, p ≈ 0.13 when both periods have the
    # variance typical of NPS data, ≈ 0.69 on the share scale (e.g. 45 % promoters, 31 %
    # detractors gives 0.74; 0.689 reproduces the reference figures).
    z, p = nps_change(15.0, 0.689, 400, 24.3, 0.689, 350)
    assert round(float(z), 2) == 1.53
    assert round(float(p), 2) == 0.13
    # and the variance formula itself, by hand: p = 0.45, d = 0.31
    assert float(nps_variance(45, 31, 100)) == pytest.approx(0.45 + 0.31 - 0.14**2)


def test_proportion_change_matches_statsmodels() -> None:
    z, p = proportion_change(80, 100, 95, 110)
    ref_z, ref_p = proportions_ztest([95, 80], [110, 100])
    assert float(z) == pytest.approx(ref_z) and float(p) == pytest.approx(ref_p)


def test_mean_change_matches_scipy_welch() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(5, 1, 40), rng.normal(5.5, 2, 60)
    t, p = mean_change(a.size, a.mean(), a.std(ddof=1), b.size, b.mean(), b.std(ddof=1))
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert float(t) == pytest.approx(ref.statistic) and float(p) == pytest.approx(ref.pvalue)


def test_t_interval_and_sd_from_sums() -> None:
    x = np.array([7.0, 6.0, 1.0])  # CES 1-7 vector (Formbricks): mean 4.67
    sd = sd_from_sums(x.size, x.sum(), (x**2).sum())
    assert float(sd) == pytest.approx(x.std(ddof=1))
    low, high = t_interval(x.size, x.mean(), sd)
    ref = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=x.std(ddof=1) / np.sqrt(x.size))
    assert (float(low), float(high)) == pytest.approx(ref)
    assert np.isnan(t_interval(1, 5.0, np.nan)[0])


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan, 0.001])
    q, sig = benjamini_hochberg(p)
    ok = ~np.isnan(p)
    ref_sig, ref_q, _, _ = multipletests(p[ok], method="fdr_bh")
    assert np.allclose(q[ok], ref_q) and list(sig[ok]) == list(ref_sig)
    assert np.isnan(q[4]) and not sig[4]


def test_quantile_ranks_cover_the_true_quantile() -> None:
    # Monte Carlo coverage of the order-statistic interval for the median and P90.
    rng = np.random.default_rng(7)
    for p, true in ((0.5, np.log(2)), (0.9, np.log(10))):  # exponential(1) quantiles
        n = 200
        _, _, lo, hi = quantile_ranks(n, p)
        hits = 0
        for _ in range(2000):
            x = np.sort(rng.exponential(1, n))
            hits += x[lo - 1] <= true <= x[hi - 1]
        assert 0.93 <= hits / 2000 <= 0.985


def test_quantile_point_ranks() -> None:
    lo, hi, _, _ = quantile_ranks(np.array([4, 5, 0]), 0.5)
    assert list(lo) == [2, 3, 0] and list(hi) == [3, 3, 0]
    lo, hi, _, _ = quantile_ranks(10, 0.9)
    assert int(lo) == int(hi) == 9


def test_shrinkage_keeps_a_one_of_one_agent_off_the_top() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(50, 300, 40)
    k = rng.binomial(n, rng.beta(40, 10, 40))
    k, n = np.append(k, 1), np.append(n, 1)  # a new agent: 1 satisfied of 1
    prior = fit_beta_binomial(k, n)
    assert 0.7 < prior.mean < 0.9
    post, low, high = shrink(k, n, prior)
    assert k[-1] / n[-1] == 1.0 and post[-1] < np.max(post[:-1])
    assert low[-1] < post[-1] < high[-1]
    # well-sampled agents barely move
    big = n > 200
    assert np.all(np.abs(post[big] - k[big] / n[big]) < 0.05)
