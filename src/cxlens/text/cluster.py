"""k-means on unit-length embeddings, with k chosen by the silhouette; seeded, reproducible.

* **k-means**: k-means++ seeding (Arthur & Vassilvitskii 2007), then Lloyd's iterations until no
  point changes cluster (at most ``MAX_ITER``); ``RESTARTS`` seeded restarts, the one with the
  lowest within-cluster sum of squares wins. An emptied cluster is re-seeded with the point
  farthest from its centroid. On unit vectors the squared distance is 2 − 2·cosine, so this is
  clustering by cosine similarity.
* **Large inputs**: centroids are fitted on a seeded sample of at most ``FIT_SAMPLE`` points
  (in float64); every point is then assigned to its nearest centroid ``ASSIGN_CHUNK`` points at
  a time, so the float32 embeddings of 1.5 M comments are never copied whole.
* **Choice of k** (when not given): every k in ``K_RANGE`` (3…15, a list of themes a reader can
  take in) is fitted, and the k with the highest mean silhouette wins (cosine distance, on a
  seeded sample of at most ``SILHOUETTE_SAMPLE`` points). Silhouette of a point:
  (b − a)/max(a, b), a = mean distance to the rest of its cluster, b = the smallest mean distance
  to another cluster; 0 for a point alone in its cluster (Rousseeuw 1987).
* **One BLAS thread**: the matrix products are small, and several BLAS threads on a busy
  machine only contend (measured on 2 cores: 8.3 s with threads, 0.7 s with one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxlens.errors import ConfigError

Floats = npt.NDArray[np.floating]
Ints = npt.NDArray[np.intp]

SEED = 7
RESTARTS = 4
MAX_ITER = 100
K_RANGE = range(3, 16)
FIT_SAMPLE = 5000
SILHOUETTE_SAMPLE = 2000


class ClusterError(ConfigError):
    """Clustering cannot run as asked (too few texts, a bad k)."""

    code = "cluster_error"


@dataclass(frozen=True)
class Clustering:
    labels: Ints  # cluster of each point, 0…k−1
    centroids: Floats
    k: int
    rule: str  # how k was chosen
    silhouette: dict[int, float]  # k → mean silhouette (the k tried)


def _sq_dist(x: Floats, c: Floats, xx: Floats | None = None) -> Floats:
    """Squared Euclidean distances; ``xx``: the rows' squared norms, if already known."""
    xx = (x * x).sum(1) if xx is None else xx
    d: Floats = xx[:, None] - 2 * x @ c.T + (c * c).sum(1)[None, :]
    return np.maximum(d, 0.0)


def _plus_plus(x: Floats, xx: Floats, k: int, rng: np.random.Generator) -> Floats:
    centres = [x[rng.integers(len(x))]]
    closest = _sq_dist(x, centres[0][None, :], xx)[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        pick = rng.choice(len(x), p=closest / total) if total > 0 else rng.integers(len(x))
        centres.append(x[pick])
        closest = np.minimum(closest, _sq_dist(x, x[pick][None, :], xx)[:, 0])
    return np.array(centres)


def _lloyd(x: Floats, xx: Floats, centres: Floats) -> tuple[Ints, Floats, float]:
    labels = np.full(len(x), -1)
    k = len(centres)
    for _ in range(MAX_ITER):
        d = _sq_dist(x, centres, xx)
        new = d.argmin(1)
        if np.array_equal(new, labels):
            break
        labels = new
        sizes = np.bincount(labels, minlength=k)
        for j in np.flatnonzero(sizes == 0):  # re-seed an emptied cluster: worst-served point
            # of a cluster that keeps a member (with repeated texts every distance can be 0,
            # and taking a re-seeded cluster's only point would empty it again: 0/0 centroid)
            served = np.where(sizes[labels] > 1, d[np.arange(len(x)), labels], -1.0)
            far = int(served.argmax())
            sizes[labels[far]] -= 1
            labels[far] = j
            sizes[j] = 1
        onehot = np.zeros((len(x), k))
        onehot[np.arange(len(x)), labels] = 1.0
        centres = (onehot.T @ x) / sizes[:, None]
    d = _sq_dist(x, centres, xx)
    labels = d.argmin(1)
    return labels, centres, float(d[np.arange(len(x)), labels].sum())


def kmeans(x: Floats, k: int, *, seed: int = SEED, restarts: int = RESTARTS
           ) -> tuple[Ints, Floats]:
    """(labels, centroids) of the best of ``restarts`` seeded k-means++ runs."""
    if not 1 <= k <= len(x):
        raise ClusterError(f"cannot make {k} clusters of {len(x)} texts",
                           f"give a k between 1 and {len(x)}")
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float64)
    xx = (x * x).sum(1)
    best: tuple[Ints, Floats, float] | None = None
    for _ in range(restarts):
        run = _lloyd(x, xx, _plus_plus(x, xx, k, rng))
        if best is None or run[2] < best[2]:
            best = run
    assert best is not None
    return best[0], best[1]


def cosine_distances(x: Floats) -> Floats:
    """1 − cosine similarity between every pair of rows."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit = x / np.where(norms > 0, norms, 1.0)
    out: Floats = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    return out


def silhouette(x: Floats, labels: Ints, dist: Floats | None = None) -> float:
    """Mean silhouette with cosine distance; NaN with fewer than 2 clusters or as many clusters
    as points. ``dist``: the rows' cosine distances, if already computed."""
    ks = np.unique(labels)
    if len(ks) < 2 or len(ks) >= len(x):
        return float("nan")
    dist = cosine_distances(x) if dist is None else dist
    onehot = (labels[:, None] == ks[None, :]).astype(float)
    sizes = onehot.sum(0)
    sums = dist @ onehot  # distance of each point to every cluster, summed
    own = onehot.argmax(1)
    own_size = sizes[own]
    a = np.where(own_size > 1, sums[np.arange(len(x)), own] / np.maximum(own_size - 1, 1), 0.0)
    means = sums / sizes[None, :]
    means[np.arange(len(x)), own] = np.inf
    b = means.min(1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


#: Points assigned to their nearest centroid at a time (float64 copies of one chunk only).
ASSIGN_CHUNK = 20_000


def _assign(x: Floats, centroids: Floats) -> Ints:
    nearest: Ints = np.empty(len(x), dtype=np.intp)
    for start in range(0, len(x), ASSIGN_CHUNK):
        part = np.asarray(x[start:start + ASSIGN_CHUNK], dtype=np.float64)
        nearest[start:start + ASSIGN_CHUNK] = _sq_dist(part, centroids).argmin(1)
    return nearest


def cluster(x: Floats, k: int | None = None, *, seed: int = SEED,
            ks: range = K_RANGE) -> Clustering:
    """Cluster the rows of ``x`` into ``k`` groups, or into the k of ``ks`` with the best
    silhouette."""
    from cxlens.extras import require

    require("text", ["threadpoolctl"])
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _cluster(x, k, seed, ks)


def _cluster(x: Floats, k: int | None, seed: int, ks: range) -> Clustering:
    n = len(x)  # x stays as given (float32 embeddings): only the fitted sample is float64
    rng = np.random.default_rng(seed)
    fit = np.asarray(x if n <= FIT_SAMPLE
                     else x[np.sort(rng.choice(n, FIT_SAMPLE, replace=False))],
                     dtype=np.float64)
    if k is not None:
        labels, centroids = kmeans(fit, k, seed=seed)
        return Clustering(_assign(x, centroids), centroids, k, "given", {})
    candidates = [c for c in ks if 2 <= c < len(fit)]
    if not candidates:
        raise ClusterError(f"too few texts ({n}) to choose a number of themes",
                           f"give --k, or widen the period to have at least {ks.start + 1} "
                           "texts")
    probe = (np.arange(len(fit)) if len(fit) <= SILHOUETTE_SAMPLE
             else np.sort(rng.choice(len(fit), SILHOUETTE_SAMPLE, replace=False)))
    dist = cosine_distances(fit[probe])
    scores: dict[int, float] = {}
    fits: dict[int, Floats] = {}
    for c in candidates:
        labels, centroids = kmeans(fit, c, seed=seed)
        scores[c] = silhouette(fit[probe], labels[probe], dist)
        fits[c] = centroids
    best = max(candidates, key=lambda c: (np.nan_to_num(scores[c], nan=-2.0), -c))
    rule = f"highest silhouette for k in {candidates[0]}–{candidates[-1]}"
    return Clustering(_assign(x, fits[best]), fits[best], best, rule, scores)
