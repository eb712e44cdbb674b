"""cxlens quarantine: the rows an import rejected or flagged, with why."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse


class Status(StrEnum):
    rejected = "rejected"
    flagged = "flagged"
    skipped = "skipped"


def register(app: typer.Typer) -> None:
    @app.command("quarantine")
    def quarantine(
        table: Annotated[str | None, typer.Option("--table", "-t", help="Only this table.")] = None,
        status: Annotated[Status, typer.Option(
            "--status", help="rejected: not loaded; flagged: loaded with a warning; "
                             "skipped: left out by a mapping rule.")] = Status.rejected,
        limit: Annotated[int, typer.Option(help="At most this many rows (0 = all).")] = 100,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """List quarantined rows with their reasons and source location."""
        from cxlens.ingest.quarantine import list_quarantine

        with open_warehouse(db) as wh:
            frame = list_quarantine(wh, table=table, status=status.value, limit=limit or None)
        if fmt is not Format.table:
            emit(frame, fmt)
            return
        what = status.value
        console.print(f"{len(frame)} {what} row(s)" + (" (newest first; --limit 0 for all)"
                      if limit and len(frame) == limit else ""), highlight=False)
        for row in frame.itertuples(index=False):
            console.print(f"[bold]{Path(str(row.source_file)).name}[/] row {row.source_row} "
                          f"→ {row.table_name} ({row.rules})", highlight=False)
            for reason in str(row.reason).splitlines():
                console.print(f"    {reason}", highlight=False, soft_wrap=True)
