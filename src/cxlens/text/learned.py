"""A sentiment classifier learned from the user's own labelled comments (issue 19).

Why: the lexicon models (:mod:`cxlens.text.sentiment`) know general English, not a company's
words — on airline tweets VADER is below always answering "negative". Every company has
comments with a score beside them, and those are labels.

The model: TF-IDF of word 1–2-grams and of character 2–5-grams within words (``char_wb``:
catches misspellings and word forms), both with sublinear term frequency and unit-length rows,
side by side, into a logistic regression (scikit-learn, ``C = 4``, classes weighted by their
inverse frequency so a rare class is not drowned). Chosen by 5-fold cross-validation on the
shipped public sentences (docs/decisions.md): words + characters macro-F1 0.853, words alone
0.829, characters alone 0.839; adding WordLlama embeddings 0.853 (nothing), embeddings alone
0.812.

Scoring uses only plain arrays — each vocabulary, its IDF weights, the coefficients and
intercepts — never a fitted scikit-learn object, so what is stored (:meth:`Learned.to_bytes`:
an ``.npz`` read with ``allow_pickle=False``, no pickle anywhere) scores exactly as the model
that was just trained. Loading runs no code from the stored bytes.

Compound score: P(positive) − P(negative), in −1…1 like the lexicon's, so the shares, net
sentiment and means of :mod:`cxlens.text.sentiment_summary` read the same; the label is the
most probable class.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from cxlens.errors import ConfigError
from cxlens.text.sentiment import LABELS

Floats = npt.NDArray[np.float64]
#: (name, TfidfVectorizer keyword arguments) of each feature block, in column order.
BLOCKS: tuple[tuple[str, dict[str, object]], ...] = (
    ("word", {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1}),
    ("char", {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2}),
)
C = 4.0
MAX_ITER = 2000
#: Distinct texts scored at a time (a chunk's TF-IDF rows are a few MB).
CHUNK = 20_000
FORMAT = "cxlens-sentiment-tfidf-logreg/1"
#: A stored model above this many features is refused rather than loaded (a bound on memory
#: for bytes read back from a warehouse).
MAX_FEATURES = 2_000_000


def _counter(params: dict[str, object], vocabulary: Sequence[str]) -> object:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=True, vocabulary={t: i for i, t in enumerate(vocabulary)},
                           **params)


@dataclass(frozen=True)
class Block:
    """One feature block: its vocabulary (column order) and IDF weights."""

    name: str
    vocabulary: tuple[str, ...]
    idf: Floats

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows as TfidfVectorizer(sublinear_tf=True, norm='l2') computes them."""
        params = dict(BLOCKS)[self.name]
        counts = sp.csr_matrix(_counter(params, self.vocabulary).transform(texts),  # type: ignore[attr-defined]
                               dtype=np.float64)
        counts.data = 1.0 + np.log(counts.data)
        weighted = sp.csr_matrix(counts.multiply(self.idf[np.newaxis, :]))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


@dataclass(frozen=True)
class Learned:
    """A trained sentiment classifier (plain arrays; see the module docstring)."""

    classes: tuple[str, ...]
    blocks: tuple[Block, ...]
    coef: Floats  # (1, features) for two classes, (classes, features) otherwise
    intercept: Floats

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(sp.hstack([b.transform(texts) for b in self.blocks]))

    def proba(self, texts: Sequence[str]) -> Floats:
        """(texts × classes) probabilities, as LogisticRegression.predict_proba gives them."""
        if not len(texts):
            return np.zeros((0, len(self.classes)))
        decision = np.asarray(self.features(texts) @ self.coef.T) + self.intercept
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-decision[:, 0]))
            return np.column_stack([1.0 - p, p])
        decision -= decision.max(axis=1, keepdims=True)
        e = np.exp(decision)
        out: Floats = e / e.sum(axis=1, keepdims=True)
        return out

    def predict(self, texts: Sequence[str | None], chunk: int = CHUNK
                ) -> tuple[Floats, npt.NDArray[np.object_]]:
        """(compound, label) per text: compound = P(positive) − P(negative); NaN and None for a
        missing or blank text. Each distinct text is scored once (comments repeat), ``chunk``
        at a time so the feature matrix stays small."""
        index: dict[str, int] = {}
        where = np.full(len(texts), -1)
        for i, t in enumerate(texts):
            if isinstance(t, str) and t.strip():
                where[i] = index.setdefault(t, len(index))
        distinct = list(index)
        p = np.vstack([self.proba(distinct[at:at + chunk])
                       for at in range(0, len(distinct), chunk)] or
                      [np.zeros((0, len(self.classes)))])
        pos = p[:, self.classes.index("positive")] if "positive" in self.classes \
            else np.zeros(len(p))
        neg = p[:, self.classes.index("negative")] if "negative" in self.classes \
            else np.zeros(len(p))
        names = np.asarray(self.classes, dtype=object)[p.argmax(axis=1)] if len(p) \
            else np.zeros(0, dtype=object)
        known = where >= 0
        compound = np.full(len(texts), np.nan)
        labels = np.full(len(texts), None, dtype=object)
        compound[known] = (pos - neg)[where[known]]
        labels[known] = names[where[known]]
        return compound, labels

    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` of plain arrays (no pickled objects)."""
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "meta": np.array(json.dumps({"format": FORMAT, "classes": list(self.classes),
                                         "blocks": [b.name for b in self.blocks]})),
            "coef": self.coef, "intercept": self.intercept}
        for b in self.blocks:
            arrays[f"{b.name}_vocabulary"] = np.array(b.vocabulary, dtype=str)
            arrays[f"{b.name}_idf"] = b.idf
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Learned:
        """Read :meth:`to_bytes`'s output. ``allow_pickle=False``: object arrays (the only
        way an ``.npz`` can carry code to run) are refused by numpy."""
        remedy = "train it again: cxlens sentiment train"
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != FORMAT:
                    raise ConfigError(f"stored sentiment model has format "
                                      f"{meta.get('format')!r}, not {FORMAT!r}", remedy)
                blocks = tuple(Block(name, tuple(str(t) for t in z[f"{name}_vocabulary"]),
                                     np.asarray(z[f"{name}_idf"], dtype=np.float64))
                               for name in meta["blocks"])
                coef = np.asarray(z["coef"], dtype=np.float64)
                intercept = np.asarray(z["intercept"], dtype=np.float64)
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            raise ConfigError(f"the stored sentiment model cannot be read ({exc})",
                              remedy) from exc
        width = sum(len(b.vocabulary) for b in blocks)
        known = {name for name, _ in BLOCKS}
        if (width > MAX_FEATURES or coef.shape[-1] != width
                or any(b.name not in known or len(b.idf) != len(b.vocabulary) for b in blocks)):
            raise ConfigError("the stored sentiment model's arrays do not fit together",
                              remedy)
        return cls(tuple(meta["classes"]), blocks, coef, intercept)


def classes_of(labels: Sequence[str]) -> tuple[str, ...]:
    """The classes present, in :data:`LABELS` order."""
    present = set(labels)
    unknown = sorted(present - set(LABELS))
    if unknown:
        raise ConfigError(f"unknown sentiment label(s): {', '.join(map(repr, unknown))}",
                          f"use {', '.join(LABELS)}")
    return tuple(c for c in LABELS if c in present)


def distinct(texts: Sequence[str], labels: Sequence[str], counts: Sequence[int] | None = None
             ) -> tuple[list[str], list[str], npt.NDArray[np.int64]]:
    """Each (text, label) pair once, in order of first appearance, with how many times it
    stands (``counts``: each item's own count, default 1). Survey comments repeat ("Fixed in
    minutes, thanks!"): learning from a pair once with its count as weight is learning from
    every copy."""
    pairs: dict[tuple[str, str], int] = {}
    for pair, n in zip(zip(texts, labels, strict=True),
                       [1] * len(texts) if counts is None else counts, strict=True):
        pairs[pair] = pairs.get(pair, 0) + int(n)
    return ([t for t, _ in pairs], [lab for _, lab in pairs],
            np.fromiter(pairs.values(), dtype=np.int64, count=len(pairs)))


def _block(name: str, params: dict[str, object], texts: Sequence[str],
           counts: npt.NDArray[np.int64]) -> Block:
    """What ``TfidfVectorizer(sublinear_tf=True, **params).fit`` learns from ``texts`` each
    repeated ``counts`` times, from the distinct texts only: the vocabulary (alphabetical, a
    term kept when ``min_df`` texts or more hold it) and the smoothed IDF,
    ln((1 + n) / (1 + df)) + 1, with every document frequency counting the repeats."""
    from sklearn.feature_extraction.text import CountVectorizer

    min_df = int(params["min_df"])  # type: ignore[call-overload]
    rest = {k: v for k, v in params.items() if k != "min_df"}
    counter = CountVectorizer(lowercase=True, binary=True, **rest)
    present = sp.csc_matrix(counter.fit_transform(texts))
    order = sorted(counter.vocabulary_, key=counter.vocabulary_.__getitem__)
    df = np.asarray(present.T @ counts).ravel()
    keep = np.flatnonzero(df >= min_df)
    if not len(keep):
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher "
                         "max_df.")
    n = int(counts.sum())
    idf = np.log((n + 1) / (df[keep].astype(np.float64) + 1.0)) + 1.0
    return Block(name, tuple(order[j] for j in keep), idf)


def fit(texts: Sequence[str], labels: Sequence[str],
        counts: Sequence[int] | None = None) -> Learned:
    """Train on ``texts`` with their ``labels`` (positive / neutral / negative; at least two
    of them present); ``counts``: how many times each (text, label) stands (default once).
    Repeated pairs are learnt once with their count as weight: the same vocabulary, IDF and
    objective as learning every copy (the 10 M demo's 1,173,815 weakly labelled comments are
    2,117 distinct pairs)."""
    from sklearn.linear_model import LogisticRegression

    classes = classes_of(labels)
    if len(classes) < 2:
        raise ConfigError(f"only {', '.join(classes) or 'no'} labels to learn from",
                          "give comments of at least two kinds (e.g. positive and negative)")
    once, once_labels, repeats = distinct(texts, labels, counts)
    # document frequencies count each text (not each pair) with all its copies
    text_counts: dict[str, int] = {}
    for text, n in zip(once, repeats.tolist(), strict=True):
        text_counts[text] = text_counts.get(text, 0) + n
    blocks = tuple(_block(name, params, list(text_counts),
                          np.asarray(list(text_counts.values()), dtype=np.int64))
                   for name, params in BLOCKS)
    # the features the stored model will compute (not the vectorizer's own transform)
    untrained = Learned(classes, blocks, np.zeros(0), np.zeros(0))
    clf = LogisticRegression(C=C, max_iter=MAX_ITER, class_weight="balanced")
    clf.fit(untrained.features(once), np.asarray(once_labels, dtype=object),
            sample_weight=repeats.astype(np.float64))
    order = [list(clf.classes_).index(c) for c in classes]
    coef = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    if len(classes) > 2:
        coef, intercept = coef[order], intercept[order]
    elif list(clf.classes_) != list(classes):  # binary: coef_ speaks for classes_[1]
        coef, intercept = -coef, -intercept
    return Learned(classes, blocks, coef, intercept)
