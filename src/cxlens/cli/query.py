"""cxlens query: compute metrics, each figure with n, a 95 % interval and a flag."""

from __future__ import annotations

from typing import Annotated

import typer

from cxlens.cli.figures import show_figures
from cxlens.cli.options import GRAINS, FromOption, ParamOption, ToOption, parse_params
from cxlens.cli.output import Format, FormatOption
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("query")
    def query(
        metrics: Annotated[str, typer.Argument(
            help="Metric names, comma-separated; NAME:VARIANT for a variant (cxlens metrics).")],
        by: Annotated[list[str] | None, typer.Option(
            "--by", help="Split by a dimension (repeatable): vendor, site, team, agent_id, "
                         "channel, category, product, segment, region, ...")] = None,
        grain: Annotated[str | None, typer.Option(
            help=f"Period: {', '.join(GRAINS)}.")] = None,
        start: FromOption = None,
        end: ToOption = None,
        where: Annotated[str | None, typer.Option(
            help="SQL filter on the metric's rows, e.g. \"channel = 'chat'\".")] = None,
        param: ParamOption = None,
        rank: Annotated[bool, typer.Option(
            "--rank", help="Rank the --by segments by their empirically-Bayes shrunk figure "
                           "(raw figure and rank shown beside it).")] = False,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Compute metrics with n, a 95 % interval and a flag for every figure."""
        from cxlens.metrics.query import leaderboard
        from cxlens.metrics.query import query as run_query

        run = leaderboard if rank else run_query
        with open_warehouse(db) as wh:
            frame = run(metrics, by=by or (), grain=grain, start=start, end=end, where=where,
                        params=parse_params(param), db=wh)
        show_figures(frame, fmt, ("value", "ci_low", "ci_high", "shrunk", "shrunk_low",
                                  "shrunk_high"))
