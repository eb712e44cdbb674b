"""The SQL each metric compiles to, per engine, kept as snapshots (dbt MetricFlow style):
a change to a definition or to the compiler shows up as a reviewable diff.

Regenerate after an intended change with:  CXLENS_UPDATE_SNAPSHOTS=1 pytest tests/metrics
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from pathlib import Path
from typing import Any

import ibis
import pytest
import sqlglot

from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.compile import Request, compile_metric
from cxlens.metrics.engine import for_dialect
from cxlens.schema import TABLES, Type
from tests.metrics.test_engines import ALL

SNAPSHOTS = Path(__file__).parent / "snapshots"
DIALECTS = ("duckdb", "postgres", "pyspark")
TYPES = {Type.STRING: "string", Type.INTEGER: "int64", Type.FLOAT: "float64",
         Type.BOOLEAN: "boolean", Type.TIMESTAMP: "timestamp('UTC')"}
#: The spans the query step reads from the data (customers; business-hours durations), fixed
#: here: they only decide the rows of the in-memory periods and calendar tables.
SPAN = (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
#: ibis names each in-memory table at random.
MEMTABLE = re.compile(r"ibis_pandas_memtable_[a-z0-9]+")


def unbound(name: str) -> ibis.Table:
    table = TABLES[name]
    return ibis.table({c.name: TYPES[c.type] for c in table.columns}, name=name)


@functools.cache
def spark_backend() -> Any:
    """ibis's PySpark compiler needs a connected backend (for its NaN handling option)."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("cxlens-snapshots")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false").getOrCreate())
    return ibis.pyspark.connect(session)


def sql(name: str, dialect: str) -> str:
    metric = resolve(name, catalogue())
    engine = {"duckdb": "duckdb", "postgres": "postgres", "pyspark": "spark"}[dialect]
    expr = compile_metric(unbound, metric, Request(dims=("vendor",) if metric.source in (
        "interactions", "survey_responses") else (), grain="month", engine=for_dialect(engine),
        customer_span=SPAN, business_span=SPAN))
    if dialect == "pyspark":
        text = str(spark_backend().compile(expr))
        text = sqlglot.transpile(text, read="spark", write="spark", pretty=True)[0] + "\n"
    else:
        text = str(ibis.to_sql(expr, dialect=dialect)).strip() + "\n"
    return MEMTABLE.sub("ibis_pandas_memtable", text)


@pytest.mark.parametrize("dialect", [
    *DIALECTS[:2], pytest.param("pyspark", marks=pytest.mark.spark)])
@pytest.mark.parametrize("name", sorted(ALL))
def test_sql_snapshot(name: str, dialect: str) -> None:
    path = SNAPSHOTS / dialect / f"{name.replace(':', '__')}.sql"
    got = sql(name, dialect)
    if os.environ.get("CXLENS_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got)
    assert path.is_file(), f"no snapshot {path}: run with CXLENS_UPDATE_SNAPSHOTS=1"
    assert got == path.read_text(), f"{name} on {dialect} compiles differently: review the " \
        "diff and regenerate with CXLENS_UPDATE_SNAPSHOTS=1"


def test_no_stale_snapshots() -> None:
    expected = {f"{n.replace(':', '__')}.sql" for n in ALL}
    for dialect in DIALECTS:
        found = {p.name for p in (SNAPSHOTS / dialect).glob("*.sql")}
        assert found == expected, dialect
