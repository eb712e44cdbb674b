"""The audit log: who logged in, exported, changed settings or erased data, when. Every layer
records to it (the dashboard, the CLI, the configuration stores, erasure), so it is a domain
module that imports nothing above the store."""

from __future__ import annotations

from cxlens.accounts.clock import utcnow
from cxlens.personal import by, redact
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

AUDIT = Table("cxlens_audit", "Who logged in and what was exported, when.", (
    Column("occurred_at", Type.TIMESTAMP, "When.", required=True),
    Column("username", Type.STRING, "Who (as typed, for failed logins)."),
    Column("action", Type.STRING, "login, login_failed, login_throttled, logout, export, "
           "user_added, password_changed, password_change_failed, password_reset, "
           "token_issued, token_revoked, ...",
           required=True),
    Column("detail", Type.STRING, "What exactly (route, file, user changed)."),
), key=(), personal=redact((by("mention", "detail"), by("mention", "username")), "detail",
                           "username"))

TABLES = (AUDIT,)


def record(wh: Warehouse, username: str | None, action: str, detail: str | None) -> None:
    """Add an entry; ``username`` None for the system (the CLI acting without a user)."""
    wh.execute("INSERT INTO cxlens_audit (occurred_at, username, action, detail) "
               "VALUES (?, ?, ?, ?)",
               [utcnow(), username, action, detail])


def recent(wh: Warehouse, limit: int = 100) -> list[tuple[object, ...]]:
    """The latest ``limit`` entries, newest first: (occurred_at, username, action, detail)."""
    return wh.query("SELECT occurred_at, username, action, detail FROM cxlens_audit "
                    "ORDER BY occurred_at DESC LIMIT ?", [limit])
