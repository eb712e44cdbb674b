"""cxlens tables: what the warehouse holds."""

from __future__ import annotations

import pandas as pd
import typer

from cxlens import store
from cxlens.cli.common import DbOption, Format, FormatOption, console, emit
from cxlens.schema import TABLES
from cxlens.store.ddl import quote
from cxlens.store.migrate import schema_version


def table_summary(wh: store.Warehouse) -> pd.DataFrame:
    rows = []
    for name, table in TABLES.items():
        col = quote(table.time_column)
        n, first, last = wh.query(f"SELECT count(*), min({col}), max({col}) FROM {quote(name)}")[0]
        rows.append({"table": name, "rows": int(n),
                     "from": first.date().isoformat() if first is not None else "",
                     "to": last.date().isoformat() if last is not None else ""})
    return pd.DataFrame(rows)


def register(app: typer.Typer) -> None:
    @app.command("tables")
    def tables(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
        """Row counts and date ranges of the canonical tables."""
        with store.connect(db) as wh:
            frame = table_summary(wh)
            version = schema_version(wh)
        if fmt is Format.table:
            console.print(f"warehouse {wh.url} (schema version {version})", highlight=False)
        emit(frame, fmt, "tables")
