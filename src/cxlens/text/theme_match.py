"""Match a run's clusters to the stored themes, so a theme keeps its id run after run.

Within one polarity, the cosine similarity of every new cluster's centroid with every stored
theme's centroid (both unit length) fills a matrix, and:

1. the Hungarian algorithm (:func:`scipy.optimize.linear_sum_assignment`, maximising the total
   similarity) pairs clusters and stored themes one to one; a pair counts when its similarity
   is at least :data:`THRESHOLD`. The paired cluster continues the theme (its centroid, label
   and terms become the theme's).
2. A cluster left unpaired but at least :data:`THRESHOLD` similar to a stored theme is that
   theme cut in two by k-means (the silhouette's k can split a theme): it joins the most
   similar one instead of being alerted as new.
3. Any other cluster is a new theme — unless it is as similar to a new cluster before it in
   the same run (a new theme cut in two), which it then joins.

Why 0.80 (measured on the demo's comments, shared 2-core machine: clustering the first 80 %
of the year and then the whole year, per polarity): pairs whose top terms agree had
similarities 0.82–1.00 (most ≥ 0.99); between clusters of different themes the highest
similarity was 0.73 (neutral comments), the median 0.05–0.11; clusters above 0.88 that the
one-to-one pairing left apart were halves of one theme ("charged twice" in two clusters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Centroid cosine similarity a cluster needs to continue a stored theme.
THRESHOLD = 0.80


@dataclass(frozen=True)
class Match:
    """What one new cluster is: ``stored`` the index of the stored theme it continues (None:
    new), ``primary`` whether it is that theme's one-to-one pair, ``twin`` the index of an
    earlier new cluster of the same run it joins."""

    stored: int | None = None
    primary: bool = False
    twin: int | None = None


def match(new: npt.ArrayLike, old: npt.ArrayLike, threshold: float = THRESHOLD) -> list[Match]:
    """One :class:`Match` per row of ``new`` (unit centroids) against the rows of ``old``.
    Rows of another length (another embedding model) never match."""
    a = np.asarray(new, dtype=float)
    b = np.asarray(old, dtype=float)
    if a.ndim != 2:
        return []
    out = [Match() for _ in range(len(a))]
    if b.ndim == 2 and len(b) and b.shape[1] == a.shape[1]:
        from scipy.optimize import linear_sum_assignment

        similarity = a @ b.T
        rows, cols = linear_sum_assignment(similarity, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            if similarity[r, c] >= threshold:
                out[int(r)] = Match(int(c), True)
        for r in range(len(a)):
            best = int(similarity[r].argmax())
            if out[r].stored is None and similarity[r, best] >= threshold:
                out[r] = Match(best)
    fresh: list[int] = []
    for r in range(len(a)):
        if out[r].stored is not None:
            continue
        twins = [f for f in fresh if float(a[r] @ a[f]) >= threshold]
        if twins:
            out[r] = Match(twin=max(twins, key=lambda f: float(a[r] @ a[f])))
        else:
            fresh.append(r)
    return out
