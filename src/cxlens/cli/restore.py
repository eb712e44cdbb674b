"""cxlens restore: a backup folder into a new (or, when told, a replaced) warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import console
from cxlens.cli.warehouse import DbOption, missing_file, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("restore")
    def restore(
        path: Annotated[Path, typer.Argument(help="Backup folder written by cxlens backup.")],
        replace: Annotated[bool, typer.Option(
            "--replace", help="Delete what the warehouse holds and put the backup in its "
                              "place (in one transaction). Without it a warehouse holding "
                              "data is refused.")] = False,
        db: DbOption = None,
    ) -> None:
        """Restore a backup into the warehouse: every table or, on any error, nothing. The
        checksums are verified first; a backup from DuckDB restores into Postgres and back.
        Creates the DuckDB file if it does not exist."""
        from cxlens.store.backup import read_manifest
        from cxlens.store.backup import restore as run

        read_manifest(path)  # a damaged backup is refused before a new file is made
        created = missing_file(db)
        try:
            with open_warehouse(db, create=True) as wh:
                copies = run(wh, path, replace=replace)
                url = wh.url
        except BaseException:
            if created is not None:  # nothing of a failed restore stays behind
                for leftover in (created, created.with_name(created.name + ".wal")):
                    leftover.unlink(missing_ok=True)
            raise
        total = sum(c.rows for c in copies)
        console.print(f"restored {len(copies)} tables ({total:,} rows) from {path} into {url}",
                      highlight=False)
