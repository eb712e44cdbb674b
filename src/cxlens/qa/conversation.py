"""The conversation a QA reviewer scores, as the data model holds it: the interaction's facts
(channel, category, who handled it, handle time, resolution and reopens, the escalation and its
summary), a timeline of what happened when — created, answered, first reply, escalated,
accepted, resolved, closed — with the customer's survey answers about it, the transcript when
one was imported (``transcript_turns``, issue 19) and AutoQA's results on it (the machine's,
labelled as such on the form: :mod:`cxlens.qa.machine`).

A reviewer cannot judge tone or policy handling from an interaction id: these are what the
review form shows beside the scorecard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cxlens.store.base import Warehouse

#: interactions column → what its time marks on the timeline, in the order of a contact.
MOMENTS = (
    ("created_at", "contact created"),
    ("answered_at", "answered by an agent"),
    ("abandoned_at", "abandoned before an answer"),
    ("first_response_at", "first reply by an agent"),
    ("escalated_at", "escalated"),
    ("escalation_accepted_at", "escalation accepted"),
    ("resolved_at", "resolved"),
    ("closed_at", "closed"),
)
FACTS = ("channel", "category", "vendor", "team", "agent_id", "priority", "resolved",
         "reopen_count", "agent_replies", "talk_seconds", "hold_seconds", "wrap_seconds",
         "escalated", "escalation_tier", "escalation_summary")


@dataclass(frozen=True)
class Event:
    """One moment of the timeline: when, what, and any text (a survey comment)."""

    at: dt.datetime
    what: str
    text: str = ""


@dataclass(frozen=True)
class Turn:
    """One turn of the transcript: its position, who spoke, the seconds from the first turn
    (from ``offset_seconds``, else from ``spoken_at``; None when neither is known), the text."""

    turn: int
    speaker: str
    offset: float | None
    text: str


@dataclass(frozen=True)
class Check:
    """One AutoQA result on the conversation (the machine's, not a person's)."""

    check: str
    result: str
    evidence: str


@dataclass(frozen=True)
class Conversation:
    facts: dict[str, Any]
    timeline: list[Event] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def handle_seconds(self) -> float | None:
        """Talk + hold + wrap (None when none of them is known)."""
        parts = [self.facts.get(k) for k in ("talk_seconds", "hold_seconds", "wrap_seconds")]
        known = [float(p) for p in parts if p is not None]
        return sum(known) if known else None

    @property
    def answers(self) -> list[Event]:
        return [e for e in self.timeline if e.what.startswith("survey")]


def of(wh: Warehouse, interaction_id: str) -> Conversation | None:
    """The interaction's conversation, or None when there is no such interaction."""
    columns = (*FACTS, *(c for c, _ in MOMENTS))
    rows = wh.query(f"SELECT {', '.join(columns)} FROM interactions WHERE interaction_id = ?",
                    [interaction_id])
    if not rows:
        return None
    values = dict(zip(columns, rows[0], strict=True))
    events = [Event(values[c], _moment(c, what, values)) for c, what in MOMENTS
              if values[c] is not None]
    for survey, score, low, high, comment, at in wh.query(
            "SELECT survey, score, scale_min, scale_max, comment, responded_at "
            "FROM survey_responses WHERE interaction_id = ? ORDER BY responded_at, response_id",
            [interaction_id]):
        scale = f" (scale {low}–{high})" if low is not None and high is not None else ""
        events.append(Event(at, f"survey {survey}: {score}{scale}", str(comment or "")))
    events.sort(key=lambda e: e.at)
    return Conversation({k: values[k] for k in FACTS}, events, _turns(wh, interaction_id),
                        [Check(str(c), str(r), str(e or "")) for c, r, e in wh.query(
                            "SELECT check_id, result, evidence FROM cxlens_autoqa_results "
                            "WHERE interaction_id = ? ORDER BY check_id", [interaction_id])])


def _turns(wh: Warehouse, interaction_id: str) -> list[Turn]:
    rows = wh.query("SELECT turn, speaker, spoken_at, offset_seconds, text FROM "
                    "transcript_turns WHERE interaction_id = ? ORDER BY turn", [interaction_id])
    times = [at for _, _, at, _, _ in rows if at is not None]
    first = min(times) if times else None
    return [Turn(int(n), str(who), float(off) if off is not None else
                 (at - first).total_seconds() if at is not None and first is not None else None,
                 str(text or "")) for n, who, at, off, text in rows]


def _moment(column: str, what: str, values: dict[str, Any]) -> str:
    if column == "escalated_at" and values["escalation_tier"] is not None:
        return f"{what} to tier {values['escalation_tier']}"
    return what
