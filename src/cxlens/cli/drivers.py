"""cxlens drivers: key-driver analysis of CSAT or NPS (Johnson's relative weights)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cxlens.cli.options import YearFromOption, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("drivers")
    def drivers_cmd(
        outcome: Annotated[str, typer.Argument(help="csat (transactional answers and the "
                                               "contact they rate) or nps (relational answers "
                                               "and the customer's last contact in 90 days).")],
        by: Annotated[str | None, typer.Option(
            "--by", help="Drivers per segment of this interaction attribute, e.g. vendor.")]
        = None,
        start: YearFromOption = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, included; default: "
                                                "the latest contact.",
                                                callback=check_to)] = None,
        resamples: Annotated[int, typer.Option(
            help="Bootstrap resamples for the 95 % intervals (0: none).")] = 200,
        min_sample: Annotated[int, typer.Option(
            help="Segments with fewer answers are flagged.")] = 200,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Which factors explain CSAT or NPS: Johnson's relative weights (summing to R²)
        of FCR, wait, reopens, escalation, AHT, CES, channel and category, with bootstrap
        intervals, the direction of each effect, and an importance × performance quadrant
        ("fix first": important and below the median performance)."""
        from cxlens.casemix import period
        from cxlens.insights.drivers import drivers, outcome_metric
        from cxlens.present.charts import quadrant_chart

        outcome_metric(outcome)  # a typo fails before the warehouse is read
        with open_warehouse(db) as wh:
            first, after = period(wh, start, end)
            table = drivers(wh, outcome, first, after, by=by, resamples=resamples,
                            min_sample=min_sample)
        last = after - dt.timedelta(days=1)
        if fmt is Format.json:
            from cxlens.cli.output import json_records as records

            emit_json({"outcome": outcome, "from": str(first), "to": str(last), "by": by,
                       "resamples": resamples, "drivers": records(table),
                       "chart": quadrant_chart(table)})
            return
        if fmt is Format.csv:
            emit(table, fmt)
            return
        from cxlens.reports.insights import drivers_table

        for segment, part in table.groupby("segment", sort=False):
            head = part.iloc[0]
            r2 = (f"R² {head['r2']:.3f} (95 % {head['r2_ci_low']:.3f}–{head['r2_ci_high']:.3f})"
                  if head["r2"] == head["r2"] else "R² –")
            emit(drivers_table(part), fmt,
                 f"{outcome} drivers, {segment}, {first} – {last}: {r2}, n {int(head['n']):,}")
        console.print("weight: share of R² explained (factors of several columns summed); "
                      "beta: standardised coefficient; effect: outcome (0–100) with − without",
                      highlight=False)
