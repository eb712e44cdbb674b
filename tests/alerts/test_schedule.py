"""The server's alert schedule: it checks on its first tick, not again while nothing changed,
again when the data, the rules or the month to judge change — but never more often than its
interval."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxlens import store
from cxlens.alerts import config
from cxlens.alerts.run import Schedule
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version

RULES = """
rules:
  - {name: fcr-low, metric: fcr, by: [vendor], check: threshold, below: 101}
"""


@pytest.fixture
def copy(demo_db: str, tmp_path: Path) -> Iterator[Warehouse]:
    path = tmp_path / "s.duckdb"
    shutil.copy(demo_db, path)
    with store.connect(str(path)) as wh:
        yield wh


def test_runs_when_something_changed_at_most_once_per_interval(copy: Warehouse) -> None:
    sched = Schedule(every=60)
    config.save(copy, RULES)
    first = sched.tick(copy, 1000.0)
    assert first is not None and len(first.changes.opened) == 3
    assert sched.tick(copy, 5000.0) is None  # nothing changed
    with copy.transaction():
        bump_data_version(copy)  # an import
    assert sched.tick(copy, 5010.0) is not None  # the interval since the last run has passed
    config.save(copy, RULES.replace("101", "100"))
    assert sched.tick(copy, 5020.0) is None  # changed, but too soon
    again = sched.tick(copy, 5071.0)
    assert again is not None and again.changes.opened == []  # idempotent: same breach


def test_nothing_to_do_without_rules(duck: Warehouse) -> None:
    assert Schedule().tick(duck, 0.0) is None
