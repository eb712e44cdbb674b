"""The SQL each metric compiles to, per engine, kept as snapshots (dbt MetricFlow style):
a change to a definition or to the compiler shows up as a reviewable diff.

Regenerate after an intended change with:  CXLENS_UPDATE_SNAPSHOTS=1 pytest tests/metrics
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import ibis
import pytest
import sqlglot

from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.compile import Request, compile_metric
from cxlens.schema import TABLES, Type
from tests.metrics.test_engines import ALL

SNAPSHOTS = Path(__file__).parent / "snapshots"
DIALECTS = ("duckdb", "postgres", "pyspark")
TYPES = {Type.STRING: "string", Type.INTEGER: "int64", Type.FLOAT: "float64",
         Type.BOOLEAN: "boolean", Type.TIMESTAMP: "timestamp('UTC')"}
#: Business-hours variants and customer-period metrics read the data's time range first and
#: embed a calendar built from it: their SQL depends on the data.
DATA_DEPENDENT = {n for n in ALL if n.endswith(("business", "business_p90"))} | {
    n for n in ALL if catalogue()[n.split(":")[0]].source == "customer_periods"}


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
        "interactions", "survey_responses") else (), grain="month", dialect=engine))
    if dialect == "pyspark":
        text = str(spark_backend().compile(expr))
        return sqlglot.transpile(text, read="spark", write="spark", pretty=True)[0] + "\n"
    return str(ibis.to_sql(expr, dialect=dialect)).strip() + "\n"


@pytest.mark.parametrize("dialect", [
    *DIALECTS[:2], pytest.param("pyspark", marks=pytest.mark.spark)])
@pytest.mark.parametrize("name", sorted(set(ALL) - DATA_DEPENDENT))
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
    expected = {f"{n.replace(':', '__')}.sql" for n in set(ALL) - DATA_DEPENDENT}
    for dialect in DIALECTS:
        found = {p.name for p in (SNAPSHOTS / dialect).glob("*.sql")}
        assert found == expected, dialect
