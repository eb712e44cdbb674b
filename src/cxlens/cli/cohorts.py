"""cxlens cohorts: relational NPS by support history."""

from __future__ import annotations

from typing import Annotated

import typer

from cxlens.cli.figures import in_units
from cxlens.cli.options import check_from, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_result
from cxlens.cli.warehouse import DbOption, open_warehouse

COHORTS_SHOWN = ["cohort", "n", "nps", "nps_ci_low", "nps_ci_high", "gap", "gap_ci_low",
                 "gap_ci_high", "gap_p", "gap_q", "flag"]


def register(app: typer.Typer) -> None:
    @app.command("cohorts")
    def cohorts_cmd(
        window_days: Annotated[int, typer.Option(
            help="Support history: this many days before each answer.")] = 90,
        start: Annotated[str | None, typer.Option(
            "--from", help="First answer day (YYYY-MM-DD); default: the first contact plus "
                           "the window.", callback=check_from)] = None,
        end: Annotated[str | None, typer.Option(
            "--to", help="Last answer day, included; default: the latest answer.",
            callback=check_to)] = None,
        reference: Annotated[str, typer.Option(
            help="Cohort the gaps are measured against.")] = "unresolved_escalation",
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Relational NPS by support history in the window before answering: unresolved
        escalation, reopened, other contact, resolved first time, no contact (worst first:
        a customer in several goes to the first), plus zero_reopens; each with n and 95 %
        interval, and its gap in points to the reference cohort with interval and test."""
        from cxlens.insights.cohorts import as_json, cohort_nps, headline

        with open_warehouse(db) as wh:
            table = cohort_nps(wh, start, end, window_days=window_days, reference=reference)

        def tables() -> None:
            shown = in_units(table[COHORTS_SHOWN].round(
                {c: 4 for c in COHORTS_SHOWN if c.endswith(("_p", "_q"))}),
                ("nps", "nps_ci_low", "nps_ci_high", "gap", "gap_ci_low", "gap_ci_high"),
                unit="points")
            emit(shown, fmt, f"relational NPS by support history, answers "
                             f"{table.attrs['from']} – {table.attrs['to']}, "
                             f"{table.attrs['window_days']}-day window")
            console.print(headline(table), highlight=False)

        emit_result(fmt, as_json=lambda: as_json(table), as_csv=lambda: table, as_table=tables)
