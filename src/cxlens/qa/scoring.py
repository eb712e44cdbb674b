"""Review scores and quality scores, with Zendesk QA's published maths.

* **Criterion score** = (selected − scale minimum) / (scale maximum − scale minimum) × 100, so
  every criterion is on 0–100 whatever its scale (binary: 0 or 100; 1–5: 0, 25, 50, 75, 100).
* **Applicable** criteria are those with a score that are not marked N/A; the others are left
  out of the score entirely (neither counted as 0 nor as 100).
* **Review score** = weighted mean of the applicable regular (non-bonus) criteria's scores:
  Σ weightᵢ·scoreᵢ / Σ weightᵢ. It is None when no regular criterion applies, or when all
  that apply weigh 0 and no critical criterion failed: such a review says nothing about
  quality and is left out of the means.
* **Critical criteria**: when any applicable critical criterion scores below 50 % of its scale,
  the review score is 0 — whatever the other criteria and bonuses say.
* **Bonus criteria** count only when they raise the score: the review score is the larger of
  (a) the weighted mean of the applicable regular criteria and (b) the weighted mean of the
  applicable regular *and* bonus criteria together. Bonuses are all in or all out (with one
  bonus criterion this is simply "added to the mean when above it"); a bonus can never lower a
  score, never rescue a failed critical criterion, and never make a score on its own.
* **Quality score** of an agent, team, vendor, ... = mean of its review scores (Zendesk's IQS),
  with n (reviews with a score), a Student-t 95 % interval and a small-sample flag.

The weight and critical flag of a criterion are read from each ``qa_reviews`` row (they are
what the reviewer scored against); which criteria are bonuses comes from the scorecard
definitions (``scorecards.yaml``, :func:`cxlens.qa.scorecards.builtin` by default).
Review scores are computed in SQL on the warehouse; the same SQL runs on DuckDB and Postgres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError, did_you_mean
from cxlens.qa.scorecards import Scorecards, builtin
from cxlens.stats import t_interval
from cxlens.store.base import Warehouse
from cxlens.store.ddl import quote

When = str | dt.date | dt.datetime | None
SOURCE = "qa_reviews"
#: Below 50 % of its scale a critical criterion fails the whole review.
CRITICAL_PASS = 50.0
MIN_SAMPLE = 30
INSUFFICIENT = "insufficient_sample"  # the flag metrics use (cxlens.metrics.result)
NO_DATA = "no_data"
REVIEW_COLUMNS = ("review_id", "interaction_id", "scorecard", "reviewer", "reviewed_at",
                  "agent_id", "team", "vendor", "site", "score")
#: Columns quality scores can be grouped by.
GROUPS = ("scorecard", "reviewer", "agent_id", "team", "vendor", "site")


@dataclass(frozen=True)
class Rating:
    """One scored criterion of one review (a ``qa_reviews`` row, plus the bonus flag)."""

    score: float | None
    max_score: float
    min_score: float = 0.0
    weight: float = 1.0
    critical: bool = False
    not_applicable: bool = False
    bonus: bool = False

    @property
    def percent(self) -> float | None:
        """The criterion score on 0–100, or None when N/A (or the scale is empty)."""
        if self.not_applicable or self.score is None or self.max_score == self.min_score:
            return None
        return (self.score - self.min_score) * 100.0 / (self.max_score - self.min_score)


def criterion_score(score: float, min_score: float, max_score: float) -> float:
    """(selected − min) / (max − min) × 100."""
    if max_score <= min_score:
        raise ValueError(f"scale max ({max_score}) must be above min ({min_score})")
    return (score - min_score) * 100.0 / (max_score - min_score)


def _weighted(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for w, _ in pairs)
    return sum(w * p for w, p in pairs) / total if total > 0 else None


def review_score(ratings: Iterable[Rating]) -> float | None:
    """The score (0–100) of one review from its criteria; None when nothing applies."""
    applicable = [(r, p) for r in ratings if (p := r.percent) is not None]
    regular = [(r.weight, p) for r, p in applicable if not r.bonus]
    if not regular:
        return None
    if any(r.critical and p < CRITICAL_PASS for r, p in applicable):
        return 0.0
    base = _weighted(regular)
    if base is None:
        return None
    with_bonus = _weighted([(r.weight, p) for r, p in applicable])
    return max(base, with_bonus) if with_bonus is not None else base


# -- on the warehouse ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Filter:
    """Which qa_reviews rows to read."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    scorecard: str | None = None
    interaction_ids: tuple[str, ...] | None = None

    @classmethod
    def of(cls, start: When = None, end: When = None, scorecard: str | None = None,
           interaction_ids: Iterable[str] | None = None) -> Filter:
        """Bounds as for metric queries: a plain date ``end`` includes that whole day."""
        from cxlens.metrics.query import parse_time  # the metric layer is heavy to import

        return cls(parse_time(start), parse_time(end, end=True), scorecard,
                   None if interaction_ids is None else tuple(interaction_ids))

    def sql(self) -> tuple[str, list[Any]]:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if self.start is not None:
            where.append("q.reviewed_at >= ?")
            params.append(self.start)
        if self.end is not None:
            where.append("q.reviewed_at < ?")
            params.append(self.end)
        if self.scorecard is not None:
            where.append("q.scorecard = ?")
            params.append(self.scorecard)
        if self.interaction_ids is not None:
            ids = self.interaction_ids or ("",)  # an empty session selects nothing
            where.append(f"q.interaction_id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        return " AND ".join(where), params


def rated_sql(rows: Filter, cards: Scorecards, source: str = SOURCE) -> tuple[str, list[Any]]:
    """One row per scored criterion with its 0–100 score ``pct`` (NULL when N/A) and the
    ``bonus`` flag (1/0) from the scorecard definitions. ``source`` is ``qa_reviews`` or a
    parenthesised subquery with its columns (e.g. the reviews with disputes applied)."""
    where, params = rows.sql()
    bonus = cards.bonus
    bonus_sql = " OR ".join(["(q.scorecard = ? AND q.criterion = ?)"] * len(bonus)) or "FALSE"
    sql = (
        "SELECT q.review_id, q.interaction_id, q.scorecard, q.criterion, q.reviewer, "
        "q.reviewed_at, COALESCE(q.weight, 1.0) AS w, COALESCE(q.critical, FALSE) AS critical, "
        f"CASE WHEN {bonus_sql} THEN 1 ELSE 0 END AS bonus, "
        "CASE WHEN COALESCE(q.not_applicable, FALSE) THEN NULL "
        "ELSE (q.score - COALESCE(q.min_score, 0.0)) * 100.0 "
        "/ NULLIF(q.max_score - COALESCE(q.min_score, 0.0), 0) END AS pct "
        f"FROM {source} q WHERE {where}"
    )
    return sql, [v for pair in bonus for v in pair] + params


def scored_sql(rows: Filter, cards: Scorecards, source: str = SOURCE) -> tuple[str, list[Any]]:
    """One row per review with its score (the rules of the module docstring), joined to the
    interaction's agent, team, vendor and site."""
    rated, params = rated_sql(rows, cards, source)
    app = "pct IS NOT NULL"
    sql = (
        f"WITH rated AS ({rated}), reviews AS ("
        "SELECT review_id, min(interaction_id) AS interaction_id, min(scorecard) AS scorecard, "
        "min(reviewer) AS reviewer, max(reviewed_at) AS reviewed_at, "
        f"count(CASE WHEN {app} AND bonus = 0 THEN 1 END) AS base_n, "
        f"sum(CASE WHEN {app} AND bonus = 0 THEN w * pct END) AS base_num, "
        f"sum(CASE WHEN {app} AND bonus = 0 THEN w END) AS base_den, "
        f"sum(CASE WHEN {app} THEN w * pct END) AS all_num, "
        f"sum(CASE WHEN {app} THEN w END) AS all_den, "
        f"max(CASE WHEN {app} AND critical AND pct < {CRITICAL_PASS} THEN 1 ELSE 0 END) "
        "AS failed FROM rated GROUP BY review_id) "
        "SELECT r.review_id, r.interaction_id, r.scorecard, r.reviewer, r.reviewed_at, "
        "i.agent_id, i.team, i.vendor, i.site, "
        "CASE WHEN r.base_n = 0 THEN NULL WHEN r.failed = 1 THEN 0.0 "
        "WHEN r.base_den <= 0 THEN NULL "
        "ELSE GREATEST(r.base_num / r.base_den, r.all_num / r.all_den) END AS score "
        "FROM reviews r LEFT JOIN interactions i ON i.interaction_id = r.interaction_id"
    )
    return sql, params


def _numbers(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A column as floats (Postgres may give Decimal or None)."""
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def review_scores(wh: Warehouse, start: When = None, end: When = None,
                  scorecard: str | None = None, *, scorecards: Scorecards | None = None,
                  interaction_ids: Iterable[str] | None = None,
                  source: str = SOURCE) -> pd.DataFrame:
    """One row per review (``REVIEW_COLUMNS``) reviewed in [start, end] (a date ``end``
    includes that day), optionally of one scorecard or of some interactions only. ``score`` is
    0–100, or NaN when nothing applicable was scored. ``scorecards`` say which criteria are
    bonuses (default: the built-in ones); ``source`` replaces ``qa_reviews`` by a
    parenthesised subquery with the same columns, such as the reviews with the arbiters'
    dispute decisions applied."""
    rows = Filter.of(start, end, scorecard, interaction_ids)
    sql, params = scored_sql(rows, scorecards or builtin(), source)
    frame = wh.query_df(f"{sql} ORDER BY r.reviewed_at, r.review_id", params)
    frame = frame.reindex(columns=list(REVIEW_COLUMNS))
    frame["reviewed_at"] = pd.to_datetime(frame["reviewed_at"], utc=True)
    frame["score"] = _numbers(frame, "score")
    return frame


def _check_by(by: Sequence[str]) -> list[str]:
    if isinstance(by, str):
        by = [by]
    for col in by:
        if col not in GROUPS:
            raise ConfigError(f"cannot group quality scores by {col!r}.{did_you_mean(col, GROUPS)}",
                              f"group by any of: {', '.join(GROUPS)}")
    return list(dict.fromkeys(by))


def quality_scores(wh: Warehouse, by: Sequence[str] = ("vendor",), start: When = None,
                   end: When = None, scorecard: str | None = None, *,
                   min_sample: int = MIN_SAMPLE, confidence: float = 0.95,
                   scorecards: Scorecards | None = None, source: str = SOURCE) -> pd.DataFrame:
    """Quality score (mean review score, 0–100) per group: the ``by`` columns, then ``value``,
    ``n`` (reviews with a score), ``ci_low``, ``ci_high`` (Student-t, clipped to 0–100) and
    ``flag``
    (``insufficient_sample`` when n < ``min_sample``, ``no_data`` when n = 0). Without
    ``scorecard`` every scorecard's reviews are averaged together, as Zendesk's IQS does;
    ``scorecards`` and ``source`` as for :func:`review_scores`."""
    dims = _check_by(by)
    sql, params = scored_sql(Filter.of(start, end, scorecard), scorecards or builtin(), source)
    cols = ", ".join(quote(c) for c in dims)
    group = f" GROUP BY {cols}" if dims else ""
    raw = wh.query_df(
        f"SELECT {cols + ', ' if dims else ''}count(score) AS n, avg(score) AS value, "
        f"stddev_samp(score) AS sd FROM ({sql}) s{group}", params)
    n = np.nan_to_num(_numbers(raw, "n"))
    value = np.where(n > 0, _numbers(raw, "value"), np.nan)
    low, high = t_interval(n, value, _numbers(raw, "sd"), confidence)
    # review scores live on 0–100: a t interval of a few reviews must not leave the scale
    low, high = np.clip(low, 0.0, 100.0), np.clip(high, 0.0, 100.0)
    out = raw[dims].copy() if dims else pd.DataFrame(index=raw.index)
    out["value"] = value
    out["n"] = n.astype(np.int64)
    out["ci_low"] = low
    out["ci_high"] = high
    out["flag"] = np.where(n == 0, NO_DATA, np.where(n < min_sample, INSUFFICIENT, ""))
    if dims:
        out = out.sort_values(dims, na_position="last", kind="stable")
    return out.reset_index(drop=True)
