"""Demo warehouses shared by the demo tests (built once per session: they take seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxlens import store
from cxlens.demo import DemoSummary, build_demo
from cxlens.store.base import Warehouse

SMALL = 0.05  # ≈ 12,000 interactions


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "d.duckdb"


@pytest.fixture(scope="session")
def demo(demo_path: Path) -> Iterator[tuple[Warehouse, DemoSummary]]:
    wh = store.connect(str(demo_path))
    summary = build_demo(wh, scale=SMALL, seed=7)
    yield wh, summary
    wh.close()


@pytest.fixture
def wh(demo: tuple[Warehouse, DemoSummary]) -> Warehouse:
    return demo[0]


@pytest.fixture
def summary(demo: tuple[Warehouse, DemoSummary]) -> DemoSummary:
    return demo[1]
