"""cxlens qa dispute … and cxlens qa coach / coaching: what happens to an agent after a
review — contesting it before an arbiter, and coaching with the QA trend around it (the
library is :mod:`cxlens.qa.disputes` and :mod:`cxlens.qa.coaching`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.output import Format, FormatOption, console, emit, emit_json, err_console
from cxlens.cli.qa import (
    AgentArg,
    Output,
    OutputOption,
    ScorecardsOption,
    _cards,
    _check_agent,
    _minutes,
    _numbers,
    _pairs,
    _records,
    _shown,
    _when,
    dispute_app,
    qa_app,
)
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError, NotFound, did_you_mean

if TYPE_CHECKING:
    from cxlens.qa.disputes import Dispute
    from cxlens.store.base import Warehouse


# -- disputes -----------------------------------------------------------------------------------
def _dispute(wh: Warehouse, dispute_id: str) -> Dispute:
    from cxlens.qa import disputes

    try:
        return disputes.get(wh, dispute_id)
    except NotFound:
        ids = [d.dispute_id for d in disputes.listing(wh)]
        raise NotFound(f"no QA dispute {dispute_id!r}.{did_you_mean(dispute_id, ids)}",
                       "list them with: cxlens qa dispute list") from None


def _as_dict(d: Dispute) -> dict[str, Any]:
    out = dataclasses.asdict(d)
    out["adjustments"] = dict(d.adjustments)
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in out.items()}


def _say(d: Dispute, fmt: Output, what: str) -> None:
    if fmt is Output.json:
        emit_json(_as_dict(d))
        return
    console.print(what, highlight=False, soft_wrap=True)


@dispute_app.command("open")
def dispute_open(
    review_id: Annotated[str, typer.Argument(help="The review contested (qa_reviews.review_id).")],
    agent: Annotated[str, typer.Option(help="Who disputes it (the agent reviewed).")],
    reason: Annotated[str, typer.Option(help="Why.")],
    criterion: Annotated[str | None, typer.Option(help="The criterion contested, if one.")]
    = None,
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """Open a dispute on a review (a review can be disputed once)."""
    from cxlens.qa import disputes

    with open_warehouse(db) as wh:
        d = disputes.open_dispute(wh, review_id, agent, reason, criterion=criterion)
    _say(d, fmt, f"opened {d.dispute_id} on review {d.review_id}"
                 f"{f' ({d.criterion})' if d.criterion else ''}; decide it with: "
                 f"cxlens qa dispute decide {d.dispute_id} --arbiter … --decision … "
                 "--comment …")


@dispute_app.command("decide")
def dispute_decide(
    dispute_id: Annotated[str, typer.Argument(help="The dispute (dsp_…).")],
    arbiter: Annotated[str, typer.Option(help="Who decides (not the agent who disputed).")],
    decision: Annotated[str, typer.Option(
        help="upheld (the review stands), overturned (the review is void) or adjusted "
             "(new scores, with --adjust).")],
    comment: Annotated[str, typer.Option(help="The arbiter's reasons.")],
    adjust: Annotated[list[str] | None, typer.Option(
        "--adjust", help="CRITERION=SCORE (repeatable): the new score of a criterion, on its "
                         "own scale (adjusted only).")] = None,
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """Decide an open dispute, once and for all; scores use the decision from then on."""
    from cxlens.qa import disputes

    adjustments = _numbers(_pairs(adjust, "--adjust", "tone=4"), "--adjust")
    with open_warehouse(db) as wh:
        _dispute(wh, dispute_id)
        d = disputes.decide(wh, dispute_id, arbiter, decision, comment, adjustments=adjustments)
    changed = "".join(f", {k} → {v:g}" for k, v in sorted(d.adjustments.items()))
    _say(d, fmt, f"{d.dispute_id}: {d.status} by {d.arbiter}{changed}")


@dispute_app.command("list")
def dispute_list(
    status: Annotated[str | None, typer.Option(help="open, upheld, overturned or adjusted.")]
    = None,
    agent: Annotated[str | None, typer.Option(help="Only this agent's disputes.")] = None,
    review: Annotated[str | None, typer.Option(help="Only the dispute on this review.")]
    = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Disputes, oldest first."""
    import pandas as pd

    from cxlens.qa import disputes

    with open_warehouse(db) as wh:
        found = sorted(disputes.listing(wh, status=status, agent=agent, review_id=review),
                       key=lambda d: (d.opened_at, d.dispute_id))
        everyone = {d.agent for d in disputes.listing(wh)} if agent and not found else set()
    cols = ["dispute_id", "review_id", "criterion", "agent", "reason", "opened_at", "status",
            "arbiter", "comment", "decided_at", "adjustments"]
    frame = pd.DataFrame([_as_dict(d) for d in found], columns=cols)
    frame["adjustments"] = frame["adjustments"].map(
        lambda a: ", ".join(f"{k}={v:g}" for k, v in sorted(a.items())) if a else "")
    if fmt is Format.table:
        frame = _minutes(frame, "opened_at", "decided_at")
    emit(frame, fmt, f"{len(frame)} dispute(s)")
    if agent and not found and agent not in everyone:
        err_console.print(f"no disputes by {agent!r}.{did_you_mean(agent, everyone)}",
                          highlight=False)


@dispute_app.command("show")
def dispute_show(
    dispute_id: Annotated[str, typer.Argument(help="The dispute (dsp_…).")],
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """A dispute's state and its history (opened, then the decision)."""
    import pandas as pd

    from cxlens.qa import disputes

    with open_warehouse(db) as wh:
        d = _dispute(wh, dispute_id)
        events = pd.DataFrame(disputes.history(wh, dispute_id),
                              columns=["occurred_at", "actor", "action", "criterion",
                                       "new_score", "detail"])
    if fmt is Output.json:
        emit_json({**_as_dict(d), "history": _records(events)})
        return
    console.print(f"{d.dispute_id} on review {d.review_id}"
                  f"{f' ({d.criterion})' if d.criterion else ''}: {d.status}"
                  f"{f' by {d.arbiter}' if d.arbiter else ''}", highlight=False)
    emit(_minutes(events, "occurred_at"), Format.table, "history")


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
