"""Background connections are interrupted when the server stops: a thread querying inside
``background(wh)`` ends within seconds of ``stop_all``, and a process whose report thread is
still querying when it closes its warehouse exits at once instead of waiting for the query."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from cxlens.store import background
from cxlens.store.base import Warehouse

SLOW = ("SELECT count(*) FROM range(100000000) a, range(100000) b "
        "WHERE a.range + b.range = -1")  # minutes of work if nothing stops it


def test_stop_all_interrupts_a_background_query(duck: Warehouse) -> None:
    worker = duck.sibling()
    ended: list[str] = []

    def run() -> None:
        with background.background(worker):
            try:
                worker.query(SLOW)
            except Exception as exc:
                ended.append(type(exc).__name__)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(1.0)
    assert background.running() == 1
    t0 = time.perf_counter()
    assert background.stop_all(timeout=20)
    assert time.perf_counter() - t0 < 10 and ended and background.running() == 0
    thread.join(5)
    worker.close()


SCRIPT = """
import sys, threading, time
from cxlens import store
from cxlens.store.background import background, stop_all
wh = store.connect(sys.argv[1])
w = wh.sibling()
def run():
    with background(w):
        try:
            w.query(sys.argv[2])
        except Exception:
            pass
threading.Thread(target=run, daemon=True).start()
time.sleep(1.0)
stop_all()
wh.close()
print("closed")
"""


def test_closing_after_stop_all_does_not_wait_for_the_query(tmp_path: Path) -> None:
    """Without stop_all, wh.close() waits for the sibling's query (minutes): checked by
    hand on the code before; here the process must end within the timeout."""
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "w.duckdb"), SLOW],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "closed" in done.stdout
