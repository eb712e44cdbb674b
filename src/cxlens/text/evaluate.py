"""How well a sentiment model agrees with labels: accuracy, macro-F1, the confusion table, and
the AUC of scores between two groups (e.g. detractors' and promoters' comments).

* Accuracy: share of texts whose predicted label equals the given one, with a Wilson 95 %
  interval.
* Macro-F1: the unweighted mean over the classes present (given or predicted) of
  F1 = 2·precision·recall / (precision + recall); a class never predicted correctly has F1 0.
* Majority-class baseline: always answering the commonest given label (ties: the first in
  the class order), scored the same way. Accuracy means little without it: when 63 % of the
  texts are negative, always saying "negative" is right 63 % of the time.
  :func:`against_baseline` says whether a model beats it: its accuracy's Wilson interval lies
  above the baseline's accuracy (beats), its accuracy is at most the baseline's (does not
  beat), or in between (not clearly better).
* AUC: probability that a random text of the ``high`` group scores above a random text of the
  ``low`` group, ties counting half (Mann–Whitney U / (n_low·n_high)); 0.5 is no better than a
  coin. 95 % interval: percentile bootstrap, each group resampled separately, seeded; a
  resample is drawn as its counts per distinct score (:mod:`cxlens.stats.resample`: the same
  distribution as drawing the answers themselves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlens.stats.resample import resampled_counts
from cxlens.stats.wilson import wilson_interval

RESAMPLES = 1000
SEED = 7


@dataclass(frozen=True)
class Agreement:
    n: int
    accuracy: float
    accuracy_ci_low: float
    accuracy_ci_high: float
    macro_f1: float
    f1: dict[str, float]
    confusion: pd.DataFrame  # given label (rows) × predicted label (columns)


def agreement(given: Sequence[Any], predicted: Sequence[Any],
              classes: Sequence[str] | None = None) -> Agreement:
    """Agreement of ``predicted`` with ``given`` over the pairs where both are set."""
    g = pd.Series(list(given), dtype=object)
    p = pd.Series(list(predicted), dtype=object)
    both = g.notna() & p.notna()
    g, p = g[both].astype(str), p[both].astype(str)
    present = sorted(set(g) | set(p))
    order = [c for c in classes if c in present] if classes else present
    order += [c for c in present if c not in order]
    table = pd.crosstab(g, p).reindex(index=order, columns=order, fill_value=0)
    n = int(both.sum())
    hits = int(np.trace(table.to_numpy())) if n else 0
    lo, hi = wilson_interval(hits, n)
    counts = table.to_numpy(dtype=float)
    f1: dict[str, float] = {}
    for i, c in enumerate(order):
        tp = counts[i, i]
        f1[c] = float(2 * tp / (counts[:, i].sum() + counts[i].sum())) if tp else 0.0
    return Agreement(n, hits / n if n else float("nan"), float(lo), float(hi),
                     float(np.mean(list(f1.values()))) if f1 else float("nan"), f1, table)


def majority_baseline(given: Sequence[Any], classes: Sequence[str] | None = None
                      ) -> tuple[str, Agreement]:
    """The commonest given label and the agreement of always answering it."""
    labels = pd.Series(list(given), dtype=object).dropna().astype(str)
    if labels.empty:
        return "", agreement([], [], classes)
    counts = labels.value_counts()
    order = [c for c in (classes or []) if c in counts.index] + sorted(
        c for c in counts.index if c not in (classes or []))
    top = max(order, key=lambda c: (counts[c], -order.index(c)))
    return top, agreement(labels.tolist(), [top] * len(labels), classes)


def against_baseline(model: Agreement, baseline: Agreement) -> str:
    """"beats", "does not beat" or "is not clearly better than" the baseline, on accuracy."""
    if model.accuracy_ci_low > baseline.accuracy:
        return "beats"
    if model.accuracy <= baseline.accuracy:
        return "does not beat"
    return "is not clearly better than"


def auc_of_counts(low: npt.ArrayLike, high: npt.ArrayLike) -> float:
    """The AUC of two samples given as counts over the same distinct scores in ascending
    order (``low[i]``: how many low-group texts have the i-th score): each (low, high) pair
    where the high text scores more counts 1, a tie ½. Sums of whole numbers, so it equals
    :func:`auc` of the scores themselves exactly. NaN when a group is empty."""
    lo = np.asarray(low, dtype=np.int64)
    hi = np.asarray(high, dtype=np.int64)
    if not lo.sum() or not hi.sum():
        return float("nan")
    return float(_aucs_of_counts(lo[None, :], hi[None, :])[0])


def auc_interval(low: npt.ArrayLike, high: npt.ArrayLike, *, resamples: int = RESAMPLES,
                 seed: int = SEED, confidence: float = 0.95) -> tuple[float, float, float]:
    """(AUC, low, high): the AUC with a percentile bootstrap interval (NaN scores dropped)."""
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    lo, hi = lo[~np.isnan(lo)], hi[~np.isnan(hi)]
    if not len(lo) or not len(hi):
        return float("nan"), float("nan"), float("nan")
    distinct, codes = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    codes = codes.reshape(-1)
    return _interval(np.bincount(codes[:len(lo)], minlength=len(distinct)),
                     np.bincount(codes[len(lo):], minlength=len(distinct)),
                     resamples, seed, confidence)


def _interval(low: npt.NDArray[np.int64], high: npt.NDArray[np.int64], resamples: int,
              seed: int, confidence: float) -> tuple[float, float, float]:
    """(AUC, low, high) of two groups given as counts over the same distinct scores,
    ascending. Each group is resampled apart, as counts
    (:func:`cxlens.stats.resample.resampled_counts`: the same distribution as drawing the
    group's answers with replacement, without drawing a million answers a resample — 6 s of
    the sentiment page's 8 at 10 M interactions)."""
    value = auc_of_counts(low, high)  # equals auc() of the scores: both are U / (n_lo·n_hi)
    if resamples <= 0:
        return value, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boots = np.empty(resamples)
    done = 0
    for lo_n, hi_n in zip(resampled_counts(low, resamples, rng),
                          resampled_counts(high, resamples, rng), strict=True):
        boots[done:done + len(lo_n)] = _aucs_of_counts(lo_n, hi_n)
        done += len(lo_n)
    tail = 100 * (1 - confidence) / 2
    return value, float(np.percentile(boots, tail)), float(np.percentile(boots, 100 - tail))


def _aucs_of_counts(low: npt.NDArray[np.int64], high: npt.NDArray[np.int64]
                    ) -> npt.NDArray[np.float64]:
    """:func:`auc_of_counts` of each row of ``low`` with the same row of ``high`` (whole
    numbers until the one division, so exact below 2⁵³ pairs)."""
    below = np.cumsum(low, axis=1) - low  # low texts scoring strictly less than each score
    twice_u = np.einsum("ij,ij->i", high, 2 * below + low)  # 2·U: a tie counts 1 of 2
    return np.asarray(twice_u / (2 * low.sum(axis=1) * high.sum(axis=1)), dtype=np.float64)


def auc_intervals(low: npt.ArrayLike, high: npt.ArrayLike, scores: Sequence[npt.ArrayLike],
                  *, resamples: int = RESAMPLES, seed: int = SEED, confidence: float = 0.95
                  ) -> list[tuple[float, float, float]]:
    """:func:`auc_interval` of several models' scores of the same texts, as
    ``[auc_interval(s[low], s[high]) for s in scores]``: ``low`` and ``high`` say which text
    (an index into each model's ``scores``) each answer of the two groups is. The answers are
    counted per text once; each model's counts per distinct score are summed from those
    (a few thousand texts, not a million answers a model)."""
    lo_t = np.asarray(low, dtype=np.intp)
    hi_t = np.asarray(high, dtype=np.intp)
    values = [np.asarray(s, dtype=float) for s in scores]
    texts = max((len(v) for v in values), default=0)
    lo_per_text = np.bincount(lo_t, minlength=texts)
    hi_per_text = np.bincount(hi_t, minlength=texts)
    used = np.flatnonzero((lo_per_text > 0) | (hi_per_text > 0))
    out: list[tuple[float, float, float]] = []
    for s in values:
        kept = used[~np.isnan(s[used])]
        distinct, place = np.unique(s[kept], return_inverse=True)
        lo_n = np.bincount(place.reshape(-1), weights=lo_per_text[kept],
                           minlength=len(distinct)).astype(np.int64)
        hi_n = np.bincount(place.reshape(-1), weights=hi_per_text[kept],
                           minlength=len(distinct)).astype(np.int64)
        if not lo_n.sum() or not hi_n.sum():
            out.append((float("nan"), float("nan"), float("nan")))
        else:
            out.append(_interval(lo_n, hi_n, resamples, seed, confidence))
    return out


def macro_f1_interval(given: Sequence[str], predicted: Sequence[str], *,
                      resamples: int = RESAMPLES, seed: int = SEED,
                      confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of :func:`agreement`'s macro-F1 (same definition: the
    classes present in either column of the resample), texts resampled with replacement
    (as counts per cell of the confusion table, :mod:`cxlens.stats.resample`), seeded."""
    g = np.asarray(list(given), dtype=object).astype(str)
    p = np.asarray(list(predicted), dtype=object).astype(str)
    if not len(g) or resamples <= 0:
        return float("nan"), float("nan")
    names = sorted(set(g) | set(p))
    k = len(names)
    cell = np.searchsorted(names, g) * k + np.searchsorted(names, p)  # (given, predicted)
    rng = np.random.default_rng(seed)
    values = np.empty(resamples)
    done = 0
    for block in resampled_counts(np.bincount(cell, minlength=k * k), resamples, rng):
        for table in block.reshape(-1, k, k):
            tp = np.diag(table).astype(float)
            sizes = table.sum(axis=0) + table.sum(axis=1)
            present = sizes > 0
            values[done] = float(np.mean(2 * tp[present] / sizes[present]))
            done += 1
    tail = 100 * (1 - confidence) / 2
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))
