"""Connections that background threads query on (report jobs), so that stopping the server
interrupts their statements instead of waiting for them: closing a DuckDB database waits for
every statement still running on it, so one report job could hold a Ctrl+C for a minute.
The app's shutdown calls :func:`stop_all`, and so does the interpreter's exit (``atexit``)
for a process that never ran the app's shutdown."""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
from collections.abc import Iterator

from cxlens.store.base import Warehouse

_lock = threading.Lock()
_active: dict[int, tuple[Warehouse, threading.Thread]] = {}


@contextlib.contextmanager
def background(wh: Warehouse) -> Iterator[Warehouse]:
    """``wh`` registered as the calling thread's background connection while the block
    runs."""
    with _lock:
        _active[id(wh)] = (wh, threading.current_thread())
    try:
        yield wh
    finally:
        with _lock:
            _active.pop(id(wh), None)


def running() -> int:
    """How many background connections are in use now."""
    with _lock:
        return len(_active)


def stop_all(timeout: float = 10.0) -> bool:
    """Interrupt every registered connection's statement (again, until its block ends: a
    job runs many) and wait up to ``timeout`` s; True when none is left."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            items = list(_active.values())
        if not items:
            return True
        if time.monotonic() >= deadline:
            return False
        for wh, _ in items:
            with contextlib.suppress(Exception):  # between statements: nothing to stop
                wh.interrupt()
        for _, thread in items:
            if thread is not threading.current_thread():
                thread.join(0.2)


atexit.register(stop_all)
