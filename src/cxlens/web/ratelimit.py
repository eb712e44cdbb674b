"""Per-client rate limiting (a token bucket per client address): a burst is allowed, then
``rate`` requests per second; beyond that the answer is 429 with Retry-After."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from cxlens.errors import CxlensError


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
