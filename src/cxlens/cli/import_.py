"""cxlens import: files into a canonical table, validated, bad rows quarantined.
(The module is named import_ because import is a keyword.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from cxlens.cli.output import console, err_console
from cxlens.cli.warehouse import DbOption, handing_off, open_warehouse

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


EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding",
                 help="Text encoding of CSV/JSON files (default UTF-8), e.g. cp1252."),
]


def report(result: ImportResult, verb: str) -> None:
    """What an import or a dry run did, and every problem with where and how to fix it."""
    console.print(
        f"[bold]{verb}[/] {result.table}: {result.rows_read:,} row(s) read, "
        f"{result.inserted:,} inserted, {result.updated:,} updated, "
        f"{result.rejected:,} quarantined, {result.flagged:,} flagged"
        + (f", {result.skipped:,} skipped by the mapping" if result.skipped else "")
        + (f"; {result.problem_count:,} problem(s) in "
           f"{result.rejected + result.flagged:,} row(s)" if result.problem_count else "")
        + " "
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
        from cxlens.errors import ConfigError
        from cxlens.ingest.pipeline import import_files

        try:
            wh = open_warehouse(db, create=True)
        except ConfigError as exc:  # held by a running server: hand the import to it
            result = _hand_off(db, exc, table, files, mapping, timezone, strict, encoding)
            report(result, "imported")
            return
        with wh:
            bar, update = _progress()
            with bar:
                result = import_files(wh, table, files, mapping=mapping, timezone=timezone,
                                      strict=strict, encoding=encoding,
                                      progress=update)  # type: ignore[arg-type]
            report(result, "imported")


def _hand_off(db: str | None, refused: Exception, table: str, files: list[Path],
              mapping: str | None, timezone: str | None, strict: bool,
              encoding: str | None) -> ImportResult:
    """Send the import to the ``cxlens serve`` that holds the DuckDB file (cxlens.handoff);
    re-raise ``refused`` when no server published a hand-off. The mapping is read here first,
    so a wrong one fails exactly as it does locally."""
    from cxlens import handoff, store
    from cxlens.ingest.mapping import load_mapping
    from cxlens.ingest.wire import result_from_json

    server = handoff.for_held(store.duckdb_path(db or store.default_url()), refused)
    if server is None:
        raise refused
    paths = [Path(f).expanduser().resolve() for f in files]
    fields = [("table", table), ("timezone", timezone or ""), ("encoding", encoding or ""),
              ("strict", "1" if strict else "")]
    if mapping:
        load_mapping(mapping)
        given = Path(mapping)
        if given.is_file():
            fields += [("mapping_text", given.read_text(encoding="utf-8")),
                       ("mapping_name", mapping)]
        else:
            fields.append(("mapping", mapping))  # a preset: the server has the same ones
    fields += [("source", str(p)) for p in paths]
    fields += [("absent", str(p)) for p in paths if not p.is_file()]
    handing_off(server, "import")
    doc = handoff.call(server, "/api/imports", fields, paths)
    return result_from_json(doc["result"])
