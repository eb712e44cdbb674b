"""Label clusters of texts with their most distinctive words: class-based TF-IDF (c-TF-IDF).

All texts of a class (cluster) are treated as one document. For term t and class c
(Grootendorst 2022, BERTopic):

    W(t, c) = tf(t, c) · log(1 + A / f(t))

tf(t, c): count of t in class c divided by the number of words in c; A: the average number of
words per class; f(t): the count of t over all classes. Words are lower-cased runs of letters
(an apostrophe inside a word is kept), at least ``MIN_LENGTH`` letters, not a stop word
(:data:`cxlens.text.stopwords.STOP_WORDS`) and not a redaction placeholder ([email], [phone],
[card]); a sentence that held an e-mail address or phone number is left out whole (it is
contact details — "call me back on [phone]" — not what the comment is about). A term must
occur in at least ``MIN_DOCS`` texts of its class, so a one-off word (a name, a typo) does not
label a theme.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cxlens.text.stopwords import STOP_WORDS

MIN_LENGTH = 2
MIN_DOCS = 2
_PLACEHOLDER = re.compile(r"\[(?:email|phone|card)\]")
_CONTACT = re.compile(r"[^.!?]*\[(?:email|phone)\][^.!?]*[.!?]*")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def words(text: str) -> list[str]:
    """The terms of one text, in order (stop words and placeholders left out)."""
    plain = _PLACEHOLDER.sub(" ", _CONTACT.sub(" ", text.lower().replace("’", "'")))
    out = []
    for w in _WORD.findall(plain):
        w = w.removesuffix("'s")
        if len(w) >= MIN_LENGTH and w not in STOP_WORDS:
            out.append(w)
    return out


def ctfidf(texts: Sequence[str], labels: npt.ArrayLike, classes: Sequence[int],
           copies: npt.ArrayLike | None = None) -> tuple[list[str], npt.NDArray[np.float64]]:
    """(vocabulary, weights): ``weights[i, j]`` is W(vocabulary[j], classes[i]); 0 for a term
    in fewer than ``MIN_DOCS`` texts of the class. ``copies``: how many texts each item
    stands for (default 1): a sentence written 10,000 times is read once and counted 10,000
    times."""
    lab = np.asarray(labels)
    weight = np.ones(len(lab), dtype=np.int64) if copies is None \
        else np.asarray(copies, dtype=np.int64)
    counts: list[Counter[str]] = []
    docs: list[Counter[str]] = []
    for c in classes:
        tf: Counter[str] = Counter()
        df: Counter[str] = Counter()
        for i in np.flatnonzero(lab == c):
            terms = words(texts[int(i)])
            n = int(weight[i])
            for term in terms:
                tf[term] += n
            for term in set(terms):
                df[term] += n
        counts.append(tf)
        docs.append(df)
    vocab = sorted(set().union(*counts)) if counts else []
    index = {t: j for j, t in enumerate(vocab)}
    raw = np.zeros((len(classes), len(vocab)))
    enough = np.zeros((len(classes), len(vocab)), dtype=bool)
    for row, (tf, df) in enumerate(zip(counts, docs, strict=True)):
        for t, n in tf.items():
            raw[row, index[t]] = n
            enough[row, index[t]] = df[t] >= MIN_DOCS
    if not vocab:
        return vocab, raw
    per_class = raw.sum(1, keepdims=True)
    share = np.divide(raw, per_class, out=np.zeros_like(raw), where=per_class > 0)
    idf = np.log1p(per_class.mean() / raw.sum(0))
    weights: npt.NDArray[np.float64] = np.where(enough, share * idf[None, :], 0.0)
    return vocab, weights


def top_terms(texts: Sequence[str], labels: npt.ArrayLike, classes: Sequence[int],
              n: int = 10, copies: npt.ArrayLike | None = None
              ) -> list[list[tuple[str, float]]]:
    """The ``n`` highest-weighted terms of each class, best first (ties alphabetical);
    ``copies`` as :func:`ctfidf`."""
    vocab, weights = ctfidf(texts, labels, classes, copies)
    out: list[list[tuple[str, float]]] = []
    for row in weights:
        order = sorted((j for j in range(len(vocab)) if row[j] > 0),
                       key=lambda j: (-row[j], vocab[j]))[:n]
        out.append([(vocab[j], float(row[j])) for j in order])
    return out
