"""One small demo warehouse per engine, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cxlens import store
from cxlens.demo import build_demo
from cxlens.store.base import Warehouse

SCALE, SEED = 0.03, 11


@pytest.fixture(scope="session")
def demo_duck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    path = Path(tmp_path_factory.mktemp("metrics")) / "demo.duckdb"
    wh = store.connect(str(path))
    build_demo(wh, scale=SCALE, seed=SEED)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def demo_pg(pg_url: str) -> Iterator[Warehouse]:
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute('DROP DATABASE IF EXISTS "metrics_demo"')
        con.execute('CREATE DATABASE "metrics_demo"')
    wh = store.connect(pg_url.rsplit("/", 1)[0] + "/metrics_demo")
    build_demo(wh, scale=SCALE, seed=SEED)
    yield wh
    wh.close()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request: pytest.FixtureRequest) -> Warehouse:
    """The demo warehouse on each engine (same data)."""
    name = "demo_duck" if request.param == "duckdb" else "demo_pg"
    wh: Warehouse = request.getfixturevalue(name)
    return wh
