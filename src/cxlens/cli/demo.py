"""cxlens demo: build the synthetic demo operation into the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cxlens.cli.figures import in_units
from cxlens.cli.output import Format, console, emit, emit_rows, err_console
from cxlens.cli.tables import table_summary
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        scale: Annotated[float, typer.Option(
            help="Size multiplier: 1 ≈ 240,000 interactions over 12 months; 42 ≈ 10 M.")] = 1.0,
        seed: Annotated[int, typer.Option(
            help="Random seed; the same seed gives the same data.")] = 7,
        db: DbOption = None,
    ) -> None:
        """Build a realistic demo operation (in-house team plus two BPO vendors) into the warehouse,
        replacing what the canonical tables held. Creates the warehouse if it does not exist."""
        import pandas as pd

        from cxlens.demo import build_demo

        with open_warehouse(db, create=True) as wh:
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=err_console, transient=True)
            with bar:
                task = bar.add_task("demo data", total=None)

                def progress(step: str, done: int, total: int) -> None:
                    bar.update(task, description=step, completed=done, total=total)

                build_demo(wh, scale=scale, seed=seed, progress=progress)
            console.print(f"built the demo warehouse {wh.url}", highlight=False)
            emit_rows(table_summary(wh), Format.table, "tables")
            from cxlens.metrics.catalogue import resolve
            from cxlens.metrics.query import query

            figures = query("csat,fcr,aht,service_level", by=["vendor"], db=wh)
            brand = query("nps:relational", db=wh).assign(vendor="(all customers)")
            figures = pd.concat([brand, figures], ignore_index=True)
            figures = figures[["vendor", "metric", "value", "n", "ci_low", "ci_high", "flag"]]
            figures = in_units(figures, ("value", "ci_low", "ci_high"))
            figures["n"] = [f"{int(v):,}" for v in figures["n"]]
            figures["metric"] = [resolve(m).label for m in figures["metric"]]
            emit(figures, Format.table, "headline figures by vendor (try: cxlens query --help)")
