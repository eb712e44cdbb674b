"""SQL literals for the few places that must write a value into SQL text instead of binding
it as a parameter: filter expressions (``where`` texts that the metric layer parses, contract
and dashboard scopes, metric parameters such as ``{our_brand}``) and statements that avoid
parameters on purpose.

A name people type (a vendor ``O'Neill BPO``, a brand ``O'Neill``) must reach the database as
that value, never end the string early and never become an identifier (Python's ``repr``
writes ``"O'Neill"``, a column name to SQL). Standard SQL doubles the quote; DuckDB,
PostgreSQL (``standard_conforming_strings``, the default) and the duckdb dialect of sqlglot
read backslashes literally, so nothing else needs escaping."""

from __future__ import annotations

from collections.abc import Mapping


def literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def equals(values: Mapping[str, str]) -> str:
    """``col = 'value' AND ...`` for every column and value ("" when there are none); the
    columns are the program's own names, the values anyone's."""
    return " AND ".join(f"{col} = {literal(val)}" for col, val in values.items())
