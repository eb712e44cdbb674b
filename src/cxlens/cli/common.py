"""Shared CLI pieces: the console, the --db option, output formats, error handling."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table as RichTable

# Piped output (files, CI logs) gets a wide table instead of Rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="CXLENS_DB", show_envvar=True,
                 help="Warehouse: a DuckDB file path (default ./cxlens.duckdb) or a "
                      "postgresql:// URL."),
]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def emit(frame: pd.DataFrame, fmt: Format, title: str = "") -> None:
    """Print a result as a Rich table, JSON records or CSV."""
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
    elif fmt is Format.csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        table = RichTable(title=title or None, show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*["" if v is None or (isinstance(v, float) and v != v) else str(v)
                            for v in row])
        console.print(table)


def emit_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
