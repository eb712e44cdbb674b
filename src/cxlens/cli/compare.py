"""cxlens compare: period-over-period change per segment, tested, with FDR control."""

from __future__ import annotations

from typing import Annotated

import typer

from cxlens.cli.figures import show_figures
from cxlens.cli.options import GRAINS, FromOption, ParamOption, ToOption, parse_params
from cxlens.cli.output import Format, FormatOption
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("compare")
    def compare_cmd(
        metric: Annotated[str, typer.Argument(help="One metric (NAME or NAME:VARIANT).")],
        by: Annotated[list[str] | None, typer.Option("--by", help="Segments (repeatable).")
                      ] = None,
        grain: Annotated[str, typer.Option(help=f"Period: {', '.join(GRAINS)}.")] = "month",
        start: FromOption = None,
        end: ToOption = None,
        where: Annotated[str | None, typer.Option(help="SQL filter on the metric's rows.")
                         ] = None,
        param: ParamOption = None,
        alpha: Annotated[float, typer.Option(
            help="False-discovery rate for 'significant' (Benjamini–Hochberg).")] = 0.05,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Period-over-period change per segment: is it real? (tests + FDR control)."""
        from cxlens.metrics.query import compare

        with open_warehouse(db) as wh:
            frame = compare(metric, by=by or (), grain=grain, start=start, end=end, where=where,
                            params=parse_params(param), db=wh, alpha=alpha)
        show_figures(frame, fmt, ("value", "previous_value"), changes=("change",),
                     plain=("statistic", "p_value", "q_value"),
                     periods=("period", "previous_period"))
