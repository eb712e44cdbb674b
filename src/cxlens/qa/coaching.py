"""Coaching: notes from coaching sessions, and whether an agent's QA scores moved after one.

A coaching note records who coached which agent, what was said and which reviews it was
about (``cxlens_coaching``). "QA trend after coaching" compares, around each session, the
mean review score of the agent's interactions handled in a window before it with those
handled in the same window after it (by when the agent handled them — ``closed_at``, or
``created_at`` while open — not when they were reviewed: a review of an earlier interaction
says nothing about what the coaching changed), with n on each side and a Welch t-test.

Reviews are read with the arbiters' decisions applied (:mod:`cxlens.qa.disputes`). The
review score here is deliberately plain — the mean of the applicable criteria's
(score − min)/(max − min) × 100 — and replaceable: pass ``score=`` any function of one
review's criterion rows (e.g. one built on :mod:`cxlens.qa.scoring`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from cxlens.errors import ConfigError, NotFound
from cxlens.personal import by, redact
from cxlens.qa import disputes, scoring
from cxlens.qa.scorecards import Scorecards
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

_S, _T = Type.STRING, Type.TIMESTAMP
COACHING = Table(
    "cxlens_coaching",
    "Coaching sessions: one row per note a coach wrote about an agent.",
    (
        Column("session_id", _S, "Unique id of the note.", required=True),
        Column("agent_id", _S, "Agent coached.", required=True),
        Column("coach", _S, "Who coached.", required=True),
        Column("note", _S, "What was discussed and agreed.", required=True),
        Column("review_ids", _S, "QA reviews the session was about, comma-separated."),
        Column("created_at", _T, "When the session took place.", required=True),
    ),
    key=("session_id",),
    personal=redact((by("review", "review_ids", listed=True), by("mention", "note")), "note"),
)
TABLES = (COACHING,)
COLUMNS = tuple(c.name for c in COACHING.columns)
#: One review's criterion rows (qa_reviews columns) → its score, or None when it has none.
ScoreFn = Callable[[pd.DataFrame], float | None]
TREND_COLUMNS = ("session_id", "coach", "created_at", "n_before", "mean_before", "n_after",
                 "mean_after", "difference", "p_value")


@dataclass(frozen=True)
class Note:
    session_id: str
    agent_id: str
    coach: str
    note: str
    review_ids: tuple[str, ...]
    created_at: dt.datetime


def ensure(wh: Warehouse) -> None:
    wh.ensure(COACHING)


def review_score(rows: pd.DataFrame) -> float | None:
    """Plain mean of the applicable criteria's (score − min)/(max − min) × 100; None when no
    criterion applies. A placeholder for the full scoring of :mod:`cxlens.qa.scoring`."""
    score, low, high = (pd.to_numeric(rows[c], errors="coerce").astype(float)
                        for c in ("score", "min_score", "max_score"))
    low = low.fillna(0.0)
    na = rows["not_applicable"].astype("boolean").fillna(False).astype(bool)
    ok = score.notna() & ~na & (high > low)
    if not ok.any():
        return None
    return float(((score[ok] - low[ok]) / (high[ok] - low[ok]) * 100).mean())


def zendesk_score(cards: Scorecards) -> ScoreFn:
    """A score function with the full rules of :mod:`cxlens.qa.scoring` (weights, critical
    criteria, bonuses from ``cards``): what ``cxlens qa scores`` and the dashboard show."""
    bonus = set(cards.bonus)

    def optional(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    def number(v: Any, default: float) -> float:
        found = optional(v)
        return default if found is None else found

    def score(rows: pd.DataFrame) -> float | None:
        return scoring.review_score(
            scoring.Rating(score=optional(r.score), max_score=number(r.max_score, 1.0),
                           min_score=number(r.min_score, 0.0), weight=number(r.weight, 1.0),
                           critical=bool(r.critical), not_applicable=bool(r.not_applicable),
                           bonus=(str(r.scorecard), str(r.criterion)) in bonus)
            for r in rows.itertuples())

    return score


def add_note(wh: Warehouse, agent_id: str, coach: str, note: str,
             review_ids: Sequence[str] = (), *, now: dt.datetime | None = None) -> Note:
    """Record a coaching session; linked reviews must exist in qa_reviews."""
    problems = [f"{what} is empty" for what, value in
                (("the agent", agent_id), ("the coach", coach), ("the note", note))
                if not value.strip()]
    if any("," in r for r in review_ids):
        problems.append(f"review ids cannot contain commas: {list(review_ids)}")
    if problems:
        raise ConfigError("cannot record the coaching note: " + "; ".join(problems),
                          "give the agent id, the coach's name and the note's text")
    ids = tuple(dict.fromkeys(review_ids))
    if ids:
        found = {r for (r,) in wh.query("SELECT DISTINCT review_id FROM qa_reviews WHERE "
                                        f"review_id IN ({', '.join('?' * len(ids))})",
                                        list(ids))}
        missing = [r for r in ids if r not in found]
        if missing:
            raise NotFound(f"cannot link the coaching note to unknown QA review(s) "
                           f"{', '.join(missing)}", disputes.REVIEW_ID_HINT)
    at = now or dt.datetime.now(dt.UTC)
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
    ensure(wh)
    row = Note("coach_" + secrets.token_hex(6), agent_id, coach, note, ids, at)
    wh.insert_rows(COACHING.name, COLUMNS, [[row.session_id, agent_id, coach, note,
                                             ",".join(ids) or None, at]])
    return row


def notes(wh: Warehouse, agent_id: str | None = None) -> list[Note]:
    """Coaching notes, oldest first (of one agent, or of everyone)."""
    ensure(wh)
    where, params = ("agent_id = ?", [agent_id]) if agent_id is not None else ("1 = 1", [])
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM {COACHING.name} WHERE {where} "
                    "ORDER BY created_at, session_id", params)
    return [Note(s, a, c, n, tuple(r.split(",")) if r else (), t) for s, a, c, n, r, t in rows]


def agent_review_scores(wh: Warehouse, agent_id: str, *,
                        score: ScoreFn = review_score) -> pd.DataFrame:
    """One row per review of the agent's interactions (disputes applied): review_id,
    handled_at (when the agent handled the interaction), reviewed_at and score (reviews
    without a score are left out)."""
    sql = disputes.effective_reviews_sql(wh)
    frame = wh.query_df(
        "SELECT q.*, COALESCE(i.closed_at, i.created_at) AS handled_at "
        f"FROM {sql} AS q JOIN interactions i ON i.interaction_id = q.interaction_id "
        "WHERE i.agent_id = ?", [agent_id])
    for col in ("score", "min_score", "max_score", "weight"):  # Postgres gives objects
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in ("critical", "not_applicable"):
        frame[col] = frame[col].astype("boolean").fillna(False).astype(bool)
    out = []
    for review_id, rows in frame.groupby("review_id", sort=True):
        value = score(rows)
        if value is not None and np.isfinite(value):
            out.append((review_id, rows["handled_at"].iloc[0], rows["reviewed_at"].max(),
                        float(value)))
    result = pd.DataFrame(out, columns=["review_id", "handled_at", "reviewed_at", "score"])
    for col in ("handled_at", "reviewed_at"):
        result[col] = pd.to_datetime(result[col], utc=True)
    return result


def welch_p(before: ArrayLike, after: ArrayLike) -> float:
    """Two-sided Welch t-test p-value; NaN with fewer than two scores on a side or no
    variance on either (the test is undefined there, not "no difference")."""
    a, b = np.asarray(before, float), np.asarray(after, float)
    if len(a) < 2 or len(b) < 2 or (np.ptp(a) == 0 and np.ptp(b) == 0):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-constant data: precision note
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def trend_after_coaching(wh: Warehouse, agent_id: str, *,
                         window: dt.timedelta = dt.timedelta(days=30),
                         score: ScoreFn = review_score) -> pd.DataFrame:
    """For each coaching session of the agent: n and mean review score of interactions
    handled in [session − window, session) and in [session, session + window), their
    difference (after − before) and the Welch t-test p-value."""
    if window <= dt.timedelta(0):
        raise ConfigError(f"the coaching window must be positive, got {window}",
                          "e.g. window=datetime.timedelta(days=30)")
    sessions = notes(wh, agent_id)
    scores = agent_review_scores(wh, agent_id, score=score)
    at = scores["handled_at"]
    out = []
    for s in sessions:
        t = pd.Timestamp(s.created_at)
        before = scores.loc[(at >= t - window) & (at < t), "score"].to_numpy(float)
        after = scores.loc[(at >= t) & (at < t + window), "score"].to_numpy(float)
        mb = float(before.mean()) if len(before) else float("nan")
        ma = float(after.mean()) if len(after) else float("nan")
        out.append((s.session_id, s.coach, s.created_at, len(before), mb, len(after), ma,
                    ma - mb, welch_p(before, after)))
    return pd.DataFrame(out, columns=list(TREND_COLUMNS))
