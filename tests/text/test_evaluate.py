"""Agreement and AUC on examples small enough to count by hand."""

from __future__ import annotations

import math

import pytest

from cxlens.text.evaluate import (
    against_baseline,
    agreement,
    auc,
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
    """The interval is the percentile of the AUCs of the scores resampled with the seeded
    generator's draws, each group apart — computed here the plain way, scores and all."""
    import numpy as np

    low = [0.1, 0.2, 0.2, 0.5, 0.7, 0.3] * 5
    high = [0.2, 0.4, 0.6, 0.6, 0.9] * 6
    rng = np.random.default_rng(3)
    plain = [auc(rng.choice(low, len(low)), rng.choice(high, len(high))) for _ in range(200)]
    value, lo, hi = auc_interval(low, high, resamples=200, seed=3)
    assert value == auc(low, high)
    assert (lo, hi) == (np.percentile(plain, 2.5), np.percentile(plain, 97.5))


def test_auc_intervals_of_models_scoring_the_same_texts() -> None:
    """Several models' intervals from one set of draws are each model's own: the percentile
    of the AUCs of its scores resampled the plain way (a group's scores drawn with the seeded
    generator, low group then high), computed here scores and all. Texts repeat (the rows
    name them by number), and the third model leaves text 4 unscored: its groups are smaller,
    so its draws are its own."""
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
        rng = np.random.default_rng(5)
        plain = [auc(rng.choice(lows, len(lows)), rng.choice(highs, len(highs)))
                 for _ in range(150)]
        assert value == auc(lows, highs)
        assert (lo, hi) == (np.percentile(plain, 2.5), np.percentile(plain, 97.5))
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
