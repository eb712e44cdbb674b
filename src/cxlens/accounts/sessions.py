"""Server-side dashboard sessions: the cookie carries a random id, the warehouse only its
sha256, so a copy of the warehouse opens no session. Setting and reading the cookie is the
web package's part (cxlens.web.security)."""

from __future__ import annotations

import datetime as dt
import secrets

from cxlens.accounts import users
from cxlens.accounts.clock import utcnow
from cxlens.accounts.hashing import digest
from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

SESSION_HOURS = 12

SESSIONS = Table("cxlens_sessions", "Dashboard sessions (only a hash of the cookie's id).", (
    Column("session_hash", Type.STRING, "sha256 of the session id in the cookie.",
           required=True),
    Column("username", Type.STRING, "Whose session.", required=True),
    Column("expires_at", Type.TIMESTAMP, "When it stops working.", required=True),
), key=("session_hash",), personal=keep("dashboard staff sessions, not customers"))

TABLES = (SESSIONS,)


def open_session(wh: Warehouse, user: users.User) -> str:
    """A new session's id (for the cookie), valid SESSION_HOURS; expired ones are dropped."""
    sid = secrets.token_urlsafe(32)
    with wh.transaction():
        wh.execute("DELETE FROM cxlens_sessions WHERE expires_at < ?", [utcnow()])
        wh.execute("INSERT INTO cxlens_sessions (session_hash, username, expires_at) "
                   "VALUES (?, ?, ?)",
                   [digest(sid), user.username, utcnow() + dt.timedelta(hours=SESSION_HOURS)])
    return sid


def session_user(wh: Warehouse, sid: str) -> users.User | None:
    """The user of a live session; None for an unknown or expired one."""
    rows = wh.query("SELECT username FROM cxlens_sessions WHERE session_hash = ? AND "
                    "expires_at > ?", [digest(sid), utcnow()])
    return users.get(wh, str(rows[0][0])) if rows else None


def close_session(wh: Warehouse, sid: str) -> None:
    wh.execute("DELETE FROM cxlens_sessions WHERE session_hash = ?", [digest(sid)])


def end_sessions(wh: Warehouse, username: str, keep: str | None = None) -> int:
    """End the user's sessions, except ``keep``'s; how many ended."""
    where, params = "username = ? AND session_hash <> ?", [username, digest(keep or "")]
    ended = int(wh.scalar(f"SELECT count(*) FROM cxlens_sessions WHERE {where} AND "
                          "expires_at > ?", [*params, utcnow()]))
    wh.execute(f"DELETE FROM cxlens_sessions WHERE {where}", params)
    return ended
