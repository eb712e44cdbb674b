"""LSA theme vectors (``--vectors lsa``: TF-IDF word 1–2-grams + TruncatedSVD, 10-d, fitted on
the comments; no model file) and the warehouse's choice of vectors.

The NMI bars come from bench/theme_vectors.py (docs/decisions.md, 2026-12 "Theme vectors"):
k-means on the LSA vectors over clustering seeds 1–8 measured 0.115–0.150 on the public UCI
sentences (0.141 at the default seed 7) and 0.652–0.678 on the demo's comments (0.665 at seed
7); shuffled labels 0.003 and 0.025. Each bar sits below the lowest seed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from cxlens.demo.text import THEMES
from cxlens.errors import ConfigError, NotFound
from cxlens.store import meta
from cxlens.store.base import Warehouse
from cxlens.text import embed, glove, lsa
from cxlens.text import vectors as theme_vectors
from cxlens.text.cluster import cluster
from cxlens.text.themes import themes
from tests.text.theme_comments import COLUMNS, month_of_comments

DATA = Path(__file__).resolve().parents[1] / "data"
_TEMPLATES = [(name, re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", ".+?", re.escape(t))))
              for name, options in THEMES.items() for t in options]


def _nmi(texts: list[str], truth: list[str], k: int) -> float:
    return float(normalized_mutual_info_score(truth, cluster(lsa.lsa(texts), k).labels))


def test_lsa_groups_the_public_sentences_by_where_they_come_from() -> None:
    """UCI "Sentiment Labelled Sentences" (CC BY 4.0): six groups, source × polarity.
    Measured 0.141 (WordLlama 0.32): weaker on real text, well above chance."""
    data = pd.read_csv(DATA / "uci_sentiment_sentences" / "sentences.csv")
    nmi = _nmi(data["text"].astype(str).tolist(),
               (data["source"] + "/" + data["label"]).tolist(), 6)
    assert nmi >= 0.10


def test_lsa_groups_the_demo_comments_by_their_planted_theme() -> None:
    """The demo's 1,749 comments, 15 planted themes. Measured 0.665 (WordLlama 0.69)."""
    texts = pd.read_csv(DATA / "demo_comments" / "comments.csv")["comment"].astype(str).tolist()
    truth = [next(name for name, pattern in _TEMPLATES if pattern.match(t)) for t in texts]
    assert _nmi(texts, truth, 15) >= 0.62


def test_lsa_rows_are_unit_length_and_a_comment_without_terms_is_zero() -> None:
    texts = ["card declined at checkout", "my card was declined again", "delivery was late",
             "late delivery, again", "it is", "card declined, delivery late"] * 3
    x = lsa.lsa(texts)
    assert x.shape == (18, 10) and x.dtype == np.float32
    norms = np.linalg.norm(x, axis=1)
    # "it is" has no term (stop words only): a zero row, never NaN
    assert norms[[4, 10, 16]].tolist() == [0.0, 0.0, 0.0]
    assert np.allclose(np.delete(norms, [4, 10, 16]), 1.0)


def test_many_comments_are_projected_on_a_space_fitted_on_a_sample() -> None:
    """Past ``fit_sample`` comments the space is fitted on a seeded sample and every comment is
    projected on it ``CHUNK`` at a time (memory and interpreter-lock holds bounded: at 1.5 M
    comments 146 MB and 0.19 s instead of 858 MB and 1.6 s). The demo's comments twice (3,498,
    two chunks) with a sample of 1,000: a comment gets the same row in either chunk, and the
    planted themes still come back (measured NMI 0.635 at seed 7, the lowest of seeds 1–8,
    mean 0.651; fitted on all 0.665)."""
    texts = pd.read_csv(DATA / "demo_comments" / "comments.csv")["comment"].astype(str).tolist()
    assert len(texts) * 2 > lsa.CHUNK
    x = lsa.lsa(texts + texts, fit_sample=1000)
    assert x.shape == (2 * len(texts), 10)
    assert np.array_equal(x[:len(texts)], x[len(texts):])
    truth = [next(name for name, pattern in _TEMPLATES if pattern.match(t)) for t in texts]
    labels = cluster(x[:len(texts)], 15).labels
    assert normalized_mutual_info_score(truth, labels) >= 0.60


def test_few_distinct_terms_are_their_own_vectors_and_none_in_two_comments_is_zero() -> None:
    # 3 terms kept ("card", "declined", "card declined"): fewer than 10 dimensions to keep
    x = lsa.lsa(["card declined", "card declined", "card"])
    assert x.shape == (3, 3)
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0)
    assert float(x[0] @ x[1]) == pytest.approx(1.0)
    # the same past the sample: projected on the sample's few terms, every row holds "card"
    x = lsa.lsa(["card declined", "card declined", "card declined", "card"], fit_sample=2)
    assert x.shape[0] == 4 and x.shape[1] <= 3
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0)
    # no term in two comments: nothing to compare them on
    assert not lsa.lsa(["alpha beta", "gamma delta"]).any()
    assert lsa.lsa([]).shape == (0, 10)


def test_the_warehouse_keeps_the_choice_and_themes_use_it(wh: Warehouse) -> None:
    assert theme_vectors.setting(wh) == "glove"
    assert theme_vectors.SPACES["wordllama"].model == embed.MODEL
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(dt.date(2026, 1, 1)))
    assert themes(wh, "2026-01-01", "2026-01-31", k=6).model == glove.MODEL
    version = wh.scalar("SELECT value FROM cxlens_meta WHERE key = 'data_version'")
    chosen = theme_vectors.choose(wh, "lsa")
    assert chosen.model == lsa.MODEL and not chosen.fixed
    assert theme_vectors.setting(wh) == "lsa"
    # the cached themes page is keyed by the data version: it must be computed again
    assert wh.scalar("SELECT value FROM cxlens_meta WHERE key = 'data_version'") != version
    r = themes(wh, "2026-01-01", "2026-01-31", k=6)
    assert r.model == lsa.MODEL
    # six sentences, twenty times each: LSA puts each sentence in a theme of its own
    assert sorted(r.themes["comments"].tolist()) == [20] * 6
    # an explicit choice wins over the warehouse's
    assert themes(wh, "2026-01-01", "2026-01-31", k=6, vectors="wordllama").model == \
        embed.MODEL


def test_an_unknown_choice_is_refused_with_the_choices(wh: Warehouse) -> None:
    with pytest.raises(NotFound, match=r"no theme vectors 'lca'\. Did you mean \"lsa\"\?") as e:
        theme_vectors.choose(wh, "lca")
    assert e.value.hint == "choose one of: glove, wordllama, lsa"
    assert theme_vectors.setting(wh) == "glove"
    with pytest.raises(NotFound, match="no theme vectors 'fasttext'"):
        themes(wh, vectors="fasttext")


def test_only_a_fixed_space_makes_centroids_of_two_runs_comparable() -> None:
    assert theme_vectors.comparable(embed.MODEL, embed.MODEL)
    assert theme_vectors.comparable(glove.MODEL, glove.MODEL)
    assert not theme_vectors.comparable(lsa.MODEL, lsa.MODEL)  # each run fits its own
    assert not theme_vectors.comparable(embed.MODEL, lsa.MODEL)
    assert not theme_vectors.comparable(embed.MODEL, glove.MODEL)  # two tables, two spaces
    assert not theme_vectors.comparable("some other table", "some other table")


def test_a_choice_this_version_does_not_have_is_refused_not_replaced(wh: Warehouse) -> None:
    """A newer cxlens may keep vectors this one lacks: the themes would silently change if
    they fell back to the default, so the page and the commands stop and say how to fix it."""
    with wh.transaction():
        meta.put(wh, theme_vectors.KEY, "fasttext")
    with pytest.raises(ConfigError, match="theme vectors are 'fasttext', which this version") as e:
        themes(wh)
    assert e.value.hint.startswith("choose one it has: cxlens themes vectors glove")
    theme_vectors.choose(wh, "wordllama")
    assert theme_vectors.setting(wh) == "wordllama"
