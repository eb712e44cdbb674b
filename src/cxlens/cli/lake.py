"""cxlens export-lake: the warehouse as a Parquet lake, for Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens import store
from cxlens.cli.common import DbOption, console


def register(app: typer.Typer) -> None:
    @app.command("export-lake")
    def export_lake(
        folder: Annotated[Path, typer.Argument(help="Folder to write (one sub-folder per table).")],
        db: DbOption = None,
    ) -> None:
        """Write every table as Parquet; query it with --db spark+lake:///ABSOLUTE/FOLDER."""
        from cxlens.store.lake import export_lake as run

        with store.connect(db) as wh:
            counts = run(wh, folder)
        for name, n in counts.items():
            console.print(f"{name}: {n:,} rows", highlight=False)
        console.print(f"lake written to {folder}; query it with "
                      f"--db spark+lake://{folder.resolve()}", highlight=False)
