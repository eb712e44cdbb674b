"""A theme's sentence, written by the presentation layer from the hand-worked effect of
tests/text/test_theme_stats.py (shares as percentages to one decimal, points signed and
whole, q as the formatter writes p- and q-values)."""

from __future__ import annotations

import math

import pandas as pd

from cxlens.present.themes import sentence, with_sentences
from cxlens.text.theme_stats import effects, headline
from tests.text.test_theme_stats import _frame


def test_sentence_by_hand() -> None:
    # 2 of the 7 detractors are in theme 1 (28.57 %); effect +60 (95 % −13.3 to +133.3);
    # q = p = 0.1088; n 10 with, 10 without; 10 < NPS's minimum sample of 50
    text = sentence("login, password", headline(effects(_frame(), [1, 2]), 1), 0.5)
    assert text == ("login, password: 28.6 % of detractor comments, +60 NPS points vs others "
                    "(95 % -13 to +133, q 0.11; n 10 with, 10 without; not significant after "
                    "BH; small sample)")


def test_without_answers_or_anyone_to_compare() -> None:
    assert sentence("billing", None, 0.1234) == (
        "billing: 12.3 % of comments (no NPS or CSAT answers to compare)")
    every = {"outcome": "csat", "effect_ci_low": math.nan}
    assert sentence("billing", every, 0.02) == (
        "billing: 2.0 % of comments; every CSAT commenter has this theme, so there is no one "
        "to compare with")


def test_with_sentences_adds_the_column() -> None:
    table = pd.DataFrame({"label": ["billing"], "share": [0.25], "outcome": [None]})
    assert with_sentences(table)["sentence"].tolist() == [
        "billing: 25.0 % of comments (no NPS or CSAT answers to compare)"]
