"""The issue's targets on labelled text nobody here wrote (tests/data/README.md): under
cross-validation the trained model beats the lexicon model by a clear margin in macro-F1, and
the lexicon model beats the majority class."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxlens.text.crossval import COMPARED, cross_validate, time_holdout

DATA = Path(__file__).parents[1] / "data"
#: The clear margin, in macro-F1 points (0–1 scale), on the 3,000 public sentences. Measured
#: 0.845 against 0.740 (docs/text.md); the margin asked is a bit under the measured one.
MARGIN = 0.08


@pytest.fixture(scope="module")
def sentences() -> pd.DataFrame:
    return pd.read_csv(DATA / "uci_sentiment_sentences" / "sentences.csv")


@pytest.fixture(scope="module")
def uci_cv(sentences: pd.DataFrame) -> pd.DataFrame:
    return cross_validate(sentences["text"].tolist(), sentences["label"].tolist()) \
        .set_index("model")


def test_the_shipped_sample_is_what_its_readme_says(sentences: pd.DataFrame) -> None:
    assert len(sentences) == 3000
    assert sentences.groupby(["source", "label"]).size().tolist() == [500] * 6


def test_trained_beats_the_lexicon_by_a_clear_margin(uci_cv: pd.DataFrame) -> None:
    assert list(uci_cv.index) == list(COMPARED) and (uci_cv["n"] == 3000).all()
    trained, vader = uci_cv.loc["trained"], uci_cv.loc["vader"]
    assert trained["macro_f1"] - vader["macro_f1"] >= MARGIN
    # and the intervals do not overlap
    assert trained["macro_f1_ci_low"] > vader["macro_f1_ci_high"]
    assert trained["accuracy_ci_low"] > vader["accuracy_ci_high"]
    assert trained["auc"] > 0.5 and trained["auc_ci_low"] <= trained["auc"] <= trained["auc_ci_high"]


def test_the_lexicon_fallback_beats_the_majority_class(uci_cv: pd.DataFrame) -> None:
    majority, vader = uci_cv.loc["majority"], uci_cv.loc["vader"]
    # 1,500 of each label: every training part has 1,200 of each, a tie broken by the label
    # order (positive first): all answers positive, accuracy 1/2, F1 positive 2·1500/4500,
    # F1 negative 0, macro-F1 1/3; AUC of a constant score 0.5
    assert majority["accuracy"] == 0.5
    assert majority["macro_f1"] == pytest.approx(1 / 3)
    assert majority["auc"] == 0.5
    assert vader["macro_f1_ci_low"] > majority["macro_f1_ci_high"]


def test_the_demo_comments_under_cv_and_a_time_holdout() -> None:
    demo = pd.read_csv(DATA / "demo_comments" / "comments.csv").dropna(subset=["label"])
    texts, labels = demo["comment"].tolist(), demo["label"].tolist()
    cv = cross_validate(texts, labels).set_index("model")
    assert cv.loc["trained", "macro_f1"] - cv.loc["vader", "macro_f1"] >= MARGIN
    assert cv.loc["vader", "macro_f1"] > cv.loc["majority", "macro_f1"]
    later = time_holdout(texts, labels, demo["responded_at"].tolist()).set_index("model")
    # the latest fifth of 1,372 labelled comments: 274, from 2026-07-20 on
    assert (later["n"] == 274).all()
    assert later["scheme"].iloc[0] == "time holdout (tested from 2026-07-20)"
    assert later.loc["trained", "macro_f1"] > later.loc["vader", "macro_f1"]
