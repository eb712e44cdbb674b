"""cxlens backup: the whole warehouse as one folder that restores into either engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import console
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup(
        path: Annotated[Path, typer.Argument(
            help="Folder to create (must not exist): manifest.json and one Parquet file per "
                 "table.")],
        db: DbOption = None,
    ) -> None:
        """Back up every table of the warehouse (DuckDB or Postgres) from one consistent
        snapshot; safe while the server runs on Postgres. Restore with cxlens restore."""
        from cxlens.store.backup import backup as run

        with open_warehouse(db) as wh:
            copies = run(wh, path)
            url = wh.url
        total = sum(c.rows for c in copies)
        console.print(f"backed up {len(copies)} tables ({total:,} rows) from {url} to {path} "
                      f"(restore: cxlens restore {path} --db NEW_WAREHOUSE)", highlight=False)
