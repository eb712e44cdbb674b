"""The web app's shared state: one warehouse connection (used under a lock: DuckDB
connections are not for concurrent threads), the signing secret, and the page cache keyed by
the data version, so an import or a demo rebuild invalidates every cached page. A page-model
page's entry (key ``("page", NAME, ...)``) is kept per version of the tables the page reads
(``present.registry.READS``; a statement's or the QA scores' per ``ENTRIES``): a change to
other tables leaves it cached (issue 18).

A request computes a missing entry on the shared connection, under the lock. The background
pre-computation computes on a connection of its own (``wh=``) and takes neither the lock nor
the shared connection, so requests go on while it works; a request for an entry it is
computing waits for that result instead of computing it a second time."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cxlens.present import registry
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.web.computing import PAGE_WAIT, Computations
from cxlens.web.throttle import LoginThrottle

CACHE_ENTRIES = 256


def reads(key: tuple[Any, ...]) -> frozenset[str] | None:
    """The tables an entry depends on: a page's declared ones, or those of an entry a page
    keeps itself; else (None) every table."""
    if len(key) > 1 and key[0] == "page":
        return registry.reads(str(key[1]))
    return registry.ENTRIES.get(key[0]) if key and isinstance(key[0], str) else None


@dataclass
class WebState:
    wh: Warehouse
    secret: str
    secure_cookies: bool = False
    logins: LoginThrottle = field(default_factory=LoginThrottle)  # failed-login throttling
    lock: threading.RLock = field(default_factory=threading.RLock)
    prewarmed: str | None = None  # the data version whose default pages are cached
    #: Pages requests compute off the lock, and how long a request waits for one (seconds).
    computing: Computations = field(default_factory=Computations)
    page_wait: float = PAGE_WAIT
    _cache: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict)
    #: When each cached entry was computed, and each key's newest entry (by version): what
    #: ``previous`` shows while a changed page is computed again.
    _made: dict[tuple[Any, ...], dt.datetime] = field(default_factory=dict)
    _newest: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)
    _pending: dict[tuple[Any, ...], threading.Event] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)  # _cache and _pending

    def version(self, key: tuple[Any, ...] = ()) -> str:
        """The data version ``key``'s entry is kept for (no key: of everything)."""
        with self.lock:
            return data_version(self.wh, reads(key))

    def peek(self, full: tuple[Any, ...]) -> tuple[bool, Any]:
        """(True, the entry) when ``full`` (data version first) is cached, else (False, None)."""
        with self._guard:
            return self._lookup(full)

    def _lookup(self, full: tuple[Any, ...]) -> tuple[bool, Any]:
        """``peek`` for a caller holding ``_guard`` (a hit becomes the most recently used)."""
        if full in self._cache:
            self._cache.move_to_end(full)
            return True, self._cache[full]
        return False, None

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any], *,
               wh: Warehouse | None = None) -> Any:
        """``compute()`` once per data version and key (least recently used evicted).
        Without ``wh`` it runs on the shared connection under the lock; with ``wh`` (another
        connection to the same warehouse: ``Warehouse.sibling``) on that one, outside the
        lock. Whoever finds an entry being computed waits for it."""
        while True:
            if wh is None:
                with self.lock:
                    full = (data_version(self.wh, reads(key)), *key)
                    hit, value, pending = self._claim(full)
                    if not hit and pending is None:
                        return self._fill(full, compute)
            else:
                full = (data_version(wh, reads(key)), *key)
                hit, value, pending = self._claim(full)
                if not hit and pending is None:
                    return self._fill(full, compute)
            if hit:
                return value
            assert pending is not None
            pending.wait()  # another thread computes it: its result, or our turn if it fails

    def previous(self, key: tuple[Any, ...]) -> tuple[Any, dt.datetime] | None:
        """(the entry, when it was computed) most recently computed for ``key`` in any data
        version, while it is still cached; None when there is none."""
        with self._guard:
            full = self._newest.get(key)
            if full is None or full not in self._cache:
                return None
            return self._cache[full], self._made[full]

    def _claim(self, full: tuple[Any, ...]) -> tuple[bool, Any, threading.Event | None]:
        """(hit, value, the event of whoever computes it); a miss with nothing pending is the
        caller's to compute (registered as pending)."""
        with self._guard:
            hit, value = self._lookup(full)
            if hit:
                return True, value, None
            pending = self._pending.get(full)
            if pending is None:
                self._pending[full] = threading.Event()
            return False, None, pending

    def _fill(self, full: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        try:
            value = compute()
            with self._guard:
                self._cache[full] = value
                self._made[full] = dt.datetime.now(dt.UTC)
                self._newest[full[1:]] = full
                while len(self._cache) > CACHE_ENTRIES:
                    gone, _ = self._cache.popitem(last=False)
                    self._made.pop(gone, None)
                    if self._newest.get(gone[1:]) == gone:
                        del self._newest[gone[1:]]
            return value
        finally:
            with self._guard:
                self._pending.pop(full).set()
