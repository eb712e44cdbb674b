"""The web app's shared state: one warehouse connection (used under a lock: DuckDB
connections are not for concurrent threads), the signing secret, and the page cache keyed by
the data version, so an import or a demo rebuild invalidates every cached page."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.web.throttle import LoginThrottle

CACHE_ENTRIES = 256


@dataclass
class WebState:
    wh: Warehouse
    secret: str
    secure_cookies: bool = False
    logins: LoginThrottle = field(default_factory=LoginThrottle)  # failed-login throttling
    lock: threading.RLock = field(default_factory=threading.RLock)
    prewarmed: str | None = None  # the data version whose default pages are cached
    _cache: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict)

    def version(self) -> str:
        with self.lock:
            return data_version(self.wh)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per data version and key (least recently used evicted)."""
        with self.lock:
            full = (data_version(self.wh), *key)
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]
            value = compute()
            self._cache[full] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
            return value
