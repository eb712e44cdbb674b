"""Agreement and AUC on examples small enough to count by hand."""

from __future__ import annotations

import math

import pytest

from cxlens.stats.auc import auc, delong
from cxlens.text.evaluate import (
    against_baseline,
    agreement,
    auc_interval,
    auc_intervals,
    auc_of_counts,
    majority_baseline,
)


def test_agreement_counts_by_hand() -> None:
    given = ["positive", "positive", "negative", "neutral", None]
    predicted = ["positive", "negative", "negative", "neutral", "positive"]
    a = agreement(given, predicted, ("positive", "neutral", "negative"))
    # the pair with no given label is left out: 3 of 4 agree
    assert a.n == 4 and a.accuracy == 0.75
    # positive: tp 1, predicted 1, given 2 → 2/3; negative: tp 1, predicted 2, given 1 → 2/3;
    # neutral: 1
    assert a.f1 == pytest.approx({"positive": 2 / 3, "neutral": 1.0, "negative": 2 / 3})
    assert a.macro_f1 == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    assert list(a.confusion.index) == ["positive", "neutral", "negative"]
    assert a.confusion.loc["positive", "negative"] == 1
    # Wilson interval of 3/4 (statsmodels proportion_confint(3, 4, method="wilson"))
    assert (a.accuracy_ci_low, a.accuracy_ci_high) == pytest.approx((0.3006, 0.9544), abs=1e-4)


def test_auc_counts_pairs_with_ties_as_half() -> None:
    # pairs (low, high): (1,2) 1, (1,3) 1, (2,2) ½, (2,3) 1 → 3.5 / 4
    assert auc([1, 2], [2, 3]) == 0.875
    assert auc([5, 6], [1, 2]) == 0.0
    assert math.isnan(auc([], [1.0]))
    value, lo, hi = auc_interval([0.1, 0.2, 0.3, 0.4] * 10, [0.35, 0.5, 0.6, 0.7] * 10)
    # 4 × 4 pattern: only (0.4 vs 0.35) goes the wrong way → 15/16
    assert value == pytest.approx(15 / 16)
    assert lo < value < hi <= 1.0


def test_auc_of_counts_by_hand() -> None:
    # scores 1, 2, 3: low texts 1, 2 (one each), high texts 2, 3, 3 → pairs: (1,2) 1, (1,3) 1,
    # (1,3) 1, (2,2) ½, (2,3) 1, (2,3) 1 → 5.5 / 6
    assert auc_of_counts([1, 1, 0], [0, 1, 2]) == pytest.approx(5.5 / 6)
    assert auc_of_counts([1, 1, 0], [0, 1, 2]) == auc([1, 2], [2, 3, 3])
    assert auc_of_counts([0, 0, 3], [2, 0, 0]) == 0.0
    assert auc_of_counts([2, 0], [0, 0]) != auc_of_counts([2, 0], [0, 0])  # NaN: no high text


def test_auc_interval_resamples_the_scores() -> None:
    """The interval is the percentile of the AUCs of the resamples, each group drawn apart as
    its counts per distinct score, Multinomial(n, shares) from the seeded generator (all the
    low group's resamples, then the high group's); each resample's AUC computed here by
    scikit-learn from the counts as weights."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    # 600 answers a group over 8 distinct scores: the multinomial sampler (the rows one,
    # for nearly as many scores as answers, is checked in tests/stats/test_resample.py)
    low = [0.1, 0.2, 0.2, 0.5, 0.7, 0.3] * 100
    high = [0.2, 0.4, 0.6, 0.6, 0.9] * 120
    distinct = np.unique(low + high)  # 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.9
    lo_counts = np.array([100, 200, 100, 0, 100, 0, 100, 0])
    hi_counts = np.array([0, 120, 0, 120, 0, 240, 0, 120])
    rng = np.random.default_rng(3)
    lo_draws = rng.multinomial(600, lo_counts / 600, size=200)
    hi_draws = rng.multinomial(600, hi_counts / 600, size=200)
    y = np.r_[np.zeros(8), np.ones(8)]
    plain = [roc_auc_score(y, np.r_[distinct, distinct], sample_weight=np.r_[lo_n, hi_n])
             for lo_n, hi_n in zip(lo_draws, hi_draws, strict=True)]
    value, lo, hi = auc_interval(low, high, resamples=200, seed=3)
    assert value == auc(low, high)
    assert (lo, hi) == pytest.approx((np.percentile(plain, 2.5), np.percentile(plain, 97.5)),
                                     rel=1e-12)


def test_auc_interval_agrees_with_resampling_the_answers_and_with_delong() -> None:
    """Drawing the counts is drawing the answers (the same distribution): on 1,500 and 1,200
    answers with ties (about 60 distinct scores: the multinomial sampler), the bounds agree
    with the plain bootstrap of the answers themselves (``rng.choice``, other draws) and with
    DeLong's normal interval to within 0.0025, inside the interval's width of about 0.05;
    resampling one group only (a narrower interval) would be off by about 0.008."""
    import numpy as np

    from cxlens.stats.resample import sampler

    rng = np.random.default_rng(21)
    low = np.round(rng.normal(0.0, 1.0, 1500), 1)
    high = np.round(rng.normal(0.8, 1.0, 1200), 1)
    assert sampler(len(np.unique(np.r_[low, high])), 1200) == "multinomial"
    value, lo, hi = auc_interval(low, high, resamples=4000, seed=9)
    plain = np.random.default_rng(9)
    boots = [auc(plain.choice(low, len(low)), plain.choice(high, len(high)))
             for _ in range(4000)]
    assert (lo, hi) == pytest.approx((np.percentile(boots, 2.5), np.percentile(boots, 97.5)),
                                     abs=0.0025)
    a, se = delong(np.r_[np.zeros(1500), np.ones(1200)], np.r_[low, high])
    assert a == pytest.approx(value, abs=1e-12)
    assert (lo, hi) == pytest.approx((a - 1.959964 * se, a + 1.959964 * se), abs=0.0025)
    assert 0.03 < hi - lo < 0.08


def test_auc_intervals_of_models_scoring_the_same_texts() -> None:
    """Several models' intervals from the answers counted per text are each model's own:
    :func:`auc_interval` of its scores of the answers. Texts repeat (the rows name them by
    number), and the third model leaves text 4 unscored: its groups are smaller."""
    import numpy as np

    by_text = [np.array([0.1, 0.2, 0.5, 0.7, 0.3, 0.9]),  # texts 0–5
               np.array([0.0, 0.0, 1.0, 1.0, 0.0, 1.0]),  # ties
               np.array([0.1, 0.4, 0.5, 0.6, np.nan, 0.8])]
    low = [0, 1, 1, 4, 2, 0, 3] * 4
    high = [2, 3, 5, 5, 4, 1] * 5
    got = auc_intervals(low, high, by_text, resamples=150, seed=5)
    for scores, (value, lo, hi) in zip(by_text, got, strict=True):
        lows = scores[low][~np.isnan(scores[low])]
        highs = scores[high][~np.isnan(scores[high])]
        assert value == auc(lows, highs)
        assert (value, lo, hi) == auc_interval(scores[low], scores[high], resamples=150, seed=5)
        assert lo < value < hi
    # the first model by hand: low 0.1, 0.2, 0.2, 0.3, 0.5, 0.1, 0.7 against high 0.5, 0.7,
    # 0.9, 0.9, 0.3, 0.2: of 42 pairs the high one is above in 5 + 6 + 7 + 7 + 4 + 2 = 31,
    # and 5 ties — (0.5, 0.5), (0.7, 0.7), (0.3, 0.3), (0.2, 0.2) twice — count half
    assert got[0][0] == (31 + 5 / 2) / 42
    assert auc_intervals([], [1], by_text)[0][1] != auc_intervals([], [1], by_text)[0][1]


def test_majority_baseline_by_hand() -> None:
    given = ["negative"] * 5 + ["positive"] * 2 + ["neutral", None]
    top, base = majority_baseline(given, ("positive", "neutral", "negative"))
    assert top == "negative" and base.n == 8 and base.accuracy == 5 / 8
    # F1 of "negative": precision 5/8, recall 1 → 2·5/(8 + 5); the other classes 0
    assert base.macro_f1 == pytest.approx((10 / 13) / 3)
    # the issue's example: 62.7 % negative, three labels → macro-F1 (2·0.627/1.627)/3 = 0.26
    labels = ["negative"] * 627 + ["neutral"] * 200 + ["positive"] * 173
    _, issue = majority_baseline(labels, ("positive", "neutral", "negative"))
    assert issue.macro_f1 == pytest.approx(2 * 0.627 / 1.627 / 3) and \
        round(issue.macro_f1, 2) == 0.26
    model = agreement(given, ["negative"] * 4 + ["positive"] * 3 + ["neutral"] * 2)
    assert model.accuracy == 7 / 8  # Wilson interval 0.53–0.98 holds the baseline's 5/8
    assert against_baseline(model, base) == "is not clearly better than"
    worse = agreement(given, ["neutral"] * 9)
    assert against_baseline(worse, base) == "does not beat"
