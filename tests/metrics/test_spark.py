"""The same metric queries on a Parquet lake with local PySpark give the same figures as
DuckDB: every metric and variant of the catalogue."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from cxlens import store
from cxlens.errors import ConfigError
from cxlens.metrics.query import query
from cxlens.store.base import Warehouse
from cxlens.store.lake import export_lake
from tests.metrics.test_engines import ALL, EMPTY_ON_DEMO, split_for

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def lake(demo_duck: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java runtime: install Debian's default-jre-headless "
                    "(.ci/run does)")
    folder = Path(tmp_path_factory.mktemp("lake"))
    counts = export_lake(demo_duck, folder)
    assert counts["interactions"] == demo_duck.count("interactions")
    return store.connect(f"spark+lake://{folder}")


@pytest.mark.parametrize("name", ALL)
def test_spark_agrees_with_duckdb(name: str, lake: Warehouse, demo_duck: Warehouse) -> None:
    by = split_for(name)
    a = query(name, by=by, grain="quarter", db=demo_duck)
    b = query(name, by=by, grain="quarter", db=lake)
    assert len(a) == len(b)
    if name in EMPTY_ON_DEMO:
        return
    for col in [*by, "period", "metric", "n", "flag"]:
        assert a[col].astype(object).where(a[col].notna(), None).tolist() == \
            b[col].astype(object).where(b[col].notna(), None).tolist(), col
    for col in ("value", "ci_low", "ci_high"):
        np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=col)


def test_the_lake_is_read_only(lake: Warehouse) -> None:
    with pytest.raises(ConfigError, match="read-only"):
        lake.execute("DELETE FROM interactions")
    with pytest.raises(ConfigError, match="no Parquet lake"):
        store.connect("spark+lake:///nonexistent/lake")
