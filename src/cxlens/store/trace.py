"""Which tables a piece of work reads and writes, from the SQL it runs: the check behind the
tables each page and shared result declares (a page cached per version of those tables only
would show stale figures if it read one more, silently), and behind the tables a data-version
bump names.

``recording(wh)`` gives a warehouse on the same DuckDB connection that keeps every statement
it runs (its own methods, and ibis's compiled queries on it through ibis's verbose log) while
the block runs; ``tables_in`` names the tables a statement reads and writes (sqlglot's parse,
CTE names left out). It is for tests and measurements: it records, it changes nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from cxlens.store.base import Params
from cxlens.store.duck import DuckDBWarehouse


@dataclass
class Statements:
    """The statements run while recording, in order."""

    sql: list[str] = field(default_factory=list)

    def read(self) -> set[str]:
        """Every table the statements name (read or written)."""
        return {t for s in self.sql for t in tables_in(s)[0]}

    def written(self) -> set[str]:
        """The tables the statements insert into, update, delete from or create."""
        return {t for s in self.sql for t in tables_in(s)[1]}


class RecordingWarehouse(DuckDBWarehouse):
    """A DuckDB warehouse on another's connection that keeps the SQL of each statement."""

    def __init__(self, wh: DuckDBWarehouse, into: Statements) -> None:
        super().__init__(wh.path, con=wh.con)
        self.into = into

    def execute(self, sql: str, params: Params = ()) -> None:
        self.into.sql.append(sql)
        super().execute(sql, params)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        self.into.sql.append(sql)
        return super().query(sql, params)

    def query_df(self, sql: str, params: Params = ()) -> Any:
        self.into.sql.append(sql)
        return super().query_df(sql, params)

    def query_arrow(self, sql: str, params: Params = ()) -> pa.Table:
        self.into.sql.append(sql)
        return super().query_arrow(sql, params)

    def arrow_batches(self, sql: str, schema: pa.Schema, size: int) -> Iterator[pa.RecordBatch]:
        self.into.sql.append(sql)
        return super().arrow_batches(sql, schema, size)

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        self.into.sql.append(f"INSERT INTO {table} SELECT 1")
        super().insert_arrow(table, data)

    def sibling(self) -> DuckDBWarehouse:
        return RecordingWarehouse(super().sibling(), self.into)

    def close(self) -> None:
        """Nothing: the connection is the recorded warehouse's, closed by its owner."""


@contextlib.contextmanager
def recording(wh: DuckDBWarehouse) -> Iterator[tuple[RecordingWarehouse, Statements]]:
    """(a warehouse to hand the work, what it ran). ibis's queries are taken from its verbose
    log, process-wide while the block runs: record one piece of work at a time."""
    import ibis

    into = Statements()
    before = ibis.options.verbose, ibis.options.verbose_log
    ibis.options.verbose = True
    ibis.options.verbose_log = into.sql.append
    try:
        yield RecordingWarehouse(wh, into), into
    finally:
        ibis.options.verbose, ibis.options.verbose_log = before


def tables_in(sql: str, dialect: str = "duckdb") -> tuple[set[str], set[str]]:
    """(every table ``sql`` names, the ones it writes), lower case, without CTE names. A
    statement sqlglot cannot read counts every word of it as a table (and as written, for a
    write): more than it touches, never less."""
    try:
        trees = [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
    except sqlglot.errors.ParseError:
        words = {w.strip('"').lower() for w in
                 sql.replace("(", " ").replace(")", " ").replace(",", " ").split()}
        writes = sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE",
                                                             "CREATE", "ALTER", "DROP")
        return words, (set(words) if writes else set())
    named: set[str] = set()
    written: set[str] = set()
    for tree in trees:
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        named |= {t.name.lower() for t in tree.find_all(exp.Table)
                  if t.name and t.name.lower() not in ctes}
        for node in tree.find_all(exp.Insert, exp.Update, exp.Delete, exp.Create):
            target = node.this
            table = target if isinstance(target, exp.Table) else target.find(exp.Table)
            if table is not None and table.name:
                written.add(table.name.lower())
    return named, written
