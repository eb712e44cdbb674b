"""Pre-compute the pages everyone opens first (every page without filters, the vendor
drill-down's first level for each vendor) into the cache, at start and whenever the data
version changes, so a first visit does not wait for the warehouse."""

from __future__ import annotations

import logging
import threading

from cxlens.accounts.users import User
from cxlens.web import site
from cxlens.web.filters import Filters, choices
from cxlens.web.pages import cached_page
from cxlens.web.state import WebState

log = logging.getLogger("cxlens.web")
SKIP = {"agent"}  # needs an agent chosen
CHECK_SECONDS = 30.0


def warm(st: WebState) -> int:
    """Compute the default pages into the cache; returns how many."""
    user = User("prewarm", "analyst")
    choices(st)
    done = 0
    for name in site.PAGES:
        if name in SKIP:
            continue
        _one(st, name, Filters(), {}, user)
        done += 1
    with st.lock:
        vendors = [str(v) for (v,) in st.wh.query(
            "SELECT DISTINCT vendor FROM interactions WHERE vendor IS NOT NULL ORDER BY 1")]
    for vendor in vendors:  # the first click of the drill-down, and each vendor viewer's home
        _one(st, "vendors", Filters(vendor=vendor), {}, user)
        viewer = User("prewarm", "vendor", vendor)
        _one(st, "overview", Filters(vendor=vendor), {}, viewer)
        choices(st, viewer)
        done += 2
    return done


def _one(st: WebState, name: str, filters: Filters, options: dict[str, str],
         user: User) -> None:
    cached_page(st, name, filters, options, user)


def start(st: WebState, stop: threading.Event) -> threading.Thread:
    """A daemon thread: warm now, then again whenever the data version changes."""

    def loop() -> None:
        seen = None
        while not stop.is_set():
            try:
                version = st.version()
                if version != seen:
                    count = warm(st)
                    seen = st.prewarmed = version
                    log.info("pre-computed %d pages for data version %s", count, version)
            except Exception:  # never take the server down; the pages compute on demand
                log.exception("pre-computing pages failed")
            stop.wait(CHECK_SECONDS)

    thread = threading.Thread(target=loop, name="cxlens-prewarm", daemon=True)
    thread.start()
    return thread
