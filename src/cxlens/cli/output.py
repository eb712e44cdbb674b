"""One way to print results: a Rich table, JSON records or CSV (``--format``), and the consoles
(results on stdout, errors and progress on stderr). pandas is not imported here: a command
that prints a frame has already built it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cxlens.format import row_cells

if TYPE_CHECKING:
    import pandas as pd

# Piped output (files, CI logs) gets a wide table instead of Rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _csv_cell(value: object) -> object:
    """A record's value for CSV: missing as empty, numbers as numbers (not neutralised)."""
    return "" if value is None or (isinstance(value, float) and value != value) else value


def emit(frame: pd.DataFrame, fmt: Format, title: str = "") -> None:
    """Print a result as a Rich table, JSON records or CSV."""
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
    elif fmt is Format.csv:
        from cxlens.csvsafe import frame_csv

        sys.stdout.write(frame_csv(frame))
    else:
        _print_table(title, [str(c) for c in frame.columns],
                     row_cells(frame.itertuples(index=False)))


def emit_rows(rows: list[dict[str, Any]], fmt: Format, title: str = "") -> None:
    """Print plain records (str, int, float, None) as ``emit`` prints a frame, without pandas:
    listings that compute nothing (tables, metrics) start in a fraction of a second."""
    columns = list(rows[0]) if rows else []
    if fmt is Format.json:
        emit_json(rows)
    elif fmt is Format.csv:
        from cxlens.csvsafe import rows_csv

        sys.stdout.write(rows_csv([columns, *([_csv_cell(row.get(c)) for c in columns]
                                              for row in rows)]))
    else:
        _print_table(title, columns, row_cells([row.get(c) for c in columns] for row in rows))


def _print_table(title: str, columns: list[str], cells: Iterable[list[str]]) -> None:
    """The one Rich table of ``emit`` and ``emit_rows``."""
    table = RichTable(title=title or None, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)


def emit_result(fmt: Format, *, as_json: Callable[[], object],
                as_csv: Callable[[], pd.DataFrame], as_table: Callable[[], None]) -> None:
    """The one ``--format`` switch of a result that has its own JSON document, CSV rows and
    tables (only the chosen one is built)."""
    if fmt is Format.json:
        emit_json(as_json())
    elif fmt is Format.csv:
        emit(as_csv(), fmt)
    else:
        as_table()


def emit_json(obj: object) -> None:
    """Print any JSON-able object (dates and other values as strings)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-able records (dates as ISO text, missing values as null)."""
    from cxlens.jsonable import records

    return records(frame)
