"""Agreement and AUC on examples small enough to count by hand."""

from __future__ import annotations

import math

import pytest

from cxlens.text.evaluate import agreement, auc, auc_interval


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
