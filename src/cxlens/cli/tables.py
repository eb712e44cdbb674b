"""cxlens tables: what the warehouse holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from cxlens.cli.output import Format, FormatOption, console, emit_rows
from cxlens.cli.warehouse import DbOption, open_warehouse

if TYPE_CHECKING:
    from cxlens.store.base import Warehouse


def table_summary(wh: Warehouse) -> list[dict[str, Any]]:
    """Rows, first and last day of each canonical table."""
    from cxlens.schema import TABLES
    from cxlens.store.ddl import quote

    rows = []
    for name, table in TABLES.items():
        col = quote(table.time_column)
        n, first, last = wh.query(f"SELECT count(*), min({col}), max({col}) FROM {quote(name)}")[0]
        rows.append({"table": name, "rows": int(n),
                     "from": first.date().isoformat() if first is not None else "",
                     "to": last.date().isoformat() if last is not None else ""})
    return rows


def register(app: typer.Typer) -> None:
    @app.command("tables")
    def tables(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
        """Row counts and date ranges of the canonical tables."""
        from cxlens.store.migrate import schema_version

        with open_warehouse(db) as wh:
            rows = table_summary(wh)
            version = schema_version(wh)
        if fmt is Format.table:
            console.print(f"warehouse {wh.url} (schema version {version})", highlight=False)
        emit_rows(rows, fmt, "tables")
