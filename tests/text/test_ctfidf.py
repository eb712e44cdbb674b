"""c-TF-IDF on a corpus small enough to weigh by hand, and the words a label may use."""

from __future__ import annotations

import math

import pytest

from cxlens.text.ctfidf import ctfidf, top_terms, words


def test_words_leave_out_stop_words_placeholders_and_contact_sentences() -> None:
    assert words("The agent's manner was RUDE!") == ["agent", "manner", "rude"]
    assert words("Fine. Call me back on [phone].") == ["fine"]
    assert words("My card [card] was charged twice. Reach me at [email]") == [
        "card", "charged", "twice"]
    assert words("It was ok, not great") == ["ok", "great"]


def test_weights_by_hand() -> None:
    texts = ["refund late", "refund late", "refund", "login reset", "login reset refund"]
    labels = [0, 0, 0, 1, 1]
    vocab, w = ctfidf(texts, labels, [0, 1])
    assert vocab == ["late", "login", "refund", "reset"]
    # class 0: refund 3, late 2 (5 words); class 1: login 2, reset 2, refund 1 (5 words)
    # A = 5; f: late 2, login 2, refund 4, reset 2
    idf = {"late": math.log(1 + 5 / 2), "login": math.log(1 + 5 / 2),
           "refund": math.log(1 + 5 / 4), "reset": math.log(1 + 5 / 2)}
    assert w[0].tolist() == pytest.approx([2 / 5 * idf["late"], 0, 3 / 5 * idf["refund"], 0])
    # "refund" occurs in one text of class 1 only: below MIN_DOCS, weight 0
    assert w[1].tolist() == pytest.approx([0, 2 / 5 * idf["login"], 0, 2 / 5 * idf["reset"]])
    top = top_terms(texts, labels, [0, 1], n=2)
    assert [t for t, _ in top[0]] == ["late", "refund"]  # 0.501 vs 0.487
    assert [t for t, _ in top[1]] == ["login", "reset"]  # tie: alphabetical


def test_a_text_with_copies_weighs_as_its_copies() -> None:
    """The corpus above with each repeated text given once and its number of copies: the same
    vocabulary and weights (the hand-worked ones), and a text written twice is two texts for
    MIN_DOCS."""
    texts = ["refund late", "refund", "login reset", "login reset refund"]
    labels = [0, 0, 1, 1]
    vocab, w = ctfidf(texts, labels, [0, 1], copies=[2, 1, 1, 1])
    assert vocab == ["late", "login", "refund", "reset"]
    idf = {"late": math.log(1 + 5 / 2), "login": math.log(1 + 5 / 2),
           "refund": math.log(1 + 5 / 4), "reset": math.log(1 + 5 / 2)}
    assert w[0].tolist() == pytest.approx([2 / 5 * idf["late"], 0, 3 / 5 * idf["refund"], 0])
    assert w[1].tolist() == pytest.approx([0, 2 / 5 * idf["login"], 0, 2 / 5 * idf["reset"]])
    # "late" is in one text written twice: two texts, so it labels class 0
    assert [t for t, _ in top_terms(texts, labels, [0, 1], n=2, copies=[2, 1, 1, 1])[0]] == [
        "late", "refund"]
    once = ctfidf(["refund late", "refund"], [0, 0], [0])[1]
    assert once[0, 0] == 0.0  # "late" in a single text: below MIN_DOCS
