"""Throttling of failed logins (OWASP Authentication cheat sheet): after ``failures`` failed
logins for one account within ``window`` seconds that account is locked for ``lock_seconds``,
each further lock twice as long (up to ``max_lock_seconds``) until a successful login; one
client address is locked the same way after ``address_failures`` failures (any accounts).
While locked, every attempt — even with the right password — is answered 429 with
Retry-After. Only failures count, so people who log in often are never slowed down.

The state is kept in memory, per server process: a restart forgets it. With several server
processes on Postgres (``cxlens serve --workers N``) :class:`SharedLoginThrottle` keeps it in
the warehouse instead (:mod:`cxlens.accounts.throttle`), so the limits hold across workers."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from cxlens.accounts import throttle as stored
from cxlens.errors import CxlensError
from cxlens.store.base import Warehouse


class LoginThrottled(CxlensError):
    code = "login_throttled"
    status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed logins: logging in is paused for this account or "
                         "address", f"wait {retry_after:.0f} s and try again")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginPolicy:
    """The thresholds (``cxlens serve --login-failures``, ``--login-window``, ``--login-lock``,
    ``--login-max-lock``, ``--login-address-failures``)."""

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
    pending: int = 0  # attempts being verified right now


@dataclass
class LoginThrottle:
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    _accounts: dict[str, _Record] = field(default_factory=dict)
    _addresses: dict[str, _Record] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _pairs(self, username: str, address: str) -> tuple[tuple[dict[str, _Record], str, int],
                                                           ...]:
        p = self.policy
        return ((self._accounts, username, p.failures),
                (self._addresses, address, p.address_failures))

    def retry_after(self, username: str, address: str, *, now: float | None = None) -> \
            int | None:
        """Whole seconds until ``username`` may try again from ``address``; None: now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            until = max((r.locked_until for r in (self._accounts.get(username),
                                                  self._addresses.get(address)) if r),
                        default=0.0)
        return max(1, math.ceil(until - now)) if until > now else None

    def begin(self, username: str, address: str, *, now: float | None = None) -> None:
        """Before checking a password: LoginThrottled when the account or the address is
        locked, or when the attempts being verified could already reach the limit (so
        concurrent attempts cannot outrun the lock); otherwise the attempt counts as pending
        until :meth:`finish`."""
        now = time.monotonic() if now is None else now
        window = self.policy.window
        with self._lock:
            for records, key, limit in self._pairs(username, address):
                record = records.get(key)
                if limit <= 0 or record is None:
                    continue
                if record.locked_until > now:
                    raise LoginThrottled(max(1, math.ceil(record.locked_until - now)))
                while record.failures and record.failures[0] <= now - window:
                    record.failures.popleft()
                if len(record.failures) + record.pending >= limit:
                    raise LoginThrottled(1)  # the pending ones decide
            for records, key, limit in self._pairs(username, address):
                if limit > 0:
                    records.setdefault(key, _Record()).pending += 1

    def finish(self, username: str, address: str, ok: bool, *,
               now: float | None = None) -> None:
        """After the check: a success clears the account's failures and lock history; a
        failure counts, and locks the account or address when it reaches the limit."""
        now = time.monotonic() if now is None else now
        p = self.policy
        with self._lock:
            for records, key, limit in self._pairs(username, address):
                record = records.get(key)
                if limit <= 0 or record is None:
                    continue
                record.pending = max(0, record.pending - 1)
                if ok:
                    continue
                while record.failures and record.failures[0] <= now - p.window:
                    record.failures.popleft()
                record.failures.append(now)
                if len(record.failures) >= limit:
                    lock = min(p.max_lock_seconds, p.lock_seconds * 2 ** record.locks)
                    record.locked_until = now + lock
                    record.locks += 1
                    record.failures.clear()
            if ok:
                record = self._accounts.get(username)
                if record is not None and record.pending == 0:
                    del self._accounts[username]
                elif record is not None:
                    record.failures.clear()
                    record.locks = 0
            self._forget(now)

    def _forget(self, now: float) -> None:
        """Drop idle records so many usernames or addresses cannot grow memory forever."""
        for records in (self._accounts, self._addresses):
            if len(records) > 10_000:
                idle = [k for k, r in records.items() if r.locked_until <= now and
                        not r.pending and
                        (not r.failures or r.failures[-1] <= now - self.policy.window)]
                for key in idle:
                    del records[key]


class SharedLoginThrottle(LoginThrottle):
    """:class:`LoginThrottle` with its records in the warehouse: each call loads the two
    records it needs (account, address) locked ``FOR UPDATE``, applies the same rules on the
    database's clock, and writes them back in the same transaction, on a connection of its
    own. Cost: one transaction of a few statements per login attempt."""

    def __init__(self, wh: Warehouse, policy: LoginPolicy | None = None) -> None:
        super().__init__(policy or LoginPolicy())
        self.wh = wh
        self._db = threading.Lock()

    @contextmanager
    def _shared(self, username: str, address: str) -> Iterator[float]:
        kinds = (("account", username, self._accounts_of), ("address", address,
                                                             self._addresses_of))
        keys = [(kind, key) for kind, key, _ in kinds]
        with self._db, self.wh.transaction():
            stored.claim(self.wh, keys)
            now = stored.now(self.wh)
            found = stored.load(self.wh, keys, now)
            self._accounts, self._addresses = {}, {}
            for kind, key, records in kinds:
                state = found.get((kind, key))
                if state is not None:
                    records()[key] = _Record(deque(state.failures), state.locked_until,
                                             state.locks, state.pending)
            yield now
            for kind, key, records in kinds:
                record = records().get(key)
                idle = record is None or (record.locked_until <= now and not record.pending
                                          and not record.failures and not record.locks)
                stored.save(self.wh, kind, key, None if idle or record is None else stored.State(
                    list(record.failures), record.locked_until, record.locks, record.pending),
                    now)

    def _accounts_of(self) -> dict[str, _Record]:
        return self._accounts

    def _addresses_of(self) -> dict[str, _Record]:
        return self._addresses

    def retry_after(self, username: str, address: str, *, now: float | None = None) -> \
            int | None:
        with self._shared(username, address) as t:
            return super().retry_after(username, address, now=t)

    def begin(self, username: str, address: str, *, now: float | None = None) -> None:
        with self._shared(username, address) as t:
            super().begin(username, address, now=t)

    def finish(self, username: str, address: str, ok: bool, *,
               now: float | None = None) -> None:
        with self._shared(username, address) as t:
            super().finish(username, address, ok, now=t)
