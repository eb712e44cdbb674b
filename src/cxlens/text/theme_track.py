"""Themes that last: a tracked run clusters each sentiment label's comments apart, matches the
clusters to the stored themes and records the comments' themes (``cxlens themes track``).

1. The period's comments (redacted, :mod:`cxlens.text.source`) are scored once with
   :func:`cxlens.text.sentiment.score`; each label — negative, neutral, positive — is clustered
   on its own (:func:`cxlens.text.themes.find_themes`: embeddings, k-means, c-TF-IDF), so a
   theme is praise or a complaint, never both. A label with fewer than
   :data:`cxlens.text.themes.MIN_COMMENTS` comments is not clustered (its comments get no
   theme). Only one label's embeddings are held at a time.
2. Each cluster is matched to the stored themes of its label (:mod:`cxlens.text.theme_match`):
   a match keeps the stored id, name, pin and merge; an unmatched cluster becomes a new theme.
   A stored centroid counts only when it is in the run's space and that space is fixed
   (WordLlama; :func:`cxlens.text.vectors.comparable`). A run with LSA vectors, or the first
   run after the vectors changed, matches by the comments it shares with the previous run
   alone: a theme whose comments are all new to it starts a new id.
3. The run, the themes and every comment's theme are written in one transaction
   (:mod:`cxlens.text.theme_store`).

:func:`summary` turns a run's comments into what the page and the CLI show, per theme (merges
resolved): volume and share with Wilson intervals, the monthly trend, the effect on NPS / CSAT
(:mod:`cxlens.text.theme_stats`), and example comments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.text import cluster as clustering
from cxlens.text import sentiment, source
from cxlens.text import theme_store as ts
from cxlens.text.ctfidf import words
from cxlens.text.theme_match import THRESHOLD, match
from cxlens.text.theme_stats import effects, trend, volume
from cxlens.text.themes import (
    EXAMPLES,
    MIN_COMMENTS,
    ThemeError,
    add_headlines,
    distinct,
    find_themes,
)
from cxlens.text.vectors import comparable, resolve

TRACKED_COLUMNS = ["theme", "polarity", "label", "name", "terms_label", "terms", "pinned",
                   "new", "comments", "n", "share", "share_ci_low", "share_ci_high",
                   "sentiment", "outcome", "score_with", "score_without", "effect",
                   "effect_ci_low", "effect_ci_high", "p_value", "q_value", "significant",
                   "n_with", "n_without", "low_share", "low_ci_low", "low_ci_high", "low_n",
                   "flag", "first_seen", "last_seen", "examples"]


@dataclass(frozen=True)
class Tracked:
    """A tracked run, summarised: ``themes`` one row per theme (:data:`TRACKED_COLUMNS`;
    ``theme`` is the stable id, ``label`` what the user sees), pinned first then by volume."""

    run: dict[str, Any]
    themes: pd.DataFrame
    trend: pd.DataFrame  # theme × month: comments, n, share and interval
    effects: pd.DataFrame  # theme × outcome: theme_stats.EFFECT_COLUMNS
    unthemed: int  # comments of a label too small to cluster


def track(wh: Warehouse, start: str | dt.date | None = None, end: str | dt.date | None = None,
          *, k: int | None = None, seed: int = clustering.SEED,
          now: dt.datetime | None = None, vectors: str | None = None) -> Tracked:
    """Run, store and summarise the themes of the comments from ``start`` to ``end``
    (inclusive; default the year up to the latest answer). ``k``: themes per label;
    ``vectors``: wordllama or lsa, default the warehouse's choice."""
    space = resolve(wh, vectors)
    first, after = source.period(wh, "comments", start, end)
    last = after - dt.timedelta(days=1)
    frame = source.comments(wh, first, after)
    if len(frame) < MIN_COMMENTS:
        raise ThemeError(f"{len(frame)} comments between {first} and {last}: too few to find "
                         "themes", f"widen --from/--to to have at least {MIN_COMMENTS} comments")
    scored = sentiment.score(frame["comment"].astype(str).tolist())
    frame["sentiment"] = scored["compound"].to_numpy()
    frame["polarity"] = scored["label"].to_numpy()
    frame["theme_id"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    known = ts.stored(wh)
    before = _previous(wh)
    run_id, next_id = ts.next_ids(wh)
    found: list[ts.Found] = []
    for polarity in ts.POLARITIES:
        rows = np.flatnonzero((frame["polarity"] == polarity).to_numpy())
        if len(rows) < MIN_COMMENTS:
            continue
        part = frame.iloc[rows].reset_index(drop=True)
        r = find_themes(part, first, last, k=None if k is None else min(k, len(rows)),
                        seed=seed, scores=part["sentiment"].to_numpy(), space=space)
        candidates = [t for t in known if t.polarity == polarity]
        dim = r.centroids.shape[1]
        # a centroid of another space is never similar (all zeros): only shared comments count
        old = np.array([t.centroid if comparable(t.space, space.model)
                        and len(t.centroid) == dim else [0.0] * dim
                        for t in candidates]).reshape(len(candidates), dim)
        shares = overlap(r.comments[["response_id", "theme"]], before,
                         [t.theme_id for t in candidates], r.k)
        ids: dict[int, int] = {}
        for number, m in enumerate(match(r.centroids, old, overlap=shares), start=1):
            if m.stored is not None:
                ids[number] = candidates[m.stored].theme_id
            elif m.twin is not None:
                ids[number] = ids[m.twin + 1]
            else:
                ids[number], next_id = next_id, next_id + 1
            if m.primary or (m.stored is None and m.twin is None):
                row = r.themes.iloc[number - 1]
                found.append(ts.Found(ids[number], polarity, str(row["label"]),
                                      str(row["terms"]),
                                      r.centroids[number - 1].tolist() if space.fixed
                                      else None, m.stored is None, space.model))
        frame.loc[rows, "theme_id"] = r.comments["theme"].map(ids).to_numpy()
    at = now or dt.datetime.now(dt.UTC)
    run = {"run_id": run_id, "ran_at": at, "first_day": str(first), "last_day": str(last),
           "comments": len(frame), "model": space.model, "threshold": THRESHOLD,
           "data_version": data_version(wh)}
    ts.save_run(wh, run, found,
                frame[["response_id", "theme_id", "polarity", "sentiment", "month"]])
    saved = ts.latest_run(wh)  # ran_at as the warehouse stores it (compared with first_seen)
    assert saved is not None
    return summary(wh, saved, frame)


def _previous(wh: Warehouse) -> pd.DataFrame:
    """The latest run's ``response_id`` → ``theme_id`` (themed comments only; empty before
    the first run)."""
    run = ts.latest_run(wh)
    if run is None:
        return pd.DataFrame({"response_id": pd.Series(dtype=str),
                             "theme_id": pd.Series(dtype="int64")})
    a = ts.assignments(wh, int(run["run_id"]))[["response_id", "theme_id"]]
    return a[a["theme_id"].notna()].astype({"theme_id": "int64"})


def overlap(clusters: pd.DataFrame, before: pd.DataFrame, candidates: list[int],
            k: int) -> np.ndarray:
    """``out[i, j]``: of the comments of cluster i + 1 (``clusters``: response_id, theme)
    that the previous run put in a theme, the share it put in ``candidates[j]``."""
    out = np.zeros((k, len(candidates)))
    both = clusters.merge(before, on="response_id", how="inner")
    if not len(both) or not candidates:
        return out
    seen = both.groupby("theme").size()
    column = {t: j for j, t in enumerate(candidates)}
    counts = both.groupby(["theme", "theme_id"]).size().reset_index(name="n")
    for cluster, theme, n in counts.itertuples(index=False):
        if int(theme) in column:
            out[int(cluster) - 1, column[int(theme)]] = int(n) / int(seen[cluster])
    return out


def latest(wh: Warehouse) -> Tracked | None:
    """The latest run, summarised from its stored assignments and today's merges and names;
    None before the first run."""
    run = ts.latest_run(wh)
    if run is None:
        return None
    first = dt.date.fromisoformat(run["first_day"])
    after = dt.date.fromisoformat(run["last_day"]) + dt.timedelta(days=1)
    frame = source.comments(wh, first, after)
    stored = ts.assignments(wh, int(run["run_id"]))
    frame = frame.merge(stored[["response_id", "theme_id", "polarity", "sentiment"]],
                        on="response_id", how="inner")
    return summary(wh, run, frame)


def summary(wh: Warehouse, run: dict[str, Any], frame: pd.DataFrame) -> Tracked:
    """What a run shows: ``frame`` is its comments with ``theme_id`` (stored ids) and, when
    known, ``sentiment``."""
    themes = {t.theme_id: t for t in ts.stored(wh)}
    final = ts.resolve(themes.values())
    theme = frame["theme_id"].map(lambda t: final.get(int(t), int(t)) if pd.notna(t) else np.nan)
    frame = frame.assign(theme=theme.astype(float))
    sizes = frame["theme"].value_counts()
    pinned = [t for t, s in themes.items() if s.pinned and final[t] == t]
    ids = sorted({*(int(t) for t in sizes.index), *pinned},
                 key=lambda t: (not themes[t].pinned, -int(sizes.get(t, 0)), t))
    table = volume(frame["theme"], ids)
    table["polarity"] = [themes[t].polarity for t in ids]
    table["label"] = [themes[t].title for t in ids]
    table["name"] = [themes[t].name for t in ids]
    table["terms_label"] = [themes[t].label for t in ids]
    table["terms"] = [themes[t].terms for t in ids]
    table["pinned"] = [themes[t].pinned for t in ids]
    table["new"] = [themes[t].first_seen == run["ran_at"] for t in ids]
    table["first_seen"] = [themes[t].first_seen for t in ids]
    table["last_seen"] = [themes[t].last_seen for t in ids]
    table["sentiment"] = [float(frame.loc[frame["theme"] == t, "sentiment"].mean())
                          if (frame["theme"] == t).any() else np.nan for t in ids]
    table["examples"] = [examples(frame, t, themes[t].terms) for t in ids]
    eff = effects(frame, ids)
    add_headlines(table, eff, ids)
    months = trend(frame["theme"], frame["month"], ids)
    titles = dict(zip(ids, table["label"], strict=True))
    months.insert(1, "label", months["theme"].map(titles))
    eff.insert(1, "label", eff["theme"].map(titles))
    return Tracked(run, table.reindex(columns=TRACKED_COLUMNS), months, eff,
                   int(frame["theme_id"].isna().sum()))


def examples(frame: pd.DataFrame, theme: int, terms: str, count: int = EXAMPLES) -> list[str]:
    """The theme's distinct comments holding most of its top terms (ties: earliest first) —
    chosen without the embeddings, which are not stored. Each text is read once however
    often it was written (a theme of the 10 M demo holds up to 110,000 comments, mostly copies
    of a few sentences)."""
    top = {t.strip() for t in terms.split(",") if t.strip()}
    texts = pd.unique(frame.loc[frame["theme"] == theme, "comment"].astype(str).to_numpy())
    scored = sorted(((-len(top.intersection(words(c))), i, c) for i, c in enumerate(texts)))
    return distinct((text for _, _, text in scored), count)
