"""cxlens qa dispute: an agent contests a review before an arbiter (the library is
:mod:`cxlens.qa.disputes`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.output import Format, FormatOption, console, emit, emit_json, err_console
from cxlens.cli.qa import (
    Output,
    OutputOption,
    _minutes,
    _numbers,
    _pairs,
    _records,
    dispute_app,
)
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import NotFound, did_you_mean

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
