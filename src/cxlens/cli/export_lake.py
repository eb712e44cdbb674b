"""cxlens export-lake: the warehouse as a Parquet lake, for Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import console
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("export-lake")
    def export_lake(
        folder: Annotated[Path, typer.Argument(help="Folder to write (one sub-folder per table).")],
        db: DbOption = None,
    ) -> None:
        """Write every table as Parquet; query it with --db spark+lake:///ABSOLUTE/FOLDER."""
        from cxlens.store.lake import export_lake as run

        with open_warehouse(db) as wh:
            counts = run(wh, folder)
        for name, n in counts.items():
            console.print(f"{name}: {n:,} rows", highlight=False)
        console.print(f"lake written to {folder}; query it with "
                      f"--db spark+lake://{folder.resolve()}", highlight=False)
