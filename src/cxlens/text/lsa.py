"""Comment vectors with no model file: latent semantic analysis fitted on the comments themselves.

For users whose policy refuses the WordLlama table (it was trained from Llama 2's token
embeddings; docs/decisions.md, "Theme vectors"). Each comment's terms
(:func:`cxlens.text.ctfidf.words`, the terms theme labels use) and pairs of consecutive terms
are weighted by TF-IDF (sublinear tf, rows unit length; terms in fewer than 2 comments left
out), projected on the top :data:`DIM` singular vectors (scikit-learn's TruncatedSVD,
randomized, seed :data:`SEED`) and scaled to unit length. Past :data:`FIT_SAMPLE` comments the
vocabulary and the SVD are fitted on a seeded sample and every comment is projected on them.
10 dimensions measured best of 10, 20, 40 and 100 (bench/theme_vectors.py): NMI 0.14 on the
public UCI sentences against WordLlama's 0.32, as good on the demo's comments, and cheaper
(4.6 s and 57 MB per 100,000 comments).

The space is fitted on each call's texts, so two runs' vectors are **not comparable**: a theme
found with LSA is matched to the next run by the comments they share, never by its centroid
(:mod:`cxlens.text.vectors`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cxlens.text.ctfidf import words

DIM = 10
SEED = 7
MIN_DF = 2
#: Comments the TF-IDF vocabulary and the SVD are fitted on (a seeded sample when there are
#: more); every comment is then projected :data:`CHUNK` at a time. Fitting on all 1.5 M
#: comments of a 10 M-interaction warehouse took 87 s and 858 MB and held the interpreter
#: lock for up to 1.6 s at a time (a server pre-computing the themes page stops answering).
FIT_SAMPLE = 50_000
CHUNK = 2_000
MODEL = f"lsa {DIM}-d (TF-IDF word 1-2-grams, TruncatedSVD, fitted on the comments)"
Floats = npt.NDArray[np.float32]


def terms(text: str) -> list[str]:
    """A comment's terms and its pairs of consecutive terms ("card declined" → "card",
    "declined", "card declined")."""
    w = words(text)
    return w + [f"{a} {b}" for a, b in itertools.pairwise(w)]


def lsa(texts: Sequence[str], dim: int = DIM, fit_sample: int = FIT_SAMPLE) -> Floats:
    """One unit-length row per text (a zero row for a text with none of the kept terms). With
    fewer kept terms than ``dim`` + 1 (a handful of distinct comments), the TF-IDF rows
    themselves are the vectors: there is nothing to reduce. More than ``fit_sample`` texts:
    the space is fitted on a seeded sample of them, then every text is projected on it."""
    from cxlens.extras import require

    require("text", ["sklearn", "threadpoolctl"])
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from threadpoolctl import threadpool_limits

    n = len(texts)
    sample = list(texts)
    if n > fit_sample:
        rows = np.sort(np.random.default_rng(SEED).choice(n, fit_sample, replace=False))
        sample = [texts[i] for i in rows]
    tfidf = TfidfVectorizer(analyzer=terms, sublinear_tf=True, min_df=MIN_DF)
    try:
        matrix = tfidf.fit_transform(sample)
    except ValueError:  # no term in 2 comments (or no text): nothing to compare them on
        return np.zeros((n, dim), dtype=np.float32)
    svd = None
    with threadpool_limits(limits=1, user_api="blas"):  # as k-means: small products
        if matrix.shape[1] > dim:
            svd = TruncatedSVD(dim, random_state=SEED)
            fitted = svd.fit_transform(matrix)
        if n <= fit_sample:
            out = np.asarray(fitted if svd is not None else matrix.toarray(), dtype=np.float32)
        else:
            out = np.empty((n, dim if svd is not None else matrix.shape[1]), dtype=np.float32)
            for start in range(0, n, CHUNK):
                part = tfidf.transform(texts[start:start + CHUNK])
                out[start:start + CHUNK] = (svd.transform(part) if svd is not None
                                            else part.toarray())
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
