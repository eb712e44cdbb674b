"""Results shared across callers (store/shared.py): once per warehouse, data version and key,
whichever connection asks (the dashboard's pre-computation uses a sibling connection), and one
computation when several threads ask at once (issue 17)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from cxlens import store
from cxlens.store.migrate import bump_data_version
from cxlens.store.shared import shared


def test_computed_once_per_data_version_whichever_connection_asks(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    bump_data_version(wh)
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = shared(wh, ("k",), compute)
    sibling = wh.sibling()
    assert shared(sibling, ("k",), compute) is first  # the same warehouse, another connection
    assert calls == [1]
    bump_data_version(wh)  # new data: computed again
    assert shared(wh, ("k",), compute) == [2]
    sibling.close()
    wh.close()


def test_threads_asking_at_once_share_one_computation(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    bump_data_version(wh)
    connections = [wh.sibling() for _ in range(4)]
    calls: list[int] = []
    got: list[object] = []

    def compute() -> object:
        calls.append(1)
        time.sleep(0.3)  # long enough for the other threads to arrive meanwhile
        return object()

    threads = [threading.Thread(target=lambda c=c: got.append(shared(c, ("slow",), compute)))
               for c in connections]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert calls == [1]
    assert len(got) == 4 and all(g is got[0] for g in got)
    for c in connections:
        c.close()
    wh.close()
