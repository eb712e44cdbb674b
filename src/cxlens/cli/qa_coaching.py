"""cxlens qa coach / coaching: coaching sessions and the QA trend around them (the library
is :mod:`cxlens.qa.coaching`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

import typer

from cxlens.cli.output import Format, console, emit, emit_json
from cxlens.cli.qa import (
    AgentArg,
    Output,
    OutputOption,
    ScorecardsOption,
    _cards,
    _check_agent,
    _minutes,
    _records,
    _shown,
    _when,
    qa_app,
)
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError


# -- coaching -----------------------------------------------------------------------------------
@qa_app.command("coach")
def coach_cmd(
    agent: AgentArg,
    coach: Annotated[str, typer.Option(help="Who coached.")],
    note: Annotated[str, typer.Option(help="What was discussed and agreed.")],
    review: Annotated[list[str] | None, typer.Option(
        "--review", help="A QA review the session was about (repeatable).")] = None,
    at: Annotated[str | None, typer.Option(
        help="When the session took place (ISO 8601; default: now).")] = None,
    db: DbOption = None,
) -> None:
    """Record a coaching session's note for an agent."""
    from cxlens.qa import coaching

    when = _when(at, "--at")
    with open_warehouse(db) as wh:
        _check_agent(wh, agent)
        n = coaching.add_note(wh, agent, coach, note, review or (), now=when)
    console.print(f"recorded {n.session_id} for {agent} ({n.created_at:%Y-%m-%d %H:%M})",
                  highlight=False)


@qa_app.command("coaching")
def coaching_cmd(
    agent: AgentArg,
    window_days: Annotated[int, typer.Option(
        help="Compare the reviews of interactions handled this many days before and after "
             "each session.")] = 30,
    scorecards: ScorecardsOption = None,
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """An agent's coaching notes and, around each session, the mean QA review score before
    and after with n on each side and a Welch t-test p-value (dispute decisions applied)."""
    import pandas as pd

    from cxlens.qa import coaching

    if window_days < 1:
        raise ConfigError(f"--window-days must be at least 1, got {window_days}",
                          "e.g. --window-days 30")
    cards = _cards(scorecards)
    with open_warehouse(db) as wh:
        found = coaching.notes(wh, agent)
        if not found:
            _check_agent(wh, agent)
        trend = coaching.trend_after_coaching(wh, agent, window=dt.timedelta(days=window_days),
                                              score=coaching.zendesk_score(cards))
    notes = pd.DataFrame([dataclasses.asdict(n) for n in found],
                         columns=["session_id", "agent_id", "coach", "note", "review_ids",
                                  "created_at"])
    notes["review_ids"] = notes["review_ids"].map(list)
    if fmt is Output.json:
        emit_json({"agent_id": agent, "window_days": window_days,
                   "notes": _records(notes), "trend": _records(trend)})
        return
    if notes.empty:
        console.print(f"no coaching notes for {agent} yet; add one with: cxlens qa coach "
                      f"{agent} --coach … --note …", highlight=False)
        return
    notes["review_ids"] = notes["review_ids"].map(", ".join)
    emit(_minutes(notes[["session_id", "created_at", "coach", "note", "review_ids"]],
                  "created_at"), Format.table, f"coaching notes of {agent}")
    emit(_minutes(_shown(trend, {"mean_before": 1, "mean_after": 1, "difference": 1,
                                 "p_value": 3}), "created_at"),
         Format.table, f"QA review score (0–100) {window_days} days before and after each "
                       "session (n, Welch p-value)")
