"""The page cache (web/state.py) lets the pre-computation compute on a connection of its own
without the lock every request needs, and a request for an entry being computed gets that
result instead of computing it again (issue 17)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from cxlens import store
from cxlens.store.migrate import bump_data_version
from cxlens.web.app import create_app


def test_a_computation_on_its_own_connection_leaves_the_lock_free(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    bump_data_version(wh)
    st = create_app(wh).state.cxlens
    sibling = wh.sibling()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> str:
        calls.append("worker")
        started.set()
        release.wait(30)
        return "from the worker"

    worker = threading.Thread(target=lambda: st.cached(("page",), slow, wh=sibling))
    worker.start()
    assert started.wait(30)
    free = st.lock.acquire(timeout=1)  # a request would get the shared connection now
    assert free
    st.lock.release()
    answer: list[str] = []

    def request() -> None:
        answer.append(st.cached(("page",), lambda: calls.append("request") or "again"))

    asking = threading.Thread(target=request)
    asking.start()
    time.sleep(0.2)
    assert answer == []  # waits for the worker's result ...
    release.set()
    asking.join(30)
    worker.join(30)
    assert answer == ["from the worker"]  # ... and gets it, not a second computation
    assert calls == ["worker"]
    sibling.close()
    wh.close()
