"""One sync of a source at a time on a warehouse. On Postgres a cron job (``cxlens sync``)
and the server's scheduled sync, or two workers, could otherwise land the same pages at once:
the second would stop on a duplicate key half-way. A session-level advisory lock, taken
without waiting, makes the second run stop at once with a clear error instead.

A DuckDB file has one writing process, but inside ``cxlens serve`` two syncs of a source can
still meet: the scheduled one and one handed over by ``cxlens sync`` in another terminal
(cxlens.handoff), each on its own connection. There a lock of the process, per warehouse
file and source, plays the advisory lock's part."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cxlens.errors import CxlensError
from cxlens.store.advisory import lock_key
from cxlens.store.base import Warehouse

_LOCAL: dict[tuple[str, str], threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


class SyncBusy(CxlensError):
    code = "sync_busy"


def _busy(source: str) -> SyncBusy:
    return SyncBusy(f"another sync of {source} is running on this warehouse",
                    "let it finish (the next run resumes from the cursor it stores), or "
                    "schedule cron and the server's --sync-config so they do not overlap")


@contextmanager
def exclusive(wh: Warehouse, source: str) -> Iterator[None]:
    if wh.dialect != "postgres":
        with _LOCAL_GUARD:
            lock = _LOCAL.setdefault((wh.url, source), threading.Lock())
        if not lock.acquire(blocking=False):
            raise _busy(source)
        try:
            yield
        finally:
            lock.release()
        return
    key = lock_key(f"cxlens.sync.{source}")
    if not wh.scalar("SELECT pg_try_advisory_lock(?)", [key]):
        raise _busy(source)
    try:
        yield
    finally:
        wh.scalar("SELECT pg_advisory_unlock(?)", [key])
