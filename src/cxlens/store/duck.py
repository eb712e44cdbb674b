"""DuckDB backend: one embedded file, nothing to run."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import duckdb

from cxlens.errors import ConfigError
from cxlens.store import ddl
from cxlens.store.base import Params, Warehouse

if TYPE_CHECKING:  # pandas and pyarrow load when a frame is asked for (CLI start-up)
    import pandas as pd
    import pyarrow as pa

_names = itertools.count()


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: str, *, read_only: bool = False,
                 con: duckdb.DuckDBPyConnection | None = None) -> None:
        super().__init__()
        self.path = path
        self.url = path
        try:
            self.con = con or duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            raise ConfigError(
                f"cannot open the DuckDB warehouse {path}: {exc}",
                "another cxlens process (e.g. `cxlens serve`) may hold it open for writing; "
                "stop it, or point --db at another file",
            ) from exc
        self.con.execute("SET TimeZone = 'UTC'")

    def execute(self, sql: str, params: Params = ()) -> None:
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def query_df(self, sql: str, params: Params = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

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

    def _begin(self) -> None:
        self.con.begin()

    def _commit(self) -> None:
        self.con.commit()

    def _rollback(self) -> None:
        self.con.rollback()

    def close(self) -> None:
        self.con.close()

    def sibling(self) -> DuckDBWarehouse:
        # a cursor is a new connection to the same database instance (its own transactions)
        return DuckDBWarehouse(self.path, con=self.con.cursor())

    def ibis(self) -> Any:
        import ibis

        return ibis.duckdb.from_connection(self.con)
