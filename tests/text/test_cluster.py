"""k-means and the silhouette on points whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from cxlens.text.cluster import ClusterError, cluster, kmeans, silhouette


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three tight groups of 2-D unit vectors around 0°, 120° and 240°."""
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1, 2], [30, 20, 10])
    angle = truth * 2 * np.pi / 3 + rng.normal(0, 0.05, len(truth))
    return np.column_stack([np.cos(angle), np.sin(angle)]), truth


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return len({(int(x), int(y)) for x, y in zip(a, b, strict=True)}) == len(set(a)) == len(set(b))


def _silhouette_by_loops(x: np.ndarray, labels: np.ndarray) -> float:
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    scores = []
    for i in range(len(x)):
        d = {c: [1 - float(unit[i] @ unit[j]) for j in range(len(x))
                 if labels[j] == c and j != i] for c in set(labels.tolist())}
        own = d[int(labels[i])]
        if not own:
            scores.append(0.0)
            continue
        a = sum(own) / len(own)
        b = min(sum(v) / len(v) for c, v in d.items() if c != labels[i])
        scores.append((b - a) / max(a, b))
    return sum(scores) / len(scores)


def test_kmeans_finds_the_groups_and_is_reproducible() -> None:
    x, truth = _blobs()
    labels, centroids = kmeans(x, 3, seed=3)
    assert _same_partition(labels, truth) and centroids.shape == (3, 2)
    again, _ = kmeans(x, 3, seed=3)
    assert (again == labels).all()


def test_silhouette_matches_the_definition() -> None:
    x, truth = _blobs(1)
    wrong = truth.copy()
    wrong[:5] = 1
    for labels in (truth, wrong, np.arange(len(x)) % 4):
        assert silhouette(x, labels) == pytest.approx(_silhouette_by_loops(x, labels))
    singleton = truth.copy()
    singleton[0] = 7  # alone in its cluster: counts 0
    assert silhouette(x, singleton) == pytest.approx(_silhouette_by_loops(x, singleton))
    assert np.isnan(silhouette(x, np.zeros(len(x), dtype=int)))


def test_k_is_chosen_by_silhouette_or_given() -> None:
    x, truth = _blobs(2)
    chosen = cluster(x, ks=range(2, 7))
    assert chosen.k == 3 and _same_partition(chosen.labels, truth)
    assert set(chosen.silhouette) == {2, 3, 4, 5, 6}
    assert chosen.silhouette[3] == max(chosen.silhouette.values())
    given = cluster(x, 5)
    assert given.k == 5 and given.rule == "given" and len(set(given.labels)) == 5


def test_impossible_requests_are_explained() -> None:
    x, _ = _blobs()
    with pytest.raises(ClusterError, match="cannot make 61 clusters of 60 texts"):
        cluster(x, 61)
    with pytest.raises(ClusterError, match="too few texts"):
        cluster(x[:2])


def test_more_clusters_than_distinct_texts_leave_no_nan_centroid() -> None:
    """Repeated comments ("Fine.", the same template) give fewer distinct points than the k the
    silhouette search tries. Re-seeding two emptied clusters used to move the same point twice
    (every distance 0, so argmax picked point 0 again), emptying the first: a 0/0 centroid."""
    x = np.repeat(np.eye(3), 4, axis=0)  # 3 distinct points, 4 copies each
    labels, centroids = kmeans(x, 5)
    assert np.isfinite(centroids).all()
    # every distinct point keeps all its copies together, in one of the 5 clusters
    assert [len(set(labels[i:i + 4])) for i in (0, 4, 8)] == [1, 1, 1]


def test_clustering_does_not_copy_every_vector() -> None:
    """At 10 M interactions 1.5 M comments × 256 float32 are 1.5 GB; converting them all to
    float64 (and float32 @ float64 products upcasting the whole matrix) held them two and three
    times. Centroids are fitted on a sample and every point assigned a chunk at a time."""
    import tracemalloc

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 16)).astype(np.float32)
    x = (centres[rng.integers(4, size=200_000)]
         + 0.1 * rng.normal(size=(200_000, 16)).astype(np.float32))
    size = x.nbytes  # 12.8 MB
    tracemalloc.start()
    try:
        fit = cluster(x, 4)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(np.unique(fit.labels)) == 4
    # a float64 copy alone is 2 × size (measured before the change: 4.7 ×)
    assert peak < size, (peak, size)
