"""A Parquet lake: ``export_lake`` writes the warehouse as one Parquet folder per table, and
``SparkLake`` runs the same metric queries on it with PySpark (batch, read-only).

Point it at a cluster with ``spark+lake:///shared/path?master=spark://host:7077`` (or
``CXLENS_SPARK_MASTER``); the lake path must then be readable by every executor (HDFS, S3 via
``s3a://``, or a shared file system).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxlens.errors import ConfigError
from cxlens.schema import TABLES
from cxlens.store import ddl
from cxlens.store.base import Params, Warehouse

META = "cxlens_meta"
CHUNK = 500_000


def export_lake(wh: Warehouse, folder: Path,
                progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Write every canonical table (and cxlens_meta) as Parquet under ``folder``/TABLE/."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    names = [*TABLES, META]
    for i, name in enumerate(names):
        target = folder / name
        target.mkdir(exist_ok=True)
        for old in target.glob("*.parquet"):
            old.unlink()
        if wh.dialect == "duckdb":
            path = str(target / "part-0.parquet").replace("'", "''")
            wh.execute(f"COPY (SELECT * FROM {ddl.quote(name)}) TO '{path}' (FORMAT parquet)")
        else:
            frame = wh.query_df(f"SELECT * FROM {ddl.quote(name)}")
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False),
                           target / "part-0.parquet")
        counts[name] = wh.count(name)
        if progress:
            progress(name, i + 1, len(names))
    return counts


class SparkLake(Warehouse):
    """Read-only warehouse over a Parquet lake, queried with Spark."""

    dialect = "spark"

    def __init__(self, url: str) -> None:
        super().__init__()
        parsed = urlparse(url)
        self.path = parsed.netloc + parsed.path if parsed.netloc else parsed.path
        self.url = url
        master = parse_qs(parsed.query).get("master", [os.environ.get("CXLENS_SPARK_MASTER",
                                                                      "local[2]")])[0]
        if not self.path.startswith(("hdfs:", "s3a:")) and not Path(self.path).is_dir():
            raise ConfigError(f"no Parquet lake at {self.path}",
                              "write one with: cxlens export-lake DIR (from a DuckDB or "
                              "Postgres warehouse)")
        from cxlens.extras import require

        require("spark")
        from pyspark.sql import SparkSession

        self.spark = (SparkSession.builder.master(master).appName("cxlens")
                      .config("spark.sql.session.timeZone", "UTC")
                      .config("spark.ui.enabled", "false")
                      .config("spark.ui.showConsoleProgress", "false")
                      .config("spark.sql.shuffle.partitions", "8")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        for name in [*TABLES, META]:
            self.spark.read.parquet(f"{self.path}/{name}").createOrReplaceTempView(name)

    def _read_only(self) -> ConfigError:
        return ConfigError("the Spark lake is read-only (batch queries only)",
                           "import into the DuckDB or Postgres warehouse, then export-lake again")

    def execute(self, sql: str, params: Params = ()) -> None:
        raise self._read_only()

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        raise self._read_only()

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql, args=list(params) or None).collect()]

    def query_df(self, sql: str, params: Params = ()) -> pd.DataFrame:
        return self.spark.sql(sql, args=list(params) or None).toPandas()

    def existing_columns(self, table: str) -> list[str] | None:
        if table not in [*TABLES, META]:
            return None
        return list(self.spark.table(table).columns)

    def _begin(self) -> None:
        raise self._read_only()

    def _commit(self) -> None:
        raise self._read_only()

    def _rollback(self) -> None:
        raise self._read_only()

    def close(self) -> None:
        """The Spark session stays up for the process (starting one takes seconds)."""

    def interrupt(self) -> None:
        """Spark jobs run to the end here (a local engine for parity checks, not served)."""

    def sibling(self) -> SparkLake:
        return self

    def ibis(self) -> Any:
        import ibis

        return ibis.pyspark.connect(self.spark)
