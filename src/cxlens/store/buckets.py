"""Rate limits shared by every server process on a Postgres warehouse: the token bucket of
:mod:`cxlens.web.ratelimit`, kept in a table so that ``cxlens serve --workers N`` allows a
client ``rate`` requests per second in all, not ``rate`` per worker.

One statement per round trip: an upsert that refills the bucket from the time elapsed (the
database's clock, the same for every worker and host) and, when at least one token is there,
takes a lease of ``n`` tokens for the worker to spend locally (:class:`cxlens.web.ratelimit.
SharedLimiter`). A lease may take the bucket below zero, down to ``1 - n``: the debt is
refilled before the next lease, so leases never create tokens, and one statement suffices
(Postgres 15 cannot return the row's old value, so a lease cut to what is left would need a
second). A row is a client's address and two numbers; rows idle for an hour are dropped."""

from __future__ import annotations

from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

RATE_BUCKETS = Table("cxlens_rate_buckets", "Rate-limit buckets shared by the server's "
                     "processes (Postgres with several workers).", (
    Column("scope", Type.STRING, "What is limited (collect, …).", required=True),
    Column("client", Type.STRING, "The client's address.", required=True),
    Column("tokens", Type.FLOAT, "Requests left in the bucket at taken_at."),
    Column("taken_at", Type.FLOAT, "When the bucket was last taken from (epoch seconds)."),
), key=("scope", "client"),
    personal=keep("a client address for an hour at most, to limit request rates"))

TABLES = (RATE_BUCKETS,)
IDLE_SECONDS = 3600.0
_NOW = "extract(epoch from clock_timestamp())"

_TAKE = f"""
INSERT INTO cxlens_rate_buckets AS b (scope, client, tokens, taken_at)
VALUES (?, ?, ? - ?, {_NOW})
ON CONFLICT (scope, client) DO UPDATE
SET tokens = least(?, b.tokens + (excluded.taken_at - b.taken_at) * ?) - ?,
    taken_at = excluded.taken_at
WHERE least(?, b.tokens + (excluded.taken_at - b.taken_at) * ?) >= 1
RETURNING tokens"""

_LEFT = f"""
SELECT least(?, tokens + ({_NOW} - taken_at) * ?) FROM cxlens_rate_buckets
WHERE scope = ? AND client = ?"""


def without_flush_wait(wh: Warehouse) -> None:
    """Let ``wh`` (a connection used for buckets only) commit without waiting for the disk
    (``synchronous_commit = off``). A take is its own transaction and runs in the event
    loop (on every collection request before leases, still on every one below 20 requests/s
    per client): waiting for a flush there cost a disk write per take and blocked the worker
    meanwhile (bench/collect.py --workers 2 on a durable Postgres, docs/performance.md). A
    crash then forgets at most the last fraction of a second of takes — a bucket a little
    fuller — and never leaves the database inconsistent; every other connection (answers,
    sessions) still waits for its commit to be on disk."""
    wh.execute("SET synchronous_commit = off")


def take(wh: Warehouse, scope: str, client: str, rate: float, burst: float,
         n: int = 1) -> float | None:
    """Take a lease of ``n`` tokens from ``client``'s bucket when at least one is there (the
    rest is a debt, see the module's docstring); None when taken, else the seconds until a
    token is there again, unrounded (Postgres only)."""
    if wh.query(_TAKE, [scope, client, burst, n, burst, rate, n, burst, rate]):
        return None
    left = wh.scalar(_LEFT, [burst, rate, scope, client])
    return (1 - float(left if left is not None else 0)) / rate


def forget_idle(wh: Warehouse) -> None:
    wh.execute(f"DELETE FROM cxlens_rate_buckets WHERE taken_at < {_NOW} - ?", [IDLE_SECONDS])
