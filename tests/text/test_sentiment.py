"""Sentiment models: labels and thresholds, a hand-labelled set where the rules must matter,
the demo's labelled social mentions, and the demo's comments against their scores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxlens.errors import NotFound
from cxlens.store.base import Warehouse
from cxlens.text.sentiment import compound, label, score

# Written and labelled by hand for these tests (not taken from any model's output): the cases
# a plain word list gets wrong — negation, intensity, contrast — next to plain ones.
HAND = [
    ("The agent was good.", "positive"),
    ("The agent was not good.", "negative"),
    ("Not bad at all.", "positive"),
    ("The service was bad.", "negative"),
    ("Very helpful and quick!", "positive"),
    ("I am not happy with the refund.", "negative"),
    ("Not impressed.", "negative"),
    ("The problem is not solved.", "negative"),
    ("Thanks, problem solved!", "positive"),
    ("Great product but the support was terrible.", "negative"),
    ("The wait was terrible but the agent was great.", "positive"),
    ("The app never works.", "negative"),
    ("I would not recommend you.", "negative"),
    ("Extremely rude agent.", "negative"),
    ("Lovely agent who really cared about my problem.", "positive"),
    ("You closed my ticket without fixing anything.", "negative"),
    ("The parcel arrived on Tuesday.", "neutral"),
    ("My order number is 5521.", "neutral"),
    ("I am not unhappy with the outcome.", "positive"),
    ("Nobody helped me, useless.", "negative"),
    ("Love my hub, it works perfectly.", "positive"),
    ("The invoice is wrong again.", "negative"),
]


def _accuracy(model: str) -> float:
    predicted = label(compound([t for t, _ in HAND], model))
    return float(np.mean([p == want for p, (_, want) in zip(predicted, HAND, strict=True)]))


def test_labels_follow_vaders_thresholds() -> None:
    got = label([0.05, 0.0499, -0.0499, -0.05, 0.9, math.nan])
    assert got.tolist() == ["positive", "neutral", "neutral", "negative", "positive", None]


def test_empty_text_has_no_score_and_unknown_model_is_named() -> None:
    frame = score(["", "   ", None, "good"])
    assert frame["compound"].isna().tolist() == [True, True, True, False]
    assert frame["label"].tolist()[:3] == [None, None, None]
    with pytest.raises(NotFound, match='Did you mean "vader"'):
        compound(["x"], "vadr")


def test_rules_handle_negation_and_contrast_where_the_word_list_cannot() -> None:
    vader = dict(zip((t for t, _ in HAND), compound([t for t, _ in HAND], "vader"), strict=True))
    lex = dict(zip((t for t, _ in HAND), compound([t for t, _ in HAND], "lexicon"),
                   strict=True))
    assert vader["The agent was not good."] < -0.05 < 0.05 < lex["The agent was not good."]
    assert vader["Not bad at all."] > 0.05 and lex["Not bad at all."] < -0.05
    # "but" shifts the weight to the second clause
    assert vader["The wait was terrible but the agent was great."] > 0.05
    assert vader["Great product but the support was terrible."] < -0.05
    # the domain adjustment: "support" names the department, it is not praise
    assert compound(["Called support."], "vader")[0] == 0.0


def test_the_better_model_beats_the_baseline_on_the_hand_labelled_set() -> None:
    vader, lexicon = _accuracy("vader"), _accuracy("lexicon")
    # measured: vader 19/22 = 0.86, lexicon 12/22 = 0.55 (both miss "The app never works.",
    # "You closed my ticket without fixing anything." and call "My order number is 5521."
    # positive)
    assert vader >= 0.8
    assert vader > lexicon + 0.25


def _macro_f1(given: list[str], predicted: list[str]) -> float:
    scores = []
    for c in ("positive", "neutral", "negative"):
        tp = sum(g == p == c for g, p in zip(given, predicted, strict=True))
        fp = sum(p == c != g for g, p in zip(given, predicted, strict=True))
        fn = sum(g == c != p for g, p in zip(given, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / 3


def test_on_the_demo_mentions_against_the_generators_labels(demo: Warehouse) -> None:
    rows = demo.query("SELECT text, sentiment FROM mentions ORDER BY mention_id")
    texts, given = [r[0] for r in rows], [r[1] for r in rows]
    majority = max(given.count(c) for c in set(given)) / len(given)
    results = {}
    for model in ("vader", "lexicon"):
        predicted = list(label(compound(texts, model)))
        accuracy = sum(p == g for p, g in zip(predicted, given, strict=True)) / len(given)
        results[model] = (accuracy, _macro_f1(given, predicted))
    # Measured at scale 0.05, seed 7 (1,800 mentions): vader accuracy 0.668, macro-F1 0.674;
    # lexicon 0.599 and 0.559; always answering the commonest label scores 0.39. The limits
    # leave room for the demo's sampling but not for losing negation handling.
    assert majority < 0.45
    assert results["vader"][0] >= 0.62 and results["vader"][1] >= 0.62
    assert results["vader"][0] > majority + 0.2
    assert results["vader"][0] >= results["lexicon"][0] + 0.03
    assert results["vader"][1] >= results["lexicon"][1] + 0.05


def _auc(low: np.ndarray, high: np.ndarray) -> float:
    """P(high > low), ties half, by comparing every pair."""
    diff = high[:, None] - low[None, :]
    return float(((diff > 0) + 0.5 * (diff == 0)).mean())


def test_demo_comments_separate_detractors_from_promoters(demo: Warehouse) -> None:
    rows = demo.query("SELECT comment, score FROM survey_responses WHERE survey = 'nps' "
                      "AND kind = 'relational' AND comment IS NOT NULL")
    s = compound([r[0] for r in rows], "vader")
    scores = np.array([r[1] for r in rows])
    detractors, passives, promoters = s[scores <= 6], s[(scores >= 7) & (scores <= 8)], \
        s[scores >= 9]
    auc = _auc(detractors, promoters)
    rng = np.random.default_rng(1)
    boots = [_auc(rng.choice(detractors, len(detractors)), rng.choice(promoters, len(promoters)))
             for _ in range(300)]
    low = float(np.percentile(boots, 2.5))
    # measured: AUC 0.79 (95 % 0.76–0.82), n 276 detractors and 503 promoters
    assert auc > 0.72 and low > 0.65
    # promoters write clearly happier comments than passives and detractors; detractors and
    # passives are close (many detractor comments are price or waiting complaints with no
    # sentiment words: "The subscription price went up again.")
    assert promoters.mean() > passives.mean() + 0.2
    assert promoters.mean() > detractors.mean() + 0.2
    assert detractors.mean() < 0.1
