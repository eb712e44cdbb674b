"""Pre-compute the pages everyone opens first (every page without filters, the vendor
drill-down's first level for each vendor, each vendor's statement and what every agent
page shares) into the cache, at start and whenever the data version changes, so a first visit does
not wait for the warehouse.

It is a bounded background worker that never starves requests: one thread, at a lower CPU
priority, on a connection of its own (it never takes the lock that requests share, so a
request waits for none of its queries), one page at a time with a pause between pages (a page's
intermediate frames are gone before the next starts). The heavy analyses (drivers'
models, cohorts, CLV and churn, text) come last; a page it has not reached yet is computed
when first opened, as without it (issue 17)."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cxlens.accounts.users import User
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages import contracts as contract_pages
from cxlens.present.pages import qa as qa_pages
from cxlens.store import background
from cxlens.store.base import Warehouse
from cxlens.web.choices import choices
from cxlens.web.computing import HEAVY  # computed last: each fits models over everything
from cxlens.web.pages import cached_page
from cxlens.web.state import WebState

log = logging.getLogger("cxlens.web")
SKIP = {"agent"}  # needs an agent chosen
#: How often the data version is looked at (one small query): a sync's day reaches the
#: pre-computed pages seconds after it lands, not half a minute (issue 18).
CHECK_SECONDS = 5.0
#: Between two pages: a request that arrived meanwhile gets the interpreter and the CPU.
PAUSE_SECONDS = 0.05
#: The worker thread's nice value (Linux: per thread), below the request threads'.
NICENESS = 10


def order() -> list[str]:
    """The pages to pre-compute, light ones first."""
    names = [n for n in registry.PAGES if n not in SKIP]
    return [n for n in names if n not in HEAVY] + [n for n in names if n in HEAVY]


class Stopped(Exception):
    """The server is stopping: no further page."""


def warm(st: WebState, wh: Warehouse | None = None, stop: threading.Event | None = None,
         ) -> int:
    """Compute the default pages into the cache (on ``wh``, else on a connection of its own;
    ``Stopped`` once ``stop`` is set); returns how many. The light pages and the vendors'
    come first; before each heavy page, if data arrived meanwhile, the light ones again, so a
    sync reaches them while the models are refitted (issue 18)."""
    own = wh or st.wh.sibling()
    try:
        user = User("prewarm", "analyst")
        version = st.version()
        done = _light(st, own, user, stop)
        for name in (n for n in order() if n in HEAVY):
            if st.version() != version:
                version = st.version()
                done += _light(st, own, user, stop)
            _one(st, own, name, Filters(), user, stop)
            done += 1
        return done
    finally:
        if wh is None:
            own.close()


def _light(st: WebState, wh: Warehouse, user: User, stop: threading.Event | None) -> int:
    """The default pages but the heavy ones, each vendor's drill-down and each vendor
    viewer's home, with their filter choices; returns how many."""
    choices(st)
    done = 0
    for name in (n for n in order() if n not in HEAVY):
        _one(st, wh, name, Filters(), user, stop)
        done += 1
    vendors = [str(v) for (v,) in wh.query(
        "SELECT DISTINCT vendor FROM interactions WHERE vendor IS NOT NULL ORDER BY 1")]
    for vendor in vendors:  # the first click of the drill-down, and each vendor viewer's home
        _one(st, wh, "vendors", Filters(vendor=vendor), user, stop)
        viewer = User("prewarm", "vendor", vendor)
        _one(st, wh, "overview", Filters(vendor=vendor), viewer, stop)
        choices(st, viewer)
        done += 2
    return done


def warm_opened(st: WebState, wh: Warehouse, stop: threading.Event | None = None) -> int:
    """What the menu's pages open: one agent page (its case-mix fit and CSAT ranking are
    shared by every agent page of the default period, :mod:`cxlens.store.shared`), each
    vendor's statement of the default month (they share the quarter's case mix) and the QA
    scores page; returns how many."""
    agent = wh.scalar("SELECT min(agent_id) FROM interactions")
    if agent is not None:
        _one(st, wh, "agent", Filters(agent_id=str(agent)), User("prewarm", "analyst"), stop)
    viewer = User("prewarm", "analyst")

    def cache(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        return st.cached(key, compute, wh=wh)

    # the statements' builder with the dashboard's cache on this connection: the keys a
    # request for /statement?vendor=V (default month) looks up
    vendors = sorted({c.vendor for c in contract_pages.usable(PageCtx(wh, viewer, cache=cache))})
    for vendor in vendors:
        _pause(stop)
        with contextlib.suppress(Exception):  # e.g. a contract starting later: shown on open
            contract_pages.statement_page(PageCtx(wh, viewer, Filters(vendor=vendor),
                                                  {"vendor": vendor}, cache))
    _pause(stop)  # /qa without filters (2.8 s at 10 M: its builder caches it per QA revision)
    qa_pages.index(PageCtx(wh, viewer, Filters(), {}, cache))
    return (agent is not None) + len(vendors) + 1


def _one(st: WebState, wh: Warehouse, name: str, filters: Filters, user: User,
         stop: threading.Event | None = None) -> None:
    _pause(stop)
    cached_page(st, name, filters, {}, user, wh)


def _pause(stop: threading.Event | None = None) -> None:
    if stop is None:
        time.sleep(PAUSE_SECONDS)
    elif stop.wait(PAUSE_SECONDS):
        raise Stopped


def _lower_priority() -> None:
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        with contextlib.suppress(OSError):  # not permitted, or not Linux: run as is
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


@dataclass
class Worker:
    """The running pre-computation: its thread and its stop signal."""

    thread: threading.Thread
    stop: threading.Event

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop it: no further page, and the statement it runs now interrupted (a heavy page
        would otherwise hold the server's exit for minutes, and a thread left inside DuckDB
        at exit aborts the process): its connection is a background one
        (:mod:`cxlens.store.background`). Waits up to ``timeout`` s; True when it ended."""
        self.stop.set()
        background.stop_all(timeout)
        self.thread.join(timeout)
        return not self.thread.is_alive()


def start(st: WebState, stop: threading.Event) -> Worker:
    """A daemon thread: warm now, then again whenever the data version changes, until
    ``stop`` (``Worker.shutdown`` sets it and interrupts the running statement)."""
    wh = st.wh.sibling()

    def loop() -> None:
        _lower_priority()
        seen = None
        try:
            with background.background(wh):  # Worker.shutdown interrupts it
                while not stop.is_set():
                    try:
                        version = st.version()
                        if version != seen:
                            count = warm(st, wh, stop)
                            log.info("pre-computed %d pages for data version %s", count, version)
                            opened = warm_opened(st, wh, stop)
                            log.info("pre-computed %d opened pages (an agent, statements)", opened)
                            seen = st.prewarmed = version
                    except Stopped:
                        break
                    except Exception:  # never take the server down; the pages compute on demand
                        if stop.is_set():  # interrupted at shutdown: not a failure
                            break
                        log.exception("pre-computing pages failed")
                    stop.wait(CHECK_SECONDS)
        finally:
            wh.close()

    thread = threading.Thread(target=loop, name="cxlens-prewarm", daemon=True)
    thread.start()
    return Worker(thread, stop)
