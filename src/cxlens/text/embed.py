"""Sentence embeddings, offline: WordLlama's static token embeddings, mean-pooled.

WordLlama (Lee Miller, MIT licence; ``wordllama`` on PyPI) ships a 32,000 × 256 token
embedding table (``l2_supercat_256``, 16 MB, float16) and its tokenizer inside the wheel. A text
is tokenized (Llama-2 vocabulary, no special tokens), its token vectors are averaged and the
result is scaled to unit length — what ``WordLlama.embed(texts, norm=True)`` does, without
importing the package (whose import configures the root logger) and without any download.
Both files are checked against their SHA-256 before they are parsed
(:mod:`cxlens.text.assets`). About 0.2 s per 10,000 short comments on one CPU core.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from cxlens.text.assets import WORDLLAMA_TOKENIZER, WORDLLAMA_WEIGHTS, read_verified

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL = "wordllama l2_supercat 256"
DIM = 256
TENSOR = "embedding.weight"
Floats = npt.NDArray[np.float32]


@functools.cache
def _model() -> tuple[Tokenizer, Floats]:
    from cxlens.extras import require

    require("text", ["wordllama", "tokenizers", "safetensors"])
    from safetensors.numpy import load
    from tokenizers import Tokenizer

    weights = load(read_verified(WORDLLAMA_WEIGHTS))[TENSOR].astype(np.float32)
    tokenizer = Tokenizer.from_str(read_verified(WORDLLAMA_TOKENIZER).decode("utf-8"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer, weights


def token_ids(texts: Sequence[str]) -> list[list[int]]:
    tokenizer, _ = _model()
    return [e.ids for e in tokenizer.encode_batch(list(texts), add_special_tokens=False)]


#: Texts embedded at a time: the token vectors of one chunk are gathered before averaging
#: (about 2,000 comments × 15 tokens × 256 floats ≈ 30 MB), so memory stays bounded however
#: many comments there are (1.5 M comments at once took more than 12 GB). Small, because
#: tokenizing and gathering a chunk hold the interpreter lock: 20,000 at a time held it for
#: about 1 s per chunk, and a server pre-computing the themes answered nothing meanwhile.
CHUNK = 2_000


def embed(texts: Sequence[str], *, normalise: bool = True) -> Floats:
    """One row per text: the mean of its token vectors (unit length when ``normalise``); an
    empty text gets a zero row. Computed ``CHUNK`` texts at a time."""
    _, weights = _model()
    out = np.zeros((len(texts), weights.shape[1]), dtype=np.float32)
    for start in range(0, len(texts), CHUNK):
        _mean_pool(texts[start:start + CHUNK], weights, out[start:start + CHUNK])
    if normalise and len(texts):
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
    return out


def _mean_pool(texts: Sequence[str], weights: Floats, out: Floats) -> None:
    """Write the mean token vector of each text into ``out`` (its rows, in order)."""
    ids = token_ids(texts)
    lengths = np.array([len(i) for i in ids])
    filled = np.flatnonzero(lengths)
    if not len(filled):
        return
    flat = np.fromiter((t for i in filled for t in ids[i]), dtype=np.int64,
                       count=int(lengths.sum()))
    np.clip(flat, 0, weights.shape[0] - 1, out=flat)
    starts = np.concatenate([[0], np.cumsum(lengths[filled])[:-1]])
    sums = np.add.reduceat(weights[flat], starts, axis=0)
    out[filled] = sums / lengths[filled, None].astype(np.float32)
