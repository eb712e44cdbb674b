"""The demo warehouse the customer-insight tests share (DuckDB, built once per session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxlens import store
from cxlens.demo import build_demo
from cxlens.store.base import Warehouse


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a demo warehouse at scale 0.05, seed 7 (about 4,000 customers)."""
    path = str(Path(tmp_path_factory.mktemp("insights")) / "demo.duckdb")
    with store.connect(path) as wh:
        build_demo(wh, scale=0.05, seed=7)
    return path


@pytest.fixture
def demo(demo_db: str) -> Iterator[Warehouse]:
    with store.connect(demo_db) as wh:
        yield wh
