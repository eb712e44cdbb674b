"""Per-client rate limiting (a token bucket per client address): a burst is allowed, then
``rate`` requests per second; beyond that the answer is 429 with Retry-After."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from cxlens.errors import CxlensError
from cxlens.store import buckets
from cxlens.store.base import Warehouse

FORGET_EVERY = 10_000  # checks between two clean-ups of idle shared buckets


class RateLimited(CxlensError):
    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many requests from this address",
                         f"wait {retry_after:.0f} s and try again")
        self.retry_after = retry_after


@dataclass
class Limiter:
    rate: float = 5.0  # per second, sustained
    burst: float = 20.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, client: str) -> None:
        """Take one token for ``client``; RateLimited when none is left."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                raise RateLimited(max(1.0, (1 - tokens) / self.rate))
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget idle clients
                cutoff = now - self.burst / self.rate
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] > cutoff}


class SharedLimiter(Limiter):
    """The same bucket kept in Postgres (:mod:`cxlens.store.buckets`), for ``cxlens serve
    --workers N``: every worker takes from one bucket per client, so N workers allow ``rate``
    requests per second in all, not N times it. One statement per check, on a connection of
    its own (its cost is measured in docs/decisions.md)."""

    def __init__(self, wh: Warehouse, rate: float = 5.0, burst: float = 20.0,
                 scope: str = "collect") -> None:
        super().__init__(rate=rate, burst=burst)
        self.wh, self.scope, self._checks = wh, scope, 0
        buckets.without_flush_wait(wh)

    def check(self, client: str) -> None:
        if self.rate <= 0:
            return
        with self._lock:
            retry = buckets.take(self.wh, self.scope, client, self.rate, self.burst)
            self._checks += 1
            if self._checks % FORGET_EVERY == 0:
                buckets.forget_idle(self.wh)
        if retry is not None:
            raise RateLimited(retry)
