"""cxlens validate: a dry run of an import, writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.import_ import EncodingOption, MappingOption, TimezoneOption, report
from cxlens.cli.warehouse import DbOption, missing_file, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        files: Annotated[list[Path], typer.Argument(help="Files to check.")],
        table: Annotated[str | None, typer.Option(
            "--table", "-t", help="Target table (default: the mapping's table).")] = None,
        mapping: MappingOption = None,
        timezone: TimezoneOption = None,
        encoding: EncodingOption = None,
        db: DbOption = None,
    ) -> None:
        """Dry run of an import: report every problem, write nothing."""
        from cxlens.ingest.pipeline import validate_files

        # no warehouse yet: checked against an empty one in memory
        with open_warehouse(":memory:" if missing_file(db) else db) as wh:
            result = validate_files(wh, table, files, mapping=mapping, timezone=timezone,
                                    encoding=encoding)
        report(result, "checked (nothing written)")
        if result.rejected:
            raise typer.Exit(1)
