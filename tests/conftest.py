"""Shared fixtures: a real DuckDB file and a real PostgreSQL server, as backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from tests.web.server import server

__all__ = ["server"]  # the dashboard server fixture, shared by tests/web and tests/reports

#: Public data sets the tests check published figures against (tests/data/README.md): kept in
#: the repository, so a fresh clone anywhere passes its tests.
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a PostgreSQL server started for this test session from the system's binaries."""
    if os.environ.get("CXLENS_TEST_PG_URL"):
        yield os.environ["CXLENS_TEST_PG_URL"]
        return
    from tests.pg_server import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL binaries not found: install Debian's postgresql package "
                    "(.ci/run does) or set CXLENS_PG_BIN to the folder holding initdb")
    server = PostgresServer(bindir)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's server."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def wh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """A migrated, empty warehouse on each backend: a DuckDB file and a Postgres database."""
    if request.param == "duckdb":
        url = str(tmp_path / "cx.duckdb")
    else:
        url = request.getfixturevalue("pg_db")
    w = store.connect(url)
    try:
        yield w
    finally:
        w.close()


@pytest.fixture
def duck(tmp_path: Path) -> Iterator[Warehouse]:
    w = store.connect(str(tmp_path / "cx.duckdb"))
    try:
        yield w
    finally:
        w.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a demo warehouse at scale 0.05, seed 7 (about 4,000 customers), built once and
    shared by the insight, alert and text tests (read-only: copy it to change it)."""
    from cxlens.demo import build_demo

    path = str(Path(tmp_path_factory.mktemp("demo")) / "demo.duckdb")
    with store.connect(path) as wh:
        build_demo(wh, scale=0.05, seed=7)
    return path


@pytest.fixture
def demo(demo_db: str) -> Iterator[Warehouse]:
    with store.connect(demo_db) as wh:
        yield wh
