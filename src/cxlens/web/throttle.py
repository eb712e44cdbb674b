"""Throttling of failed logins (OWASP Authentication cheat sheet): after ``failures`` failed
logins for one account within ``window`` seconds that account is locked for ``lock_seconds``,
each further lock twice as long (up to ``max_lock_seconds``) until a successful login; one
client address is locked the same way after ``address_failures`` failures (any accounts).
While locked, every attempt — even with the right password — is answered 429 with
Retry-After. Only failures count, so people who log in often are never slowed down.

The state is kept in memory, per server process: a restart forgets it, and with several
server processes each counts on its own (docs/dashboard.md, "Logins")."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from cxlens.errors import CxlensError


class LoginThrottled(CxlensError):
    code = "login_throttled"
    status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed logins: logging in is paused for this account or "
                         "address", f"wait {retry_after:.0f} s and try again")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginPolicy:
    """The thresholds (``cxlens serve`` options of the same names)."""

    failures: int = 5  # per account within the window; 0: no per-account limit
    window: float = 900.0  # seconds (15 minutes)
    lock_seconds: float = 60.0  # the first lock; each further one doubles
    max_lock_seconds: float = 3600.0
    address_failures: int = 50  # per client address within the window; 0: no limit


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    locks: int = 0  # locks so far (the next one lasts lock_seconds * 2**locks)


@dataclass
class LoginThrottle:
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    _accounts: dict[str, _Record] = field(default_factory=dict)
    _addresses: dict[str, _Record] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, username: str, address: str, *, now: float | None = None) -> \
            int | None:
        """Whole seconds until ``username`` may try again from ``address``; None: now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            until = max((r.locked_until for r in (self._accounts.get(username),
                                                  self._addresses.get(address)) if r),
                        default=0.0)
        return max(1, math.ceil(until - now)) if until > now else None

    def check(self, username: str, address: str, *, now: float | None = None) -> None:
        """LoginThrottled when the account or the address is locked."""
        wait = self.retry_after(username, address, now=now)
        if wait is not None:
            raise LoginThrottled(wait)

    def failed(self, username: str, address: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        p = self.policy
        with self._lock:
            for records, key, limit in ((self._accounts, username, p.failures),
                                        (self._addresses, address, p.address_failures)):
                if limit <= 0:
                    continue
                record = records.setdefault(key, _Record())
                while record.failures and record.failures[0] <= now - p.window:
                    record.failures.popleft()
                record.failures.append(now)
                if len(record.failures) >= limit:
                    lock = min(p.max_lock_seconds, p.lock_seconds * 2 ** record.locks)
                    record.locked_until = now + lock
                    record.locks += 1
                    record.failures.clear()
            self._forget(now)

    def succeeded(self, username: str) -> None:
        """A successful login clears the account's failures and lock history."""
        with self._lock:
            self._accounts.pop(username, None)

    def _forget(self, now: float) -> None:
        """Drop idle records so many usernames or addresses cannot grow memory forever."""
        for records in (self._accounts, self._addresses):
            if len(records) > 10_000:
                idle = [k for k, r in records.items() if r.locked_until <= now and
                        (not r.failures or r.failures[-1] <= now - self.policy.window)]
                for key in idle:
                    del records[key]
