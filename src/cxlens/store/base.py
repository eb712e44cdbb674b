"""What every warehouse backend offers the rest of cxlens."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cxlens.errors import ConfigError
from cxlens.schema import Table
from cxlens.sqltext import literal
from cxlens.store import ddl

if TYPE_CHECKING:  # pandas and pyarrow load when a frame is asked for (CLI start-up)
    import pandas as pd
    import pyarrow as pa

Params = Sequence[Any]
MAX_PARAMS = 65_535  # PostgreSQL's limit of parameters per statement


class Warehouse(abc.ABC):
    """A connection to the warehouse. SQL uses ``?`` placeholders on every backend."""

    dialect: str
    url: str

    def __init__(self) -> None:
        self._depth = 0

    # -- primitives each backend implements -------------------------------------------------
    @abc.abstractmethod
    def execute(self, sql: str, params: Params = ()) -> None: ...

    @abc.abstractmethod
    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...

    @abc.abstractmethod
    def query_df(self, sql: str, params: Params = ()) -> pd.DataFrame: ...

    @abc.abstractmethod
    def insert_arrow(self, table: str, data: pa.Table) -> None:
        """Append ``data`` (columns named as in ``table``) to ``table``."""

    @abc.abstractmethod
    def _begin(self) -> None: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def _rollback(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def interrupt(self) -> None:
        """Stop the statement this connection runs now, from another thread (it raises in
        the thread that runs it); nothing when it runs none."""

    @abc.abstractmethod
    def sibling(self) -> Warehouse:
        """Another connection to the same warehouse, for another thread."""

    @abc.abstractmethod
    def ibis(self) -> Any:
        """An ibis backend on this connection (for the metric layer)."""

    # -- shared behaviour ---------------------------------------------------------------------
    def existing_columns(self, table: str) -> list[str] | None:
        """Columns of ``table`` in the database, or None when it does not exist."""
        # the name as a quoted literal, not a parameter: DuckDB's Python client imports
        # pandas (about 1 s) on the first statement with parameters, and this one runs when
        # every command opens its warehouse (docs/performance.md, CLI start-up)
        rows = self.query(
            "SELECT column_name FROM information_schema.columns "
            f"WHERE table_name = {literal(table)} AND table_schema = current_schema() "
            "ORDER BY ordinal_position")
        return [r[0] for r in rows] or None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing block; nested blocks join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        self._commit()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def ensure(self, *tables: Table) -> None:
        """Create ``tables`` if missing and add any columns they lack (additive migration)."""
        for table in tables:
            existing = self.existing_columns(table.name)
            if existing is None:
                self.execute(ddl.create_table(self.dialect, table))
                continue
            for col in table.columns:
                if col.name not in existing:
                    self.execute(ddl.add_column(self.dialect, table.name, col.name, col.type))

    def insert_rows(self, table: str, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows`` with as few statements as the backend allows: one multi-row
        ``INSERT … VALUES (…), (…)`` per chunk (a statement, not a row, is what costs)."""
        if not rows:
            return
        one = f"({', '.join('?' * len(columns))})"
        cols = ", ".join(ddl.quote(c) for c in columns)
        head = f"INSERT INTO {ddl.quote(table)} ({cols}) VALUES "
        per = max(1, MAX_PARAMS // len(columns))
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            self.execute(head + ", ".join([one] * len(chunk)),
                         [v for row in chunk for v in row])

    def compact(self, tables: Sequence[str]) -> str:
        """Rewrite the storage of ``tables`` so the bytes of rows deleted or overwritten (an
        erasure) leave the database files; says what was done. Call outside a transaction."""
        raise ConfigError(f"the warehouse {self.url} cannot be compacted",
                          "erase on the DuckDB file or Postgres database itself")

    def limit_memory(self, limit: int) -> str | None:
        """Cap the memory the engine keeps in this process at ``limit`` bytes and say what was
        set; None when the engine's memory is not this process's (a Postgres server sizes its
        own)."""
        return None

    def arrow_batches(self, sql: str, schema: pa.Schema,
                      size: int) -> Iterator[pa.RecordBatch]:
        """The rows of ``sql`` as Arrow batches of ``schema`` (its columns in order), at most
        ``size`` rows each. This default reads them all first; backends stream."""
        rows = self.query(sql)
        for start in range(0, len(rows), size):
            yield arrow_batch(rows[start:start + size], schema)

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {ddl.quote(table)}"))

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"


def arrow_batch(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Rows of Python values (as database clients return them) as one Arrow batch."""
    import pyarrow as pa

    return pa.RecordBatch.from_arrays(
        [pa.array([row[i] for row in rows], type=field.type) for i, field in enumerate(schema)],
        schema=schema)
