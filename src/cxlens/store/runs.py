"""The log of scheduled job runs (survey programmes, alert checks, and any job that runs
inside ``cxlens serve``): which worker ran each, when, for how long and whether it failed.

With ``cxlens serve --workers N`` the jobs must run once, not once per worker
(:mod:`cxlens.web.leader`); this log is how an operator — and the tests — see which process
ran them. Rows older than :data:`KEEP_DAYS` are dropped as new ones arrive."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

KEEP_DAYS = 30

JOB_RUNS = Table("cxlens_job_runs", "Runs of the server's scheduled jobs, by worker.", (
    Column("job", Type.STRING, "Which job (surveys, alerts, …).", required=True),
    Column("worker", Type.STRING, "The process that ran it: host:pid.", required=True),
    Column("started_at", Type.TIMESTAMP, "When the run started.", required=True),
    Column("seconds", Type.FLOAT, "How long it took.", unit="seconds"),
    Column("error", Type.STRING, "Why it failed (empty when it did not)."),
), key=(), personal=keep("operations log of the server's jobs, no customer data"))

TABLES = (JOB_RUNS,)


def worker_name() -> str:
    """This process, as the log names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def record(wh: Warehouse, job: str, started_at: dt.datetime, seconds: float,
           error: str | None = None) -> None:
    with wh.transaction():
        wh.execute("DELETE FROM cxlens_job_runs WHERE started_at < ?",
                   [started_at - dt.timedelta(days=KEEP_DAYS)])
        wh.execute("INSERT INTO cxlens_job_runs VALUES (?, ?, ?, ?, ?)",
                   [job, worker_name(), started_at, seconds, error])


@contextmanager
def logged(wh: Warehouse, job: str) -> Iterator[None]:
    """Run the block as one run of ``job``, logged whether it succeeds or fails (a failure is
    logged and raised on)."""
    started, clock = dt.datetime.now(dt.UTC), time.monotonic()
    try:
        yield
    except Exception as exc:
        record(wh, job, started, time.monotonic() - clock, f"{type(exc).__name__}: {exc}"[:500])
        raise
    record(wh, job, started, time.monotonic() - clock)
