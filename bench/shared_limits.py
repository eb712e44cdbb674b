"""Benchmark: what sharing the rate limit and the login throttle through Postgres costs per
request (``cxlens serve --workers N``), against the in-memory versions one process uses.

    .venv/bin/python bench/shared_limits.py [--checks 5000] [--logins 1000]

Starts a throw-away Postgres from the system's binaries (tests/pg_server.py; fsync off, as
the tests run it), then times, on one connection from this process over loopback:

- ``Limiter.check`` / ``SharedLimiter.check`` for ``--checks`` requests spread over 100
  client addresses (rate high enough that none is refused: the common path);
- ``LoginThrottle`` / ``SharedLoginThrottle`` ``begin`` + ``finish`` for ``--logins``
  failed attempts spread over 500 usernames (no lock reached).

Reports the mean and p99 per call in microseconds. The figures depend on the machine and on
what else runs on it: record them with that said.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pg_server import PostgresServer, find_bindir

from cxlens import store
from cxlens.web.ratelimit import Limiter, SharedLimiter
from cxlens.web.throttle import LoginPolicy, LoginThrottle, SharedLoginThrottle


def timed(calls: int, call: Callable[[int], None]) -> tuple[float, float]:
    took = []
    for i in range(calls):
        started = time.perf_counter()
        call(i)
        took.append((time.perf_counter() - started) * 1e6)
    took.sort()
    return statistics.fmean(took), took[int(0.99 * (len(took) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=5000)
    parser.add_argument("--logins", type=int, default=1000)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL binaries not found (set CXLENS_PG_BIN)")
    server = PostgresServer(bindir)
    url = server.start()
    try:
        wh = store.connect(url)
        policy = LoginPolicy(failures=10**6, address_failures=10**6)
        local = Limiter(rate=1e6, burst=1e6)
        pooled = SharedLimiter(wh.sibling(), rate=1e6, burst=1e6)

        def limit(limiter: Limiter) -> Callable[[int], None]:
            return lambda i: limiter.check(f"10.0.0.{i % 100}")

        rows = [("rate limit, in memory", args.checks, limit(local)),
                ("rate limit, Postgres", args.checks, limit(pooled))]
        memory, shared = LoginThrottle(policy), SharedLoginThrottle(wh.sibling(), policy)

        def login(throttle: LoginThrottle) -> Callable[[int], None]:
            def one(i: int) -> None:
                throttle.begin(f"user{i % 500}", "10.0.0.1")
                throttle.finish(f"user{i % 500}", "10.0.0.1", False)
            return one

        rows += [("login throttle, in memory", args.logins, login(memory)),
                 ("login throttle, Postgres", args.logins, login(shared))]
        print(f"{'':28} {'calls':>7} {'mean µs':>9} {'p99 µs':>9}")
        for name, calls, call in rows:
            mean, p99 = timed(calls, call)
            print(f"{name:28} {calls:7,} {mean:9.0f} {p99:9.0f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
