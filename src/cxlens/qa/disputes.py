"""QA disputes: an agent contests a review, an arbiter decides, and scoring sees the decision.

A dispute opens on a review (optionally naming the criterion contested) with a reason; an
arbiter — anyone but the agent who disputed — decides once, with a comment:

- ``upheld``: the review stands as scored;
- ``overturned``: the review is void and leaves every score;
- ``adjusted``: the named criteria get new scores (within their scale).

The history is append-only (``cxlens_qa_dispute_events``); a dispute's state is derived from
its events. A review can be disputed once: the arbiter's decision is final. Later scoring
reads :func:`effective_reviews_sql` (or :func:`effective_reviews`) instead of
``qa_reviews``: the same columns, with overturned reviews left out and adjusted criteria
carrying the arbiter's score.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.personal import by, redact
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

_S, _F, _T = Type.STRING, Type.FLOAT, Type.TIMESTAMP
DECISIONS = ("upheld", "overturned", "adjusted")
STATUSES = ("open", *DECISIONS)
EVENTS = Table(
    "cxlens_qa_dispute_events",
    "QA disputes, append-only: opened, then one decision (one row per adjusted criterion).",
    (
        Column("dispute_id", _S, "The dispute.", required=True),
        Column("review_id", _S, "The review disputed (qa_reviews.review_id).", required=True),
        Column("occurred_at", _T, "When.", required=True),
        Column("actor", _S, "Who: the agent disputing, or the arbiter deciding.",
               required=True),
        Column("action", _S, "opened, upheld, overturned or adjusted.", required=True,
               enum=("opened", *DECISIONS)),
        Column("criterion", _S, "Criterion contested (opened) or adjusted (adjusted)."),
        Column("new_score", _F, "The arbiter's score for the criterion (adjusted)."),
        Column("detail", _S, "The agent's reason (opened) or the arbiter's comment."),
    ),
    key=(),
    personal=redact((by("review"), by("mention", "detail")), "detail"),
)
TABLES = (EVENTS,)
COLUMNS = tuple(c.name for c in EVENTS.columns)
_REVIEW_COLUMNS = ("review_id", "interaction_id", "scorecard", "criterion", "score",
                   "min_score", "max_score", "weight", "critical", "not_applicable", "reviewer",
                   "reviewed_at")
REVIEW_ID_HINT = "review ids are qa_reviews.review_id; list them with: SELECT DISTINCT review_id " \
           "FROM qa_reviews"

#: The qa_reviews rows as the arbiters left them (see the module docstring), as a subquery.
EFFECTIVE = f"""(SELECT q.review_id, q.interaction_id, q.scorecard, q.criterion,
       CASE WHEN a.new_score IS NULL THEN q.score ELSE a.new_score END AS score,
       q.min_score, q.max_score, q.weight, q.critical,
       CASE WHEN a.new_score IS NULL THEN q.not_applicable ELSE FALSE END AS not_applicable,
       q.reviewer, q.reviewed_at
FROM qa_reviews q
LEFT JOIN (SELECT review_id, criterion, max(new_score) AS new_score FROM {EVENTS.name}
           WHERE action = 'adjusted' GROUP BY review_id, criterion) a
       ON a.review_id = q.review_id AND a.criterion = q.criterion
WHERE NOT EXISTS (SELECT 1 FROM {EVENTS.name} o
                  WHERE o.review_id = q.review_id AND o.action = 'overturned'))"""


@dataclass(frozen=True)
class Dispute:
    """A dispute's current state, derived from its events."""

    dispute_id: str
    review_id: str
    agent: str
    reason: str
    criterion: str | None
    opened_at: dt.datetime
    status: str = "open"
    arbiter: str | None = None
    comment: str | None = None
    decided_at: dt.datetime | None = None
    adjustments: Mapping[str, float] = field(default_factory=dict)


def ensure(wh: Warehouse) -> None:
    wh.ensure(EVENTS)


def effective_reviews_sql(wh: Warehouse) -> str:
    """A parenthesised subquery with qa_reviews' columns and the arbiters' decisions applied;
    use it where ``qa_reviews`` would go: ``f"SELECT ... FROM {sql} AS q"``."""
    ensure(wh)
    return EFFECTIVE


def revision(wh: Warehouse) -> tuple[Any, ...]:
    """Changes whenever what :func:`effective_reviews_sql` reads changes between data versions:
    a review saved in the dashboard adds ``qa_reviews`` rows and a dispute opened or decided
    adds events (both tables only grow; an erasure bumps the data version). Part of the
    dashboard's cache keys for quality scores."""
    ensure(wh)  # one round trip: it runs on every /qa request
    return tuple(wh.query(f"SELECT (SELECT count(*) FROM qa_reviews), (SELECT max(reviewed_at) "
                          f"FROM qa_reviews), (SELECT count(*) FROM {EVENTS.name})")[0])


def effective_reviews(wh: Warehouse) -> pd.DataFrame:
    """The rows of :func:`effective_reviews_sql`, ordered by review and criterion."""
    sql = effective_reviews_sql(wh)
    rows = wh.query(f"SELECT {', '.join(_REVIEW_COLUMNS)} FROM {sql} AS q "
                    "ORDER BY review_id, criterion")
    return pd.DataFrame(rows, columns=list(_REVIEW_COLUMNS))


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now


def _fold(events: list[tuple[Any, ...]]) -> Dispute:
    """The state after one dispute's ``events``: its opening and at most one decision."""
    rows = [dict(zip(COLUMNS, e, strict=True)) for e in events]
    opened = next(e for e in rows if e["action"] == "opened")
    state = Dispute(opened["dispute_id"], opened["review_id"], opened["actor"],
                    opened["detail"] or "", opened["criterion"], opened["occurred_at"])
    decision = [e for e in rows if e["action"] != "opened"]
    if not decision:
        return state
    first = decision[0]
    adjusted = {e["criterion"]: float(e["new_score"]) for e in decision
                if e["action"] == "adjusted"}
    return Dispute(state.dispute_id, state.review_id, state.agent, state.reason,
                   state.criterion, state.opened_at, first["action"], first["actor"],
                   first["detail"], first["occurred_at"], adjusted)


def _load(wh: Warehouse, where: str, params: list[Any]) -> list[Dispute]:
    ensure(wh)
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM {EVENTS.name} WHERE {where} "
                    "ORDER BY occurred_at, CASE WHEN action = 'opened' THEN 0 ELSE 1 END",
                    params)
    by_id: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_id.setdefault(row[0], []).append(row)
    return [_fold(events) for _, events in sorted(by_id.items())]


def get(wh: Warehouse, dispute_id: str) -> Dispute:
    """The dispute's current state; NotFound when there is none by that id."""
    found = _load(wh, "dispute_id = ?", [dispute_id])
    if not found:
        raise NotFound(f"no QA dispute {dispute_id!r}",
                       "dispute ids start with dsp_; list them with cxlens.qa.disputes.listing")
    return found[0]


def listing(wh: Warehouse, *, status: str | None = None, agent: str | None = None,
            review_id: str | None = None) -> list[Dispute]:
    """Disputes, optionally only those with a status, by an agent or on a review."""
    if status is not None and status not in STATUSES:
        raise ConfigError(f"unknown dispute status {status!r}.{did_you_mean(status, STATUSES)}",
                          f"statuses: {', '.join(STATUSES)}")
    where, params = "1 = 1", []
    if review_id is not None:
        where, params = "review_id = ?", [review_id]
    found = _load(wh, where, params)
    return [d for d in found if (status is None or d.status == status)
            and (agent is None or d.agent == agent)]


def history(wh: Warehouse, dispute_id: str) -> list[tuple[Any, ...]]:
    """(occurred_at, actor, action, criterion, new_score, detail), oldest first."""
    get(wh, dispute_id)
    return wh.query("SELECT occurred_at, actor, action, criterion, new_score, detail FROM "
                    f"{EVENTS.name} WHERE dispute_id = ? ORDER BY occurred_at, "
                    "CASE WHEN action = 'opened' THEN 0 ELSE 1 END, criterion", [dispute_id])


def _criteria(wh: Warehouse, review_id: str) -> dict[str, tuple[float, float]]:
    """The review's criteria with their scales; NotFound for an unknown review."""
    rows = wh.query("SELECT criterion, COALESCE(min_score, 0), max_score FROM qa_reviews "
                    "WHERE review_id = ?", [review_id])
    if not rows:
        raise NotFound(f"no QA review {review_id!r} in qa_reviews", REVIEW_ID_HINT)
    return {str(c): (float(lo), float(hi)) for c, lo, hi in rows}


def open_dispute(wh: Warehouse, review_id: str, agent: str, reason: str, *,
                 criterion: str | None = None, now: dt.datetime | None = None) -> Dispute:
    """``agent`` contests review ``review_id`` (or one of its criteria) for ``reason``."""
    criteria = _criteria(wh, review_id)
    problems = []
    if not agent.strip():
        problems.append("who disputes is missing")
    if not reason.strip():
        problems.append("the reason is empty")
    if criterion is not None and criterion not in criteria:
        problems.append(f"review {review_id} has no criterion {criterion!r}."
                        f"{did_you_mean(criterion, criteria)}")
    if problems:
        raise ConfigError(f"cannot dispute review {review_id}: " + "; ".join(problems),
                          f"name the agent, say why, and pick a criterion of the review: "
                          f"{', '.join(sorted(criteria))}")
    with wh.transaction():
        earlier = listing(wh, review_id=review_id)
        if earlier:
            d = earlier[0]
            raise ConfigError(
                f"review {review_id} is already disputed ({d.dispute_id}, {d.status})",
                f"ask an arbiter to decide {d.dispute_id}" if d.status == "open" else
                f"the decision on {d.dispute_id} ({d.status} by {d.arbiter}) is final")
        dispute_id = "dsp_" + secrets.token_hex(6)
        wh.insert_rows(EVENTS.name, COLUMNS, [[dispute_id, review_id, _now(now), agent,
                                               "opened", criterion, None, reason]])
    return get(wh, dispute_id)


def decide(wh: Warehouse, dispute_id: str, arbiter: str, decision: str, comment: str, *,
           adjustments: Mapping[str, float] | None = None,
           now: dt.datetime | None = None) -> Dispute:
    """The arbiter's decision on an open dispute: upheld, overturned, or adjusted with
    ``adjustments`` (criterion → new score). Every problem is reported at once."""
    d = get(wh, dispute_id)
    adjustments = dict(adjustments or {})
    criteria = _criteria(wh, d.review_id)
    problems = []
    if d.status != "open":
        problems.append(f"it was already decided: {d.status} by {d.arbiter} on "
                        f"{d.decided_at:%Y-%m-%d %H:%M}")
    if decision not in DECISIONS:
        problems.append(f"unknown decision {decision!r}.{did_you_mean(decision, DECISIONS)}")
    if not arbiter.strip():
        problems.append("the arbiter is missing")
    elif arbiter == d.agent:
        problems.append(f"{arbiter} opened it and cannot decide it")
    if not comment.strip():
        problems.append("the arbiter's comment is empty")
    if decision == "adjusted" and not adjustments:
        problems.append("an adjusted decision needs the new score of at least one criterion")
    if decision in ("upheld", "overturned") and adjustments:
        problems.append(f"new scores only go with an adjusted decision, not {decision}")
    for name, score in adjustments.items():
        if name not in criteria:
            problems.append(f"review {d.review_id} has no criterion {name!r}."
                            f"{did_you_mean(name, criteria)}")
            continue
        lo, hi = criteria[name]
        if not (isinstance(score, numbers.Real) and math.isfinite(score)
                and lo <= float(score) <= hi):
            problems.append(f"the new score of {name} must be within {lo:g}–{hi:g}, got {score}")
    if problems:
        raise ConfigError(f"cannot decide dispute {dispute_id}: " + "; ".join(problems),
                          f"decisions: {', '.join(DECISIONS)}; criteria of review "
                          f"{d.review_id}: {', '.join(sorted(criteria))}")
    at = _now(now)
    if decision == "adjusted":
        rows = [[dispute_id, d.review_id, at, arbiter, decision, name, float(score), comment]
                for name, score in sorted(adjustments.items())]
    else:
        rows = [[dispute_id, d.review_id, at, arbiter, decision, None, None, comment]]
    with wh.transaction():
        if get(wh, dispute_id).status != "open":  # decided meanwhile by someone else
            raise ConfigError(f"cannot decide dispute {dispute_id}: it was decided meanwhile",
                              f"see the decision with cxlens.qa.disputes.get(wh, {dispute_id!r})")
        wh.insert_rows(EVENTS.name, COLUMNS, rows)
    return get(wh, dispute_id)
