"""DuckDB backend: one embedded file, nothing to run."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from cxlens.errors import ConfigError, SchemaError
from cxlens.store import ddl
from cxlens.store.base import Params, Warehouse

if TYPE_CHECKING:  # pandas and pyarrow load when a frame is asked for (CLI start-up)
    import pandas as pd
    import pyarrow as pa

_names = itertools.count()
#: Results reach Python in pieces: turning rows into Python objects holds the interpreter
#: lock, and a million-row result held it for 0.5–1 s in one go, while a server computing a
#: page answered nothing else. Between pieces other threads run. DuckDB's own conversion is
#: kept (``fetch_df_chunk``), so the frame's types are those of ``.df()``: a column with a
#: null in any piece is nullable in the whole (pandas' concat), as ``.df()`` makes it.
FETCH_ROWS = 65_536
FETCH_VECTORS = FETCH_ROWS // 2048  # DuckDB's vectors hold 2,048 rows


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: str, *, read_only: bool = False,
                 con: duckdb.DuckDBPyConnection | None = None) -> None:
        super().__init__()
        self.path = path
        self.url = path
        self._owns_file = con is None  # a sibling's cursor shares its parent's database
        try:
            self.con = con or duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            raise ConfigError(
                f"cannot open the DuckDB warehouse {path}: {exc}",
                "another cxlens process (e.g. `cxlens serve`) may hold it open for writing; "
                "stop it, or point --db at another file",
            ) from exc
        self.con.execute("SET TimeZone = 'UTC'")

    def compact(self, tables: Sequence[str]) -> str:
        """Copy every table into a fresh file and put it in place of this one: DuckDB reuses
        the blocks of deleted rows but does not wipe them, so only a rewrite drops their bytes
        (``tables`` does not matter: the whole file is rewritten). The original stays until
        the copy is verified (same tables, columns and row counts) and synced to disk; the
        swap is an atomic rename. Needs the only connection to the file (the CLI's)."""
        if self.path == ":memory:":
            return "the warehouse is in memory: no file to compact"
        if not self._owns_file:
            raise ConfigError(f"cannot compact {self.path} from a second connection",
                              "compact on the connection that opened the file")
        path = Path(self.path)
        fresh = path.with_name(path.name + ".compacting")
        fresh.unlink(missing_ok=True)
        started = time.monotonic()
        self.con.execute("SET enable_progress_bar = false")  # this connection closes below
        self.con.execute("CHECKPOINT")
        before = path.stat().st_size
        current = self.con.execute("SELECT current_database()").fetchall()[0][0]
        self.con.execute(f"ATTACH {_literal(str(fresh))} AS cxlens_compact")
        try:
            self.con.execute(f"COPY FROM DATABASE {ddl.quote(current)} TO cxlens_compact")
            differ = self._shape(current) != self._shape("cxlens_compact")
        finally:
            self.con.execute("DETACH cxlens_compact")
        if differ or Path(f"{fresh}.wal").exists():
            fresh.unlink(missing_ok=True)
            raise SchemaError(f"compacting {path}: the copy differs from the original; the "
                              "erasure is committed but its bytes are still in the file",
                              "run cxlens erase again for the same customer")
        self.con.close()
        try:
            fsync(fresh)
            Path(f"{path}.wal").unlink(missing_ok=True)  # closed cleanly: checkpointed
            os.replace(fresh, path)
            fsync(path.parent)
        finally:
            self.con = duckdb.connect(self.path)
            self.con.execute("SET TimeZone = 'UTC'")
        return (f"compacted the DuckDB file: {before / 1e6:.1f} MB → "
                f"{path.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s")

    def _shape(self, database: str) -> dict[str, tuple[tuple[str, ...], int]]:
        """Each table of ``database``: its columns with their types, and its row count."""
        columns: dict[str, list[str]] = {}
        for schema, table, column, type_ in self.con.execute(
                "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
                f"WHERE database_name = {_literal(database)} ORDER BY column_index").fetchall():
            name = ".".join(ddl.quote(n) for n in (database, schema, table))
            columns.setdefault(name, []).append(f"{column} {type_}")
        return {name.split(".", 1)[1]: (tuple(cols), int(self.con.execute(
            f"SELECT count(*) FROM {name}").fetchall()[0][0])) for name, cols in columns.items()}

    def execute(self, sql: str, params: Params = ()) -> None:
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        cur = self.con.execute(sql, list(params))
        rows: list[tuple[Any, ...]] = []
        while part := cur.fetchmany(FETCH_ROWS):  # see FETCH_ROWS
            rows.extend(part)
        return rows

    def query_df(self, sql: str, params: Params = ()) -> pd.DataFrame:
        import pandas as pd

        cur = self.con.execute(sql, list(params))
        parts = [cur.fetch_df_chunk(FETCH_VECTORS)]  # see FETCH_ROWS
        while len(parts[-1]):
            parts.append(cur.fetch_df_chunk(FETCH_VECTORS))
        if len(parts) <= 2:  # one chunk and the empty one that ends the result
            return parts[0]
        return pd.concat(parts[:-1], ignore_index=True)

    def query_arrow(self, sql: str, params: Params = ()) -> pa.Table:
        """The result as one Arrow table (a million rows of numbers in a few large batches:
        through pandas, and through Arrow's default batches of 2,048 rows, the columns came
        out ten times slower)."""
        table: pa.Table = self.con.execute(sql, list(params)).to_arrow_table()
        return table

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        view = f"_cxlens_arrow_{next(_names)}"
        cols = ", ".join(ddl.quote(c) for c in data.column_names)
        self.con.register(view, data)
        try:
            self.con.execute(f"INSERT INTO {ddl.quote(table)} ({cols}) SELECT {cols} FROM {view}")
        finally:
            self.con.unregister(view)

    def arrow_batches(self, sql: str, schema: pa.Schema,
                      size: int) -> Iterator[pa.RecordBatch]:
        """Streamed from DuckDB's own Arrow reader, cast to ``schema`` (same values: DuckDB's
        types already are these, only names of the time zone may differ)."""
        result = self.con.execute(sql)
        # to_arrow_reader from DuckDB 1.5 on (fetch_record_batch, its old name, warns there)
        reader = (getattr(result, "to_arrow_reader", None) or result.fetch_record_batch)(size)
        for batch in reader:
            yield batch.cast(schema)

    def _begin(self) -> None:
        self.con.begin()

    def _commit(self) -> None:
        self.con.commit()

    def _rollback(self) -> None:
        self.con.rollback()

    def close(self) -> None:
        self.con.close()

    def interrupt(self) -> None:
        self.con.interrupt()

    def sibling(self) -> DuckDBWarehouse:
        # a cursor is a new connection to the same database instance (its own transactions)
        return DuckDBWarehouse(self.path, con=self.con.cursor())

    def limit_memory(self, limit: int) -> str | None:
        """DuckDB's ``memory_limit`` (its default is 80 % of the machine's RAM, besides what
        Python holds): for the whole database, so every sibling connection shares it; beyond
        it DuckDB spills to its temporary folder (``FILE.tmp``) instead of growing."""
        self.con.execute(f"SET memory_limit = '{int(limit) // 2**20}MiB'")
        return f"DuckDB memory limit {self.scalar('SELECT current_setting(?)', ['memory_limit'])}"

    def ibis(self) -> Any:
        import ibis

        return ibis.duckdb.from_connection(self.con)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fsync(path: Path) -> None:
    """fsync a file or a folder (so a rename in it survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
