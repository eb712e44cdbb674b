"""cxlens casemix: complexity-adjusted figures per agent and the cherry-picking flag."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cxlens.cli.figures import in_units
from cxlens.cli.options import YearFromOption, check_to
from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse

SHOWN = ["metric", "agent_id", "team", "n", "raw", "team_raw", "expected", "adjusted",
         "adjusted_ci_low", "adjusted_ci_high", "vs_team", "vs_team_ci_low", "vs_team_ci_high",
         "mix_js", "mix_q", "flag"]

# in the metric's unit (6 min 43 s, 82.9 %); the ratios stay plain
FIGURES = ("raw", "team_raw", "expected", "adjusted", "adjusted_ci_low", "adjusted_ci_high")
DIGITS = dict.fromkeys(("vs_team", "vs_team_ci_low", "vs_team_ci_high", "mix_js", "mix_q"), 3) \
    | dict.fromkeys(("raw", "team_raw", "expected", "adjusted", "adjusted_ci_low",
                     "adjusted_ci_high"), 1)


def register(app: typer.Typer) -> None:
    @app.command("casemix")
    def casemix_cmd(
        metric: Annotated[list[str] | None, typer.Option(
            "--metric", help="Figure to adjust (repeatable; default aht and csat).")] = None,
        start: YearFromOption = None,
        end: Annotated[str | None, typer.Option("--to", callback=check_to,
                                                help="Last day, included; default: "
                                                "the latest contact.")] = None,
        vendor: Annotated[str | None, typer.Option(help="Only this vendor's agents.")] = None,
        only_flagged: Annotated[bool, typer.Option(
            "--flagged", help="Only agents flagged for cherry-picking.")] = False,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Complexity-adjusted figures per agent (observed ÷ expected for their case mix,
        with 95 % intervals), each agent against their team on the same contacts, their
        ticket-mix divergence from the team, and the cherry-picking flag: raw figure better
        than the team's only because the tickets are easier."""
        from cxlens.casemix import CHERRY_PICKING, DEFAULT_METRICS, cherry_picking, period
        from cxlens.sqltext import equals

        with open_warehouse(db) as wh:
            first, after = period(wh, start, end)
            where = equals({"vendor": vendor}) if vendor else None
            table = cherry_picking(wh, first, after, where=where,
                                   metrics=tuple(metric or DEFAULT_METRICS))
        if only_flagged:
            table = table[table["flag"] == CHERRY_PICKING]
        shown = table if fmt is not Format.table else in_units(table[SHOWN].round(DIGITS),
                                                               FIGURES)
        emit(shown, fmt, f"case mix {first} – {after - dt.timedelta(days=1)}")
        if fmt is Format.table:
            for note in table.attrs.get("notes", []):
                console.print(f"note: {note}", highlight=False)
