"""The failed-login counts of :mod:`cxlens.web.throttle`, kept in the warehouse when several
server processes share it (``cxlens serve --workers N`` on Postgres), so a guesser spreading
attempts over the workers meets one limit, not one per worker.

One row per throttled account or client address: the times of its recent failures, its lock
and how many attempts are being verified. Read with ``FOR UPDATE`` inside the transaction
that writes them back, so two workers cannot both let the last allowed attempt through.
Times are the database's clock (epoch seconds), the same for every worker and host.

A worker killed while it verifies a password leaves its attempt counted as pending; pending
attempts of a row untouched for :data:`PENDING_SECONDS` are forgotten (a check takes well
under a second), so a crash cannot lower an account's limit for good."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

LOGIN_THROTTLE = Table("cxlens_login_throttle", "Failed logins per account and client "
                       "address, shared by the server's processes.", (
    Column("kind", Type.STRING, "account or address.", required=True),
    Column("key", Type.STRING, "The username as typed, or the client's address.",
           required=True),
    Column("failures", Type.STRING, "Epoch seconds of the failures in the window, "
           "space-separated."),
    Column("locked_until", Type.FLOAT, "Epoch seconds until which logins are refused."),
    Column("locks", Type.INTEGER, "Locks so far (each lasts twice the one before)."),
    Column("pending", Type.INTEGER, "Attempts being verified now."),
    Column("touched_at", Type.FLOAT, "Epoch seconds of the last change."),
), key=("kind", "key"), personal=keep("staff usernames and client addresses for the login "
                                      "window, dropped once idle"))

TABLES = (LOGIN_THROTTLE,)
PENDING_SECONDS = 60.0


@dataclass
class State:
    failures: list[float]
    locked_until: float = 0.0
    locks: int = 0
    pending: int = 0


def now(wh: Warehouse) -> float:
    """The database's clock, in epoch seconds."""
    return float(wh.scalar("SELECT extract(epoch from clock_timestamp())"))


def load(wh: Warehouse, keys: Sequence[tuple[str, str]],
         at: float) -> dict[tuple[str, str], State]:
    """The rows of ``keys`` that exist, locked until the transaction ends (call inside one),
    as of ``at`` (pending attempts of a row left alone for PENDING_SECONDS are dropped)."""
    found = {}
    for kind, key in keys:
        for failures, until, locks, pending, touched in wh.query(
                "SELECT failures, locked_until, locks, pending, touched_at "
                "FROM cxlens_login_throttle WHERE kind = ? AND key = ? FOR UPDATE", [kind, key]):
            stale = touched is None or at - float(touched) > PENDING_SECONDS
            found[(kind, key)] = State([float(t) for t in (failures or "").split()],
                                       float(until or 0), int(locks or 0),
                                       0 if stale else int(pending or 0))
    return found


def claim(wh: Warehouse, keys: Sequence[tuple[str, str]]) -> None:
    """Make the rows of ``keys`` exist, so that :func:`load` can lock them (a row that does
    not exist yet cannot be locked: two workers would both see nothing)."""
    for kind, key in keys:
        wh.execute("INSERT INTO cxlens_login_throttle (kind, key, failures, locked_until, locks, "
                   "pending) VALUES (?, ?, '', 0, 0, 0) ON CONFLICT DO NOTHING", [kind, key])


def save(wh: Warehouse, kind: str, key: str, state: State | None, at: float) -> None:
    """Write ``state`` back as of ``at``, or drop the row (None: nothing left to
    remember)."""
    if state is None:
        wh.execute("DELETE FROM cxlens_login_throttle WHERE kind = ? AND key = ?", [kind, key])
        return
    wh.execute("UPDATE cxlens_login_throttle SET failures = ?, locked_until = ?, locks = ?, "
               "pending = ?, touched_at = ? WHERE kind = ? AND key = ?",
               [" ".join(repr(t) for t in state.failures), state.locked_until, state.locks,
                state.pending, at, kind, key])
