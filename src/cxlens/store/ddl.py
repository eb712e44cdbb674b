"""DDL for the canonical and operational tables, per SQL dialect."""

from __future__ import annotations

from cxlens.schema import Table, Type

TYPES: dict[str, dict[Type, str]] = {
    "duckdb": {
        Type.STRING: "VARCHAR",
        Type.INTEGER: "BIGINT",
        Type.FLOAT: "DOUBLE",
        Type.BOOLEAN: "BOOLEAN",
        Type.TIMESTAMP: "TIMESTAMPTZ",
    },
    "postgres": {
        Type.STRING: "TEXT",
        Type.INTEGER: "BIGINT",
        Type.FLOAT: "DOUBLE PRECISION",
        Type.BOOLEAN: "BOOLEAN",
        Type.TIMESTAMP: "TIMESTAMPTZ",
    },
}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_type(dialect: str, type_: Type) -> str:
    return TYPES[dialect][type_]


def create_table(dialect: str, table: Table, *, name: str | None = None,
                 temporary: bool = False, extra: tuple[tuple[str, Type], ...] = ()) -> str:
    """``CREATE TABLE`` for ``table`` (optionally under another name, as a temp staging table
    without constraints and with extra bookkeeping columns)."""
    cols = [
        f"{quote(c.name)} {column_type(dialect, c.type)}"
        + (" NOT NULL" if c.name in table.key and not temporary else "")
        for c in table.columns
    ]
    cols += [f"{quote(n)} {column_type(dialect, t)}" for n, t in extra]
    if table.key and not temporary:
        cols.append(f"PRIMARY KEY ({', '.join(quote(k) for k in table.key)})")
    kind = "TEMPORARY TABLE" if temporary else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {quote(name or table.name)} (\n  " + ",\n  ".join(
        cols
    ) + "\n)"


def add_column(dialect: str, table: str, name: str, type_: Type) -> str:
    return f"ALTER TABLE {quote(table)} ADD COLUMN {quote(name)} {column_type(dialect, type_)}"
