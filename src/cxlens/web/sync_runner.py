"""Runs the scheduled helpdesk sync inside ``cxlens serve`` (``--sync-config``): with DuckDB
only the server's process may write the file, so the server is where the sync happens. Each
sync bumps the data version when rows changed, so cached pages refresh without a restart.
With several workers on Postgres, only the worker holding the ``cxlens.sync`` advisory lock
(:class:`~cxlens.web.leader.Leader`) syncs; another takes over if it dies."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from cxlens.connectors.schedule import Schedule, publish, run_due
from cxlens.store import background
from cxlens.store.base import Warehouse
from cxlens.web.leader import Leader

log = logging.getLogger("cxlens.sync")


def sync_runner(wh: Warehouse, schedule: Schedule, stop: threading.Event) -> None:
    """Until ``stop``: wait for the next run, then :func:`run_due` (one job, wrap-able)."""
    try:
        publish(wh, schedule)
    except Exception:
        log.exception("could not publish the sync schedule")
    leader = Leader(wh, "cxlens.sync")
    try:
        # a background connection: stopping the server interrupts a long sync (its page's
        # transaction is undone, and the next run resumes from the stored cursor)
        with background.background(wh):
            while not stop.wait(schedule.wait(dt.datetime.now(dt.UTC))):
                if not leader.held():  # another worker syncs
                    continue
                try:
                    run_due(wh, schedule)
                except Exception:  # keep the schedule alive; the next run retries
                    if stop.is_set():  # interrupted by the server's stop: not a failure
                        break
                    log.exception("scheduled sync failed")
    finally:
        leader.close()
