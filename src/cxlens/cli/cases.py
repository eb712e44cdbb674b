"""cxlens cases: closed-loop follow-up cases (list, update)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError, did_you_mean

cases_app = typer.Typer(help="Closed-loop follow-up cases: list, update.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")


# The statuses of cxlens.schema.CASE_STATUSES, repeated so that `cxlens --help` need not import
# the schema (a test checks they agree), and "overdue": open past its due time.
STATUSES = ("open", "contacted", "resolved", "unreachable")
OVERDUE = "overdue"


def _status(value: str | None) -> str | None:
    if value is None or value in (*STATUSES, OVERDUE):
        return value
    raise ConfigError(f"--status {value!r} is not a case status.{did_you_mean(value, STATUSES)}",
                      f"use one of: {', '.join((*STATUSES, OVERDUE))} (overdue: open past its "
                      "due time)")


@cases_app.command("list")
def list_cases(
    status: Annotated[str | None, typer.Option(
        help=f"{', '.join(STATUSES)}, or {OVERDUE} (open past its due time).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's cases.")] = None,
    vendor: Annotated[str | None, typer.Option(help="Only this vendor's cases.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many cases.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    fmt: FormatOption = Format.table, db: DbOption = None,
) -> None:
    """Follow-up cases, open ones first by due time, a page at a time (--limit, --offset)."""
    import pandas as pd

    from cxlens.loop import cases

    wanted = _status(status)
    overdue = wanted == OVERDUE
    due_before = dt.datetime.now(dt.UTC) if overdue else None
    status = "open" if overdue else wanted
    with open_warehouse(db) as wh:
        cases.ensure(wh)
        rows = cases.listing(wh, vendor=vendor, owner=owner, status=status,
                             due_before=due_before, limit=limit, offset=offset)
        total = cases.count(wh, vendor=vendor, owner=owner, status=status,
                            due_before=due_before)
    cols = ["case_id", "survey", "score", "vendor", "team", "owner", "status", "opened_at",
            "due_at", "root_cause"]
    emit(pd.DataFrame(rows, columns=list(cases.COLUMNS))[cols], fmt,
         f"cases {offset + 1:,}–{offset + len(rows):,} of {total:,}" if rows else "cases")
    rest = total - offset - len(rows)
    if fmt is Format.table and rest > 0:
        console.print(f"{rest:,} more — use --limit {limit} --offset {offset + limit} for the "
                      "next page, or a larger --limit", highlight=False)


@cases_app.command("update")
def update(case_id: Annotated[str, typer.Argument()],
           status: Annotated[str | None, typer.Option()] = None,
           root_cause: Annotated[str | None, typer.Option()] = None,
           note: Annotated[str | None, typer.Option()] = None,
           outcome: Annotated[str | None, typer.Option()] = None,
           by: Annotated[str, typer.Option(help="Who does it (for the history).")] = "cli",
           db: DbOption = None) -> None:
    """Move a case along (contacted, resolved, unreachable; root cause, note, outcome)."""
    from cxlens.loop import cases
    from cxlens.surveys.config import current

    with open_warehouse(db) as wh:
        cases.ensure(wh)
        case = cases.update(wh, current(wh), case_id, by, dt.datetime.now(dt.UTC),
                            status=status, root_cause=root_cause, note=note, outcome=outcome)
    console.print(f"{case_id}: {case['status']}", highlight=False)
