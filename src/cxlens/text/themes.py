"""Themes in survey comments, offline: embed, cluster, label, and measure each theme.

1. The period's non-blank comments are read and redacted (:mod:`cxlens.text.source`); nothing
   downstream — embeddings, labels, examples — ever sees the personal data.
2. Each comment becomes a unit-length vector: WordLlama's sentence embedding
   (:mod:`cxlens.text.embed`) or, when the warehouse or ``--vectors`` chooses it, LSA fitted on
   the comments (:mod:`cxlens.text.lsa`; the choice: :mod:`cxlens.text.vectors`).
3. k-means groups them; k is given or chosen by the silhouette (:mod:`cxlens.text.cluster`).
4. Each cluster is labelled by its top c-TF-IDF terms (:mod:`cxlens.text.ctfidf`); its examples
   are the distinct comments nearest its centroid.
5. Volume, monthly trend and effect on NPS / CSAT (:mod:`cxlens.text.theme_stats`); the
   sentence that sums each theme up ("login, password, reset: 12.0 % of detractor comments,
   -31 NPS points vs others (95 % …)") is written by the presentation layer
   (:func:`cxlens.present.themes.with_sentences`).

Themes are numbered by volume, 1 the largest. The same data, k and seed give the same themes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.store.base import Warehouse
from cxlens.text import cluster as clustering
from cxlens.text import sentiment, source
from cxlens.text.ctfidf import top_terms, words
from cxlens.text.theme_stats import effects, headline, per_theme, positions, trend, volume
from cxlens.text.vectors import DEFAULT, SPACES, Space, resolve
from cxlens.text.vectors import vectors as vectorise

MIN_COMMENTS = 20
LABEL_TERMS = 3
TERMS = 8
EXAMPLES = 3
THEME_COLUMNS = ["theme", "polarity", "label", "terms", "comments", "n", "share", "share_ci_low",
                 "share_ci_high", "sentiment", "outcome", "score_with", "score_without",
                 "effect", "effect_ci_low", "effect_ci_high", "p_value", "q_value",
                 "significant", "n_with", "n_without", "low_share", "low_ci_low",
                 "low_ci_high", "low_n", "flag", "examples"]


class ThemeError(ConfigError):
    """Themes cannot be found as asked."""

    code = "theme_error"


@dataclass(frozen=True)
class ThemeResult:
    """Everything a report or page shows about the themes of one period."""

    first: dt.date
    last: dt.date  # inclusive
    n_comments: int
    k: int
    rule: str  # how k was chosen
    silhouette: dict[int, float]
    model: str  # the vectors' model (cxlens.text.vectors.Space.model)
    themes: pd.DataFrame  # THEME_COLUMNS, one row per theme, largest first
    effects: pd.DataFrame  # theme × outcome (nps, csat): theme_stats.EFFECT_COLUMNS
    trend: pd.DataFrame  # theme × month: comments, n, share and interval
    comments: pd.DataFrame  # one row per comment (redacted) with its theme
    #: unit-length centroid of each theme (row t − 1 is theme t): what matches a theme to the
    #: stored one it continues (:mod:`cxlens.text.theme_match`)
    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def themes(wh: Warehouse, start: str | dt.date | None = None, end: str | dt.date | None = None,
           *, k: int | None = None, seed: int = clustering.SEED,
           vectors: str | None = None) -> ThemeResult:
    """Themes of the survey comments answered from ``start`` to ``end`` (inclusive days;
    default: the year up to the latest answer). ``vectors``: wordllama or lsa; default the
    warehouse's choice (:func:`cxlens.text.vectors.setting`)."""
    chosen = resolve(wh, vectors)
    first, after = source.period(wh, "comments", start, end)
    frame = source.comments(wh, first, after)
    return find_themes(frame, first, after - dt.timedelta(days=1), k=k, seed=seed,
                       space=chosen, apart=True)


def find_themes(frame: pd.DataFrame, first: dt.date, last: dt.date, *, k: int | None = None,
                seed: int = clustering.SEED, scores: np.ndarray | None = None,
                space: Space = SPACES[DEFAULT], apart: bool = False) -> ThemeResult:
    """Themes of ``frame`` (the columns of :func:`cxlens.text.source.comments`; comments
    already redacted) in ``space``'s vectors. ``scores``: the comments' sentiment compound
    scores when the caller has them already (scoring 1.5 M comments twice costs minutes)."""
    n = len(frame)
    if k is not None and k < 1:
        raise ThemeError(f"--k must be 1 or more, got {k}", "e.g. --k 8, or leave it out")
    if n < MIN_COMMENTS or (k is not None and k > n):
        raise ThemeError(f"{n} comments between {first} and {last}: too few to find themes",
                         f"widen --from/--to to have at least {max(MIN_COMMENTS, k or 0)} "
                         "comments")
    texts = frame["comment"].astype(str).tolist()
    # each distinct text embedded once (the 10 M demo's 1.49 M comments are 55,794 texts):
    # copies of a text get the same row, so the clustering sees what it saw before; an LSA
    # space is fitted on the comments themselves, copies counted, so it is given them all
    codes, once = pd.factorize(pd.Series(texts, dtype=object), sort=False)
    vectors = (vectorise([str(t) for t in once], space)[codes] if space.fixed
               else vectorise(texts, space))
    # each distinct text scored once, its copies given its score (the same numbers: the
    # scorer's own cache did this, but only after 1.49 M dictionary look-ups, 1 s at 10 M)
    once_scored = sentiment.compound([str(t) for t in once]) if scores is None else None
    compound = np.asarray(scores) if once_scored is None else once_scored[codes]
    # labelled per distinct text too when scored so (1.49 M labels at 10 M: 0.2 s)
    polarity = ((_polarity(compound) if once_scored is None else _polarity(once_scored)[codes])
                if apart else None)
    fit = (_apart(vectors, polarity, codes, k, seed) if polarity is not None
           else clustering.cluster(vectors, k, seed=seed))
    order = np.argsort(-np.bincount(fit.labels, minlength=fit.k), kind="stable")
    number = np.empty(fit.k, dtype=int)
    number[order] = np.arange(1, fit.k + 1)
    out = frame.copy()
    out["theme"] = number[fit.labels]
    out["sentiment"] = compound
    ids = list(range(1, fit.k + 1))
    one_row = np.unique(codes, return_index=True)[1]  # a row of each text (its theme)
    terms = top_terms([str(t) for t in once], out["theme"].to_numpy()[one_row], ids, TERMS,
                      copies=np.bincount(codes, minlength=len(once)))
    labels = {t: ", ".join(w for w, _ in terms[t - 1][:LABEL_TERMS]) or f"theme {t}"
              for t in ids}
    out["label"] = out["theme"].map(labels)
    table = volume(out["theme"], ids)
    table["label"] = table["theme"].map(labels)
    table["terms"] = [", ".join(w for w, _ in terms[t - 1]) for t in ids]
    table["sentiment"] = mean_per_theme(out["theme"], compound, ids)
    if polarity is not None:  # one per theme: clustered apart (a theme with no comment: none)
        first_row = pd.Series(np.arange(len(out))).groupby(out["theme"].to_numpy()).first()
        table["polarity"] = [polarity[first_row[t]] if t in first_row.index else None
                             for t in ids]
    table["examples"] = examples(out["theme"].to_numpy(), codes, out["comment"].to_numpy(),
                                 vectors, fit.centroids[order], ids)
    eff = effects(out, ids)
    add_headlines(table, eff, ids)
    months = trend(out["theme"], out["month"], ids)
    months.insert(1, "label", months["theme"].map(labels))
    eff.insert(1, "label", eff["theme"].map(labels))
    shown = ["response_id", "responded_at", "month", "survey", "kind", "score", "nps_group",
             "csat_group", "theme", "label", "sentiment", "comment"]
    centroids = fit.centroids[order]
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    return ThemeResult(first, last, n, fit.k, fit.rule, fit.silhouette, space.model,
                       table.reindex(columns=THEME_COLUMNS), eff, months,
                       out.reindex(columns=shown),
                       centroids / np.where(norms > 0, norms, 1.0))


#: The columns of a theme's headline effect (:func:`cxlens.text.theme_stats.headline`).
HEADLINE_COLUMNS = ("outcome", "score_with", "score_without", "effect", "effect_ci_low",
                    "effect_ci_high", "p_value", "q_value", "significant", "n_with",
                    "n_without", "low_share", "low_ci_low", "low_ci_high", "low_n", "flag")


def _polarity(scores: np.ndarray) -> np.ndarray:
    """negative / neutral / positive per score; a text with no score (nothing to read)
    counts as neutral."""
    out: np.ndarray = np.where(pd.isna(scores), "neutral",
                               sentiment.label(scores)).astype(object)
    return out


def _apart(vectors: np.ndarray, polarity: np.ndarray, codes: np.ndarray, k: int | None,
           seed: int) -> clustering.Clustering:
    """Complaints, neutral comments and praise clustered apart (``k`` themes each, at most
    one per distinct text (``codes``), else each by silhouette), as one clustering: a
    polarity with fewer than :data:`MIN_COMMENTS` comments is one theme of its own. A theme
    then never mixes praise and complaints."""
    labels = np.zeros(len(vectors), dtype=int)
    centroids: list[np.ndarray] = []
    rules: list[str] = []
    for mood in ("negative", "neutral", "positive"):
        rows = np.flatnonzero(polarity == mood)
        if not len(rows):
            continue
        if len(rows) < MIN_COMMENTS:
            part = clustering.Clustering(np.zeros(len(rows), dtype=int),
                                         vectors[rows].mean(axis=0, keepdims=True), 1,
                                         "too few to split", {})
        else:
            texts = len(np.unique(codes[rows]))  # never more themes than distinct texts
            ks = range(clustering.K_RANGE.start, min(clustering.K_RANGE.stop, texts + 1))
            part = (clustering.cluster(vectors[rows], seed=seed, ks=ks)
                    if k is None and len(ks) else
                    clustering.cluster(vectors[rows], min(k or texts, texts), seed=seed))
        labels[rows] = part.labels + len(centroids)
        centroids += list(part.centroids)
        rules.append(f"{mood} {part.k}: {part.rule}")
    return clustering.Clustering(labels, np.array(centroids), len(centroids),
                                 "per polarity — " + "; ".join(rules), {})


def add_headlines(table: pd.DataFrame, eff: pd.DataFrame, ids: list[int]) -> None:
    """Give ``table`` (one row per theme of ``ids``, in that order) its headline effect's
    columns."""
    heads = {t: headline(eff, t) for t in ids}
    for col in HEADLINE_COLUMNS:
        table[col] = [_get(heads[t], col) for t in ids]


def _get(row: pd.Series | None, column: str) -> Any:
    return None if row is None else row[column]


def mean_per_theme(theme: pd.Series, values: np.ndarray, ids: list[int]) -> list[float]:
    """The mean of ``values`` (NaN skipped) over each theme's rows, NaN for a theme with none:
    sums per theme in one pass, not a masked copy of the comments per theme."""
    values = np.asarray(values, dtype=float)
    where = positions(theme, ids)
    known = ~np.isnan(values) & (where >= 0)
    sums = np.bincount(where[known], weights=values[known], minlength=len(ids))
    counts = per_theme(where, len(ids), known)
    with np.errstate(invalid="ignore", divide="ignore"):
        return [float(v) for v in np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)]


def examples(theme: np.ndarray, codes: np.ndarray, comments: np.ndarray, vectors: np.ndarray,
             centroids: np.ndarray, ids: list[int], count: int = EXAMPLES) -> list[list[str]]:
    """Per theme of ``ids`` (``centroids`` row i is theme ids[i]'s): the ``count`` comments
    nearest its centroid (already redacted), skipping one that says the same as an earlier
    pick (same terms; contact details aside).

    Copies of a text (the same ``codes``) share a vector, so each theme's distinct texts are
    ranked, each at its earliest row: nearest first, ties by that row — the order in which the
    texts first appear when every row is ranked (stable) by closeness, read once per text, not
    once per copy (1.49 M rows at 10 M, 56,000 texts). Texts with the same vector (the same
    known words: "Fine." and "Fine. Call me on [phone].") tie exactly: each distinct vector's
    closeness is computed once, so the earliest row wins, not the last bit of a product that
    differs with a row's place in the matrix (as it did when every row was multiplied)."""
    span = int(codes.max()) + 1 if len(codes) else 1
    pairs, first = np.unique(theme.astype(np.int64) * span + codes, return_index=True)
    owner = pairs // span
    picked: list[list[str]] = []
    for i, t in enumerate(ids):
        rows = first[owner == t]  # the earliest row of each of the theme's texts
        kinds, which = np.unique(np.asarray(vectors[rows]), axis=0, return_inverse=True)
        closeness = (kinds @ centroids[i])[which.reshape(-1)]
        nearest = comments[rows[np.lexsort((rows, -closeness))]]
        picked.append(distinct((str(c) for c in nearest), count))
    return picked


def distinct(texts: Iterable[str], count: int) -> list[str]:
    """The first ``count`` of ``texts`` that differ in their words (a comment written twice,
    or differing only in case and spacing, is shown once)."""
    picked: list[str] = []
    seen: set[str] = set()
    for text in texts:
        key = " ".join(words(text)) or " ".join(text.lower().split())
        if key not in seen:
            seen.add(key)
            picked.append(text)
        if len(picked) == count:
            break
    return picked
