"""One sync of a source at a time on a warehouse. On Postgres a cron job (``cxlens sync``)
and the server's scheduled sync, or two workers, could otherwise land the same pages at once:
the second would stop on a duplicate key half-way. A session-level advisory lock, taken
without waiting, makes the second run stop at once with a clear error instead. A DuckDB file
has one writing process, whose scheduled sync runs in one thread, so it needs none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cxlens.errors import CxlensError
from cxlens.store.base import Warehouse


class SyncBusy(CxlensError):
    code = "sync_busy"


@contextmanager
def exclusive(wh: Warehouse, source: str) -> Iterator[None]:
    if wh.dialect != "postgres":
        yield
        return
    key = f"cxlens.sync.{source}"
    if not wh.scalar("SELECT pg_try_advisory_lock(hashtext(?))", [key]):
        raise SyncBusy(f"another sync of {source} is running on this warehouse",
                       "let it finish (the next run resumes from the cursor it stores), or "
                       "schedule cron and the server's --sync-config so they do not overlap")
    try:
        yield
    finally:
        wh.scalar("SELECT pg_advisory_unlock(hashtext(?))", [key])
