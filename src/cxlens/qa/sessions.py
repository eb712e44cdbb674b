"""Calibration sessions, and review entry checked against a scorecard.

A **calibration session** is a set of interactions (chosen by its creator, or drawn at random
from the closed — optionally only the already reviewed — interactions of a period, of one
vendor or all) that two or more reviewers each score with the same scorecard. Its result is
:func:`cxlens.qa.calibration.calibrate_reviews` on the session's reviews: Krippendorff's α
per criterion and overall (on the review scores) with a bootstrap interval and a label
(reliable / tentative / unreliable), and each reviewer's deviation from the others.

Session reviews are stored apart from ``qa_reviews`` (``cxlens_qa_session_reviews``: the same
columns plus ``session_id``), so calibration scores never count in agents' quality scores —
as in Zendesk QA, where calibration reviews are kept out of the IQS. A reviewer who scores an
interaction of a session again replaces their earlier review of it.

**Review entry** (:func:`check_scores`, :func:`add_review`) is shared by the everyday review
(stored in ``qa_reviews``) and the sessions: every criterion of the scorecard must be scored —
a whole number within its scale — or marked N/A where the scorecard allows it; every problem
is reported at once. The rows carry the scorecard's scale, weight and critical flag, as the
scoring expects (:mod:`cxlens.qa.scoring`).

Tables (created by :func:`ensure`): ``cxlens_qa_sessions`` (one row per session),
``cxlens_qa_session_items`` (its interactions, in order), ``cxlens_qa_session_reviewers`` and
``cxlens_qa_session_reviews``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.personal import by, keep, redact
from cxlens.qa import calibration, disputes, scoring
from cxlens.qa.scorecards import Scorecard, Scorecards, builtin
from cxlens.schema import Column, Table, Type
from cxlens.sqltext import equals
from cxlens.store.base import Warehouse

_S, _F, _B, _I, _T = Type.STRING, Type.FLOAT, Type.BOOLEAN, Type.INTEGER, Type.TIMESTAMP
MIN_REVIEWERS = 2
MAX_ITEMS = 200
#: The value that marks a criterion N/A in :func:`check_scores`.
NA = "na"
_ID = re.compile(r"^cal_[0-9a-f]{12}$")

SESSIONS = Table(
    "cxlens_qa_sessions",
    "QA calibration sessions: one row per session.",
    (
        Column("session_id", _S, "Unique id (cal_…).", required=True),
        Column("name", _S, "What the session is called.", required=True),
        Column("scorecard", _S, "Scorecard every reviewer uses.", required=True),
        Column("origin", _S, "How its interactions were chosen (by hand, or the draw)."),
        Column("created_by", _S, "Who created it.", required=True),
        Column("created_at", _T, "When.", required=True),
    ),
    key=("session_id",),
    personal=keep("names and scorecards chosen by staff, about the agents' work"),
)
ITEMS = Table(
    "cxlens_qa_session_items",
    "The interactions of each calibration session.",
    (
        Column("session_id", _S, "The session.", required=True),
        Column("interaction_id", _S, "An interaction to score.", required=True),
        Column("position", _I, "Its place in the session (0, 1, …).", required=True),
    ),
    key=("session_id", "interaction_id"),
    personal=keep("interaction ids and positions only"),
)
REVIEWERS = Table(
    "cxlens_qa_session_reviewers",
    "The reviewers of each calibration session.",
    (
        Column("session_id", _S, "The session.", required=True),
        Column("reviewer", _S, "A reviewer (dashboard username).", required=True),
        Column("position", _I, "Their place in the list.", required=True),
    ),
    key=("session_id", "reviewer"),
    personal=keep("staff usernames and positions only"),
)
REVIEW_COLUMNS = ("review_id", "interaction_id", "scorecard", "criterion", "score",
                  "min_score", "max_score", "weight", "critical", "not_applicable", "reviewer",
                  "reviewed_at")
REVIEWS = Table(
    "cxlens_qa_session_reviews",
    "Reviews made in calibration sessions: qa_reviews' columns plus session_id (kept out of "
    "quality scores).",
    (
        Column("session_id", _S, "The session.", required=True),
        Column("review_id", _S, "Review this criterion belongs to.", required=True),
        Column("interaction_id", _S, "Interaction reviewed.", required=True),
        Column("scorecard", _S, "Scorecard used.", required=True),
        Column("criterion", _S, "Criterion scored.", required=True),
        Column("score", _F, "Score given (empty when not applicable)."),
        Column("min_score", _F, "Lowest score of the criterion's scale."),
        Column("max_score", _F, "Highest score of the criterion's scale.", required=True),
        Column("weight", _F, "Weight of the criterion in the review score."),
        Column("critical", _B, "A failed critical criterion sets the review score to 0."),
        Column("not_applicable", _B, "Criterion did not apply."),
        Column("reviewer", _S, "Who reviewed.", required=True),
        Column("reviewed_at", _T, "When.", required=True),
    ),
    key=("review_id", "criterion"),
    personal=keep("scores of the agents' work, no text about the customer (as qa_reviews)"),
)
COMMENTS = Table(
    "cxlens_qa_review_comments",
    "The reviewer's free-text comment on an everyday review (qa_reviews), one per review.",
    (
        Column("review_id", _S, "The review (qa_reviews.review_id).", required=True),
        Column("interaction_id", _S, "The interaction reviewed.", required=True),
        Column("comment", _S, "What the reviewer wrote about the conversation.",
               required=True),
        Column("written_at", _T, "When.", required=True),
    ),
    key=("review_id",),
    personal=redact(by("interaction"), "comment"),
)
TABLES = (SESSIONS, ITEMS, REVIEWERS, REVIEWS, COMMENTS)
#: The longest review comment kept (characters).
MAX_COMMENT = 4000
#: What a score may be given as: a number, "na" (N/A), or None / "" (not scored).
Value = float | int | str | None


@dataclass(frozen=True)
class Review:
    """One review as entered: the criteria's scores (None = N/A) and the review score."""

    review_id: str
    interaction_id: str
    scorecard: str
    reviewer: str
    reviewed_at: dt.datetime
    scores: Mapping[str, float | None]
    score: float | None
    session_id: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class Session:
    session_id: str
    name: str
    scorecard: str
    interaction_ids: tuple[str, ...]
    reviewers: tuple[str, ...]
    created_by: str
    created_at: dt.datetime
    origin: str | None = None


@dataclass(frozen=True)
class Progress:
    """Who has scored what: ``done[reviewer][interaction_id]`` is when they scored it."""

    session: Session
    done: Mapping[str, Mapping[str, dt.datetime]] = field(default_factory=dict)

    def scored(self, reviewer: str) -> int:
        return len(self.done.get(reviewer, {}))

    @property
    def total(self) -> int:
        return len(self.session.interaction_ids) * len(self.session.reviewers)

    @property
    def completed(self) -> int:
        return sum(self.scored(r) for r in self.session.reviewers)

    @property
    def started(self) -> int:
        """How many reviewers have scored at least one interaction."""
        return sum(1 for r in self.session.reviewers if self.scored(r))

    @property
    def complete(self) -> bool:
        return self.completed == self.total

    def todo(self, reviewer: str) -> list[str]:
        """The session's interactions the reviewer has not scored yet, in order."""
        mine = self.done.get(reviewer, {})
        return [i for i in self.session.interaction_ids if i not in mine]


def ensure(wh: Warehouse) -> None:
    wh.ensure(*TABLES)


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now


# -- review entry --------------------------------------------------------------------------------
def _scale(card: Scorecard) -> str:
    return ", ".join(f"{c.id} {c.scale.min}–{c.scale.max}{' or N/A' if c.na_allowed else ''}"
                     for c in card.criteria)


def check_scores(card: Scorecard, scores: Mapping[str, Value]) -> dict[str, float | None]:
    """The scores of one review, checked against ``card``: every criterion scored with a
    whole number within its scale, or :data:`NA` where N/A is allowed; no unknown criterion.
    Returns criterion → score (None = N/A); every problem is reported at once."""
    problems: list[str] = []
    out: dict[str, float | None] = {}
    for c in card.criteria:
        value = scores.get(c.id)
        lo, hi = c.scale.min, c.scale.max
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"{c.id} is not scored" + (" (score it or mark it N/A)"
                                                         if c.na_allowed else ""))
            continue
        if isinstance(value, str) and value.strip().lower() in (NA, "n/a"):
            if c.na_allowed:
                out[c.id] = None
            else:
                problems.append(f"{c.id} cannot be N/A (score it {lo}–{hi})")
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(f"{c.id}: {value!r} is not a score (give {lo}–{hi})")
            continue
        if not (math.isfinite(number) and number == round(number) and lo <= number <= hi):
            problems.append(f"{c.id}: {value} is outside its scale (a whole number {lo}–{hi})")
            continue
        out[c.id] = number
    ids = [c.id for c in card.criteria]
    for name in sorted(set(scores) - set(ids)):
        problems.append(f"scorecard {card.name} has no criterion {name!r}."
                        f"{did_you_mean(name, ids)}")
    if problems:
        raise ConfigError(f"the review has {len(problems)} problem(s): " + "; ".join(problems),
                          f"criteria of {card.name}: {_scale(card)}")
    return out


def review_score(card: Scorecard, checked: Mapping[str, float | None]) -> float | None:
    """The review score (0–100, :func:`cxlens.qa.scoring.review_score`: a failed critical
    criterion gives 0) of checked scores."""
    return scoring.review_score(
        scoring.Rating(score=checked.get(c.id), min_score=float(c.scale.min),
                       max_score=float(c.scale.max), weight=c.weight, critical=c.critical,
                       not_applicable=checked.get(c.id) is None, bonus=c.bonus)
        for c in card.criteria)


def _rows(card: Scorecard, review_id: str, interaction_id: str, reviewer: str,
          at: dt.datetime, checked: Mapping[str, float | None]) -> list[list[Any]]:
    return [[review_id, interaction_id, card.name, c.id, checked[c.id], float(c.scale.min),
             float(c.scale.max), float(c.weight), c.critical, checked[c.id] is None, reviewer,
             at] for c in card.criteria]


def _card(scorecard: str, scorecards: Scorecards | None) -> Scorecard:
    return (scorecards or builtin()).get(scorecard)


def _missing_interactions(wh: Warehouse, ids: Sequence[str]) -> list[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start:start + 1000])
        found |= {str(r[0]) for r in wh.query(
            "SELECT interaction_id FROM interactions WHERE interaction_id IN "
            f"({', '.join('?' * len(chunk))})", chunk)}
    return [i for i in ids if i not in found]


def add_review(wh: Warehouse, interaction_id: str, scorecard: str, reviewer: str,
               scores: Mapping[str, Value], *, scorecards: Scorecards | None = None,
               now: dt.datetime | None = None, comment: str = "") -> Review:
    """An everyday review of one interaction, stored in ``qa_reviews`` (it counts in quality
    scores) with the reviewer's comment, if any, in ``cxlens_qa_review_comments``; open
    sampling assignments it completes are marked done."""
    card = _card(scorecard, scorecards)
    if not reviewer.strip():
        raise ConfigError("the reviewer is missing", "name who reviewed")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ConfigError(f"the comment has {len(comment)} characters, more than "
                          f"{MAX_COMMENT}", "shorten it")
    checked = check_scores(card, scores)
    if _missing_interactions(wh, [interaction_id]):
        raise NotFound(f"no interaction {interaction_id!r}",
                       "interaction ids are interactions.interaction_id")
    at = _now(now)
    review_id = "qa_" + secrets.token_hex(6)
    from cxlens.qa import sampling

    with wh.transaction():
        wh.insert_rows("qa_reviews", REVIEW_COLUMNS,
                       _rows(card, review_id, interaction_id, reviewer, at, checked))
        if comment:
            wh.ensure(COMMENTS)
            wh.insert_rows(COMMENTS.name, ("review_id", "interaction_id", "comment",
                                           "written_at"),
                           [(review_id, interaction_id, comment, at)])
        sampling.mark_done(wh, now=at)
    return Review(review_id, interaction_id, card.name, reviewer, at, checked,
                  review_score(card, checked), comment=comment)


def get_review(wh: Warehouse, review_id: str, *,
               scorecards: Scorecards | None = None) -> Review:
    """A review of ``qa_reviews`` as its reviewer entered it, with its review score;
    NotFound when there is none. (:func:`effective_score` gives the score once an arbiter
    decided a dispute on it.)"""
    rows = wh.query(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM qa_reviews WHERE review_id = ? "
                    "ORDER BY criterion", [review_id])
    if not rows:
        raise NotFound(f"no QA review {review_id!r}", disputes.REVIEW_ID_HINT)
    first = dict(zip(REVIEW_COLUMNS, rows[0], strict=True))
    scores = {str(r[3]): (None if r[9] or r[4] is None else float(r[4])) for r in rows}
    wh.ensure(COMMENTS)
    comment = wh.scalar(f"SELECT comment FROM {COMMENTS.name} WHERE review_id = ?",
                        [review_id])
    return Review(review_id, str(first["interaction_id"]), str(first["scorecard"]),
                  str(first["reviewer"] or ""), first["reviewed_at"], scores,
                  _score_of(wh, review_id, str(first["interaction_id"]), scoring.SOURCE,
                            scorecards), comment=str(comment or ""))


def effective_score(wh: Warehouse, review_id: str, *,
                    scorecards: Scorecards | None = None) -> float | None:
    """The review's score with the arbiters' decisions applied (None once overturned)."""
    iid = wh.scalar("SELECT min(interaction_id) FROM qa_reviews WHERE review_id = ?",
                    [review_id])
    if iid is None:
        raise NotFound(f"no QA review {review_id!r}", disputes.REVIEW_ID_HINT)
    return _score_of(wh, review_id, str(iid), disputes.effective_reviews_sql(wh), scorecards)


def _score_of(wh: Warehouse, review_id: str, interaction_id: str, source: str,
              scorecards: Scorecards | None) -> float | None:
    frame = scoring.review_scores(wh, interaction_ids=[interaction_id], scorecards=scorecards,
                                  source=source)
    mine = frame.loc[frame["review_id"] == review_id, "score"]
    return float(mine.iloc[0]) if len(mine) and pd.notna(mine.iloc[0]) else None


# -- sessions ------------------------------------------------------------------------------------
def draw(wh: Warehouse, n: int, start: scoring.When, end: scoring.When, *,
         vendor: str | None = None, reviewed: bool = False, seed: int | None = None,
         ) -> list[str]:
    """``n`` interactions drawn at random (reproducibly, from ``seed``) from those closed in
    [start, end] (a date ``end`` includes that day), of one vendor or all, and — with
    ``reviewed`` — only those already reviewed in ``qa_reviews``. Fewer when fewer exist."""
    from cxlens.metrics.query import parse_time

    low, high = parse_time(start), parse_time(end, end=True)
    problems = []
    if not 1 <= n <= MAX_ITEMS:
        problems.append(f"draw between 1 and {MAX_ITEMS} interactions, not {n}")
    if low is None or high is None:
        problems.append("give the period to draw from (from and to)")
    elif low >= high:
        problems.append(f"the period is empty ({start} to {end})")
    if problems:
        raise ConfigError("cannot draw the session's interactions: " + "; ".join(problems),
                          "e.g. 6 interactions closed from 2026-01-01 to 2026-03-31")
    where = ["i.closed_at >= ?", "i.closed_at < ?"]
    params: list[Any] = [low, high]
    if vendor:
        where.append("i.vendor = ?")
        params.append(vendor)
    if reviewed:
        where.append("EXISTS (SELECT 1 FROM qa_reviews q WHERE q.interaction_id = "
                     "i.interaction_id)")
    seed = secrets.randbelow(2 ** 31) if seed is None else seed
    rows = wh.query(
        f"SELECT i.interaction_id FROM interactions i WHERE {' AND '.join(where)} "
        "ORDER BY md5(CAST(? AS VARCHAR) || i.interaction_id), i.interaction_id LIMIT ?",
        [*params, str(seed), n])
    if not rows:
        what = "reviewed and closed" if reviewed else "closed"
        raise ConfigError(f"no {what} interactions from {start} to {end}"
                          + (f" of vendor {vendor}" if vendor else ""),
                          "widen the period, or pick another vendor")
    return [str(r[0]) for r in rows]


def reviewers_with_reviews(wh: Warehouse) -> list[str]:
    """Everyone named as the reviewer of an everyday review (``qa_reviews.reviewer``), sorted:
    reviews imported from a QA tool name their reviewers, who can be asked to calibrate before
    anyone made them a dashboard account."""
    return [str(r[0]) for r in wh.query(
        "SELECT DISTINCT trim(reviewer) FROM qa_reviews WHERE trim(coalesce(reviewer, '')) "
        "<> '' ORDER BY 1")]


def create(wh: Warehouse, name: str, scorecard: str, interaction_ids: Sequence[str],
           reviewers: Sequence[str], created_by: str, *, origin: str | None = None,
           allowed: Collection[str] | None = None, scorecards: Scorecards | None = None,
           now: dt.datetime | None = None) -> Session:
    """A calibration session of ``interaction_ids`` (repeats dropped) scored by
    ``reviewers`` (two or more; only people in ``allowed``, when given) with ``scorecard``;
    every problem is reported at once."""
    cards = scorecards or builtin()
    ids = list(dict.fromkeys(i.strip() for i in interaction_ids if i.strip()))
    people = list(dict.fromkeys(r.strip() for r in reviewers if r.strip()))
    problems = []
    if not name.strip():
        problems.append("the name is empty")
    if scorecard not in cards.names:
        problems.append(f"no scorecard {scorecard!r}.{did_you_mean(scorecard, cards.names)}")
    strangers = [p for p in people if allowed is not None and p not in allowed]
    if strangers:
        problems.append(f"{', '.join(strangers)} cannot review (reviewers: "
                        f"{', '.join(sorted(allowed or ()))})")
    if len(people) < MIN_REVIEWERS:
        problems.append(f"a session needs at least {MIN_REVIEWERS} reviewers, got "
                        f"{len(people)}")
    if not ids:
        problems.append("no interactions: list them, or draw them from a period")
    elif len(ids) > MAX_ITEMS:
        problems.append(f"at most {MAX_ITEMS} interactions, got {len(ids)}")
    else:
        missing = _missing_interactions(wh, ids)
        if missing:
            problems.append(f"{len(missing)} unknown interaction(s): "
                            f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    if not created_by.strip():
        problems.append("who creates it is missing")
    if problems:
        raise ConfigError("cannot create the calibration session: " + "; ".join(problems),
                          f"scorecards: {', '.join(cards.names)}; interaction ids are "
                          "interactions.interaction_id")
    ensure(wh)
    session = Session("cal_" + secrets.token_hex(6), name.strip(), scorecard, tuple(ids),
                      tuple(people), created_by, _now(now), origin)
    with wh.transaction():
        wh.insert_rows(SESSIONS.name, [c.name for c in SESSIONS.columns],
                       [[session.session_id, session.name, scorecard, origin, created_by,
                         session.created_at]])
        wh.insert_rows(ITEMS.name, ("session_id", "interaction_id", "position"),
                       [[session.session_id, i, k] for k, i in enumerate(ids)])
        wh.insert_rows(REVIEWERS.name, ("session_id", "reviewer", "position"),
                       [[session.session_id, r, k] for k, r in enumerate(people)])
    return session


def _load(wh: Warehouse, where: str, params: list[Any]) -> list[Session]:
    ensure(wh)
    heads = wh.query("SELECT session_id, name, scorecard, origin, created_by, created_at FROM "
                     f"{SESSIONS.name} WHERE {where} ORDER BY created_at DESC, session_id",
                     params)
    if not heads:
        return []
    sub = f"SELECT session_id FROM {SESSIONS.name} WHERE {where}"
    items: dict[str, list[str]] = {}
    for sid, iid in wh.query(f"SELECT session_id, interaction_id FROM {ITEMS.name} WHERE "
                             f"session_id IN ({sub}) ORDER BY session_id, position", params):
        items.setdefault(sid, []).append(str(iid))
    people: dict[str, list[str]] = {}
    for sid, who in wh.query(f"SELECT session_id, reviewer FROM {REVIEWERS.name} WHERE "
                             f"session_id IN ({sub}) ORDER BY session_id, position", params):
        people.setdefault(sid, []).append(str(who))
    return [Session(str(sid), str(name), str(card), tuple(items.get(sid, ())),
                    tuple(people.get(sid, ())), str(by), at, origin)
            for sid, name, card, origin, by, at in heads]


def get(wh: Warehouse, session_id: str) -> Session:
    found = _load(wh, "session_id = ?", [session_id]) if _ID.match(session_id) else []
    if not found:
        raise NotFound(f"no calibration session {session_id!r}",
                       "session ids start with cal_; list them with "
                       "cxlens.qa.sessions.listing or on /qa/calibration")
    return found[0]


def listing(wh: Warehouse, *, reviewer: str | None = None) -> list[Session]:
    """Every session, newest first (only those ``reviewer`` takes part in, when given)."""
    if reviewer is None:
        return _load(wh, "1 = 1", [])
    return _load(wh, f"session_id IN (SELECT session_id FROM {REVIEWERS.name} WHERE "
                     "reviewer = ?)", [reviewer])


def record(wh: Warehouse, session_id: str, reviewer: str, interaction_id: str,
           scores: Mapping[str, Value], *, scorecards: Scorecards | None = None,
           now: dt.datetime | None = None) -> Review:
    """``reviewer``'s review of one interaction of the session (replacing their earlier one);
    every problem is reported at once."""
    session = get(wh, session_id)
    card = _card(session.scorecard, scorecards)
    problems = []
    if reviewer not in session.reviewers:
        problems.append(f"{reviewer or '(nobody)'} is not a reviewer of this session")
    if interaction_id not in session.interaction_ids:
        problems.append(f"interaction {interaction_id!r} is not in this session")
    try:
        checked = check_scores(card, scores)
    except ConfigError as exc:
        problems.append(exc.message)
        checked = {}
    if problems:
        raise ConfigError(f"cannot record the review in session {session_id}: "
                          + "; ".join(problems),
                          f"reviewers: {', '.join(session.reviewers)}; criteria of "
                          f"{card.name}: {_scale(card)}")
    at = _now(now)
    review_id = "qsr_" + secrets.token_hex(6)
    with wh.transaction():
        wh.execute(f"DELETE FROM {REVIEWS.name} WHERE session_id = ? AND reviewer = ? AND "
                   "interaction_id = ?", [session_id, reviewer, interaction_id])
        wh.insert_rows(REVIEWS.name, ("session_id", *REVIEW_COLUMNS),
                       [[session_id, *row] for row in _rows(card, review_id, interaction_id,
                                                            reviewer, at, checked)])
    return Review(review_id, interaction_id, card.name, reviewer, at, checked,
                  review_score(card, checked), session_id)


def scores_of(wh: Warehouse, session_id: str, reviewer: str,
              interaction_id: str) -> dict[str, float | None]:
    """The reviewer's scores of one interaction of the session (empty when not scored)."""
    ensure(wh)
    rows = wh.query(f"SELECT criterion, score, not_applicable FROM {REVIEWS.name} WHERE "
                    "session_id = ? AND reviewer = ? AND interaction_id = ?",
                    [session_id, reviewer, interaction_id])
    return {str(c): (None if na or s is None else float(s)) for c, s, na in rows}


def progress(wh: Warehouse, session_id: str) -> Progress:
    session = get(wh, session_id)
    done: dict[str, dict[str, dt.datetime]] = {}
    for who, iid, at in wh.query(f"SELECT reviewer, interaction_id, max(reviewed_at) FROM "
                                 f"{REVIEWS.name} WHERE session_id = ? GROUP BY reviewer, "
                                 "interaction_id", [session_id]):
        done.setdefault(str(who), {})[str(iid)] = at
    return Progress(session, done)


def source(wh: Warehouse, session_id: str) -> str:
    """The session's reviews as a parenthesised subquery with qa_reviews' columns (for the
    ``source=`` of :mod:`cxlens.qa.scoring` and :mod:`cxlens.qa.calibration`)."""
    session = get(wh, session_id)  # an existing id, so safe to write into the SQL
    return (f"(SELECT {', '.join(REVIEW_COLUMNS)} FROM {REVIEWS.name} "
            f"WHERE {equals({'session_id': session.session_id})})")


def result(wh: Warehouse, session_id: str, *, level: calibration.Level = "ordinal",
           resamples: int = calibration.RESAMPLES, seed: int = 0,
           threshold: float = calibration.THRESHOLD, min_sample: int = calibration.MIN_SAMPLE,
           confidence: float = 0.95,
           scorecards: Scorecards | None = None) -> calibration.Calibration:
    """α per criterion and overall (with interval and label) and each reviewer's deviation,
    on the session's reviews only (empty tables until two reviewers scored an interaction)."""
    session = get(wh, session_id)
    return calibration.calibrate_reviews(
        wh, session.scorecard, session.interaction_ids, level=level, resamples=resamples,
        seed=seed, threshold=threshold, min_sample=min_sample, confidence=confidence,
        scorecards=scorecards, source=source(wh, session_id))


def review_scores(wh: Warehouse, session_id: str, *,
                  scorecards: Scorecards | None = None) -> pd.DataFrame:
    """One row per review of the session with its review score (``scoring.REVIEW_COLUMNS``)."""
    session = get(wh, session_id)
    return scoring.review_scores(wh, scorecard=session.scorecard,
                                 interaction_ids=session.interaction_ids,
                                 scorecards=scorecards, source=source(wh, session_id))


__all__ = ["NA", "Progress", "Review", "Session", "add_review", "check_scores", "create",
           "draw", "effective_score", "ensure", "get", "get_review", "listing", "progress",
           "record", "result", "review_score", "review_scores", "scores_of", "source"]
