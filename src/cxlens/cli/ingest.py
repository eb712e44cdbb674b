"""cxlens import / validate / quarantine / presets."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from cxlens.cli.output import Format, FormatOption, console, emit, err_console
from cxlens.cli.warehouse import DbOption, missing_file, open_warehouse

if TYPE_CHECKING:
    from cxlens.ingest.pipeline import ImportResult

MappingOption = Annotated[
    str | None,
    typer.Option("--mapping", "-m", help="Mapping YAML file, or a preset name (cxlens presets)."),
]
TimezoneOption = Annotated[
    str | None,
    typer.Option("--timezone", "--tz",
                 help="Zone of timestamps that carry no offset (default UTC), e.g. Europe/London."),
]

class Status(StrEnum):
    rejected = "rejected"
    flagged = "flagged"
    skipped = "skipped"


EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding",
                 help="Text encoding of CSV/JSON files (default UTF-8), e.g. cp1252."),
]


def _report(result: ImportResult, verb: str) -> None:
    console.print(
        f"[bold]{verb}[/] {result.table}: {result.rows_read:,} row(s) read, "
        f"{result.inserted:,} inserted, {result.updated:,} updated, "
        f"{result.rejected:,} quarantined, {result.flagged:,} flagged"
        + (f", {result.skipped:,} skipped by the mapping" if result.skipped else "") + " "
        f"({result.seconds:.1f} s)", highlight=False)
    for line in result.summary():
        console.print(line, highlight=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False, soft_wrap=True)


def _progress() -> tuple[Progress, object]:
    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                   TimeRemainingColumn(), console=err_console, transient=True)
    tasks: dict[str, int] = {}

    def update(file: str, done: int, total: int) -> None:
        if file not in tasks:
            tasks[file] = bar.add_task(Path(file).name, total=total or None)
        bar.update(tasks[file], completed=done)  # type: ignore[arg-type]

    return bar, update


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        table: Annotated[str, typer.Argument(help="Canonical table, e.g. interactions.")],
        files: Annotated[list[Path], typer.Argument(help="CSV/TSV, Parquet, JSON, JSONL, XLSX.")],
        mapping: MappingOption = None,
        timezone: TimezoneOption = None,
        strict: Annotated[bool, typer.Option(
            "--strict",
            help="Refuse the whole import if any row has a problem or warning.")] = False,
        encoding: EncodingOption = None,
        db: DbOption = None,
    ) -> None:
        """Import files into a table: validate, quarantine bad rows, upsert the rest atomically.
        Creates the warehouse if it does not exist."""
        from cxlens.ingest.pipeline import import_files

        with open_warehouse(db, create=True) as wh:
            bar, update = _progress()
            with bar:
                result = import_files(wh, table, files, mapping=mapping, timezone=timezone,
                                      strict=strict, encoding=encoding,
                                      progress=update)  # type: ignore[arg-type]
            _report(result, "imported")

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
        _report(result, "checked (nothing written)")
        if result.rejected:
            raise typer.Exit(1)

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

    @app.command("presets")
    def presets(fmt: FormatOption = Format.table) -> None:
        """List the built-in import presets (helpdesk and ACD exports)."""
        import pandas as pd

        from cxlens.ingest.mapping import load_mapping, preset_names

        rows = []
        for name in preset_names():
            m = load_mapping(name)
            rows.append({"preset": name, "table": m.table, "sample": m.sample or "",
                         "description": m.description})
        emit(pd.DataFrame(rows), fmt, "presets")
