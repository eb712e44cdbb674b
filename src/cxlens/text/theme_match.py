"""Match a run's clusters to the stored themes, so a theme keeps its id run after run.

Within one polarity, two pieces of evidence say a new cluster continues a stored theme:

* **centroid**: the cosine similarity of the two unit-length centroids, enough at
  :data:`THRESHOLD` (0.80);
* **members**: of the cluster's comments that the previous run had put in a theme, the share
  it had put in this one, enough at :data:`OVERLAP` (0.5). Runs over overlapping periods (a
  rolling year) re-cluster mostly the same comments, and k-means can cut them differently
  while the words of a cluster's centre drift; a cluster whose comments mostly sat in one
  theme is that theme. A theme that is really new has no earlier comments, so no overlap.

The score of a pair is the larger of similarity / THRESHOLD and overlap / OVERLAP (1 or more:
enough), and:

1. the Hungarian algorithm (:func:`scipy.optimize.linear_sum_assignment`, maximising the total
   score) pairs clusters and stored themes one to one; a pair counts when its score is at
   least 1. The paired cluster continues the theme (its centroid, label and terms become the
   theme's).
2. A cluster left unpaired whose best score is at least 1 is that theme cut in two (the
   silhouette's k can split a theme): it joins it instead of being alerted as new.
3. Any other cluster is a new theme — unless its centroid is :data:`THRESHOLD` similar to a
   new cluster before it in the same run (a new theme cut in two), which it then joins.

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
#: Share of a cluster's previously themed comments that must have been in the stored theme.
OVERLAP = 0.5


@dataclass(frozen=True)
class Match:
    """What one new cluster is: ``stored`` the index of the stored theme it continues (None:
    new), ``primary`` whether it is that theme's one-to-one pair, ``twin`` the index of an
    earlier new cluster of the same run it joins."""

    stored: int | None = None
    primary: bool = False
    twin: int | None = None


def match(new: npt.ArrayLike, old: npt.ArrayLike, threshold: float = THRESHOLD,
          overlap: npt.ArrayLike | None = None) -> list[Match]:
    """One :class:`Match` per row of ``new`` (unit centroids) against the stored themes:
    ``old`` their centroids (a row of another length — another embedding model — is never
    similar), ``overlap[i, j]`` the share of cluster i's previously themed comments that were
    in stored theme j (none: centroids only)."""
    a = np.asarray(new, dtype=float)
    if a.ndim != 2:
        return []
    out = [Match() for _ in range(len(a))]
    b = np.asarray(old, dtype=float)
    n_old = len(b) if overlap is None else np.asarray(overlap).shape[1]
    if n_old:
        from scipy.optimize import linear_sum_assignment

        score = np.zeros((len(a), n_old))
        if b.ndim == 2 and b.shape == (n_old, a.shape[1]):
            score = a @ b.T / threshold
        if overlap is not None:
            score = np.maximum(score, np.asarray(overlap, dtype=float) / OVERLAP)
        rows, cols = linear_sum_assignment(score, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            if score[r, c] >= 1.0:
                out[int(r)] = Match(int(c), True)
        for r in range(len(a)):
            best = int(score[r].argmax())
            if out[r].stored is None and score[r, best] >= 1.0:
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
