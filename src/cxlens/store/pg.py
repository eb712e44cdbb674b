"""Postgres backend: the same schema on a team server."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from cxlens.errors import ConfigError
from cxlens.store import ddl
from cxlens.store.base import Params, Warehouse, arrow_batch

_PLACEHOLDER = re.compile(r"\?")


def _pg(sql: str) -> str:
    """Turn ``?`` placeholders into psycopg's ``%s`` (and escape literal percent signs)."""
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


class PostgresWarehouse(Warehouse):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        super().__init__()
        self._dsn = url
        self.url = re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", url)
        try:
            self.con = psycopg.connect(url, autocommit=True, options="-c TimeZone=UTC")
        except psycopg.OperationalError as exc:
            raise ConfigError(
                f"cannot connect to Postgres at {self.url}: {str(exc).strip()}",
                "check that the server runs and that host, port, user, password and database "
                "in the URL are right (postgresql://user:password@host:5432/dbname)",
            ) from exc

    def execute(self, sql: str, params: Params = ()) -> None:
        self.con.execute(_pg(sql) if params else sql, list(params) or None)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        cur = self.con.execute(_pg(sql) if params else sql, list(params) or None)
        return cur.fetchall()

    def query_df(self, sql: str, params: Params = ()) -> pd.DataFrame:
        cur = self.con.execute(_pg(sql) if params else sql, list(params) or None)
        names = [d.name for d in cur.description or []]
        return pd.DataFrame(cur.fetchall(), columns=names)

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        buf = io.BytesIO()
        pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False))
        cols = ", ".join(ddl.quote(c) for c in data.column_names)
        with self.con.cursor() as cur, cur.copy(
            f"COPY {ddl.quote(table)} ({cols}) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            copy.write(buf.getvalue())

    def arrow_batches(self, sql: str, schema: pa.Schema,
                      size: int) -> Iterator[pa.RecordBatch]:
        """Streamed through a server-side cursor (a 10 M-row table never sits in memory);
        such a cursor lives in a transaction, so one is opened when none is."""
        with self.transaction(), self.con.cursor(name="cxlens_batches") as cur:
            cur.execute(sql)
            while rows := cur.fetchmany(size):
                yield arrow_batch(rows, schema)

    def _begin(self) -> None:
        self.con.execute("BEGIN")

    def _commit(self) -> None:
        self.con.execute("COMMIT")

    def _rollback(self) -> None:
        self.con.execute("ROLLBACK")

    def close(self) -> None:
        self.con.close()

    def compact(self, tables: Sequence[str]) -> str:
        """``VACUUM (FULL)``: each table is rewritten with its live rows only (dead tuples,
        the old versions of updated and deleted rows, are left behind with the old files)."""
        if not tables:
            return "no table changed: nothing to rewrite"
        self.execute("VACUUM (FULL) " + ", ".join(ddl.quote(t) for t in tables))
        return (f"VACUUM FULL on {len(tables)} tables (the server's write-ahead log keeps the "
                "old rows until it is recycled)")

    def interrupt(self) -> None:
        self.con.cancel_safe()

    def sibling(self) -> PostgresWarehouse:
        return PostgresWarehouse(self._dsn)

    def ibis(self) -> Any:
        import ibis

        return ibis.postgres.from_connection(self.con)
