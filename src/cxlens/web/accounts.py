"""Dashboard accounts: users with hashed passwords and roles, server-side sessions, the API
tokens' table (issued and checked in web/apitokens.py) and the audit log — operational tables
owned by the web app, kept in the same warehouse.

Roles: ``admin`` (users and settings, and everything an analyst sees), ``analyst`` (every
figure, read only) and ``vendor`` (a BPO partner's viewer: only rows of their own vendor,
everywhere)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.personal import by, keep, redact
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

ROLES = ("admin", "analyst", "vendor")
SESSION_HOURS = 12
_S, _T, _B = Type.STRING, Type.TIMESTAMP, Type.BOOLEAN

USERS = Table("cxlens_users", "Dashboard users.", (
    Column("username", _S, "Login name.", required=True),
    Column("password_hash", _S, "argon2id hash of the password.", required=True),
    Column("role", _S, "admin, analyst or vendor.", required=True, enum=ROLES),
    Column("vendor", _S, "For role vendor: the only vendor whose rows they see."),
    Column("must_change", _B, "The password is a one-time password to replace at login."),
    Column("created_at", _T, "When the user was added.", required=True),
), key=("username",), personal=keep("dashboard staff accounts, not customers"))

SESSIONS = Table("cxlens_sessions", "Dashboard sessions (only a hash of the cookie's id).", (
    Column("session_hash", _S, "sha256 of the session id in the cookie.", required=True),
    Column("username", _S, "Whose session.", required=True),
    Column("expires_at", _T, "When it stops working.", required=True),
), key=("session_hash",), personal=keep("dashboard staff sessions, not customers"))

TOKENS = Table("cxlens_tokens", "API tokens for scripts (only a hash is kept).", (
    Column("token_hash", _S, "sha256 of the token.", required=True),
    Column("username", _S, "The user the token acts as.", required=True),
    Column("label", _S, "What the token is for."),
    Column("created_at", _T, "When it was issued.", required=True),
    Column("expires_at", _T, "When it stops working (empty: never; tokens issued before "
           "expiry existed)."),
    Column("last_used_at", _T, "When it last authenticated a request (to the hour)."),
), key=("token_hash",), personal=keep("staff API tokens, not customers"))

AUDIT = Table("cxlens_audit", "Who logged in and what was exported, when.", (
    Column("occurred_at", _T, "When.", required=True),
    Column("username", _S, "Who (as typed, for failed logins)."),
    Column("action", _S, "login, login_failed, login_throttled, logout, export, "
           "user_added, password_changed, password_change_failed, password_reset, "
           "token_issued, token_revoked, ...",
           required=True),
    Column("detail", _S, "What exactly (route, file, user changed)."),
), key=(), personal=redact((by("mention", "detail"), by("mention", "username")), "detail",
                           "username"))

TABLES = (USERS, SESSIONS, TOKENS, AUDIT)
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    role: str
    vendor: str | None = None
    must_change: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def ensure(wh: Warehouse) -> None:
    wh.ensure(*TABLES)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _row(row: tuple[object, ...]) -> User:
    return User(str(row[0]), str(row[1]), None if row[2] is None else str(row[2]),
                bool(row[3]))


def users(wh: Warehouse) -> list[User]:
    return [_row(r) for r in wh.query("SELECT username, role, vendor, coalesce(must_change, "
                                      "false) FROM cxlens_users ORDER BY username")]


def get(wh: Warehouse, username: str) -> User:
    rows = wh.query("SELECT username, role, vendor, coalesce(must_change, false) "
                    "FROM cxlens_users WHERE username = ?", [username])
    if not rows:
        names = [u.username for u in users(wh)]
        raise NotFound(f"no user {username!r}.{did_you_mean(username, names)}",
                       "list them with: cxlens users list")
    return _row(rows[0])


def add(wh: Warehouse, username: str, password: str, role: str, vendor: str | None = None,
        *, must_change: bool = False) -> User:
    """Add a user; every problem with the request is reported at once."""
    problems = []
    if not username or username != username.strip() or len(username) > 64:
        problems.append("the username must be 1–64 characters without surrounding spaces")
    if role not in ROLES:
        problems.append(f"unknown role {role!r}.{did_you_mean(role, ROLES)}")
    if role == "vendor" and not vendor:
        problems.append("a vendor viewer needs --vendor NAME (the vendor whose rows they see)")
    if role != "vendor" and vendor:
        problems.append("only role vendor takes a --vendor")
    if len(password) < 10:
        problems.append("the password must have at least 10 characters")
    if wh.query("SELECT 1 FROM cxlens_users WHERE username = ?", [username]):
        problems.append(f"user {username!r} exists already")
    if problems:
        raise ConfigError("; ".join(problems), f"roles: {', '.join(ROLES)}")
    with wh.transaction():
        wh.execute("INSERT INTO cxlens_users (username, password_hash, role, vendor, must_change, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [username, _hasher.hash(password), role, vendor, must_change, utcnow()])
        audit(wh, None, "user_added", f"{username} ({role}{f', {vendor}' if vendor else ''})")
    return User(username, role, vendor, must_change)


def remove(wh: Warehouse, username: str) -> None:
    get(wh, username)
    with wh.transaction():
        for table in ("cxlens_sessions", "cxlens_tokens", "cxlens_users"):
            wh.execute(f"DELETE FROM {table} WHERE username = ?", [username])
        audit(wh, None, "user_removed", username)


def set_password(wh: Warehouse, username: str, password: str, *, keep: str | None = None,
                 must_change: bool = False) -> int:
    """Replace the password and end every session of the user but ``keep`` (the session that
    changed it; None: all of them, as after an admin's reset, which passes ``must_change``
    so the user replaces the password the admin knows). Returns how many sessions ended."""
    get(wh, username)
    if len(password) < 10:
        raise ConfigError("the password must have at least 10 characters",
                          "choose a longer one")
    with wh.transaction():
        wh.execute("UPDATE cxlens_users SET password_hash = ?, must_change = ? "
                   "WHERE username = ?", [_hasher.hash(password), must_change, username])
        ended = end_sessions(wh, username, keep)
        audit(wh, username, "password_reset" if must_change else "password_changed",
              f"ended {ended} session{'' if ended == 1 else 's'}")
    return ended


def check_password(wh: Warehouse, username: str, password: str) -> User | None:
    """The user when the password is right; None (and a failed-login record) otherwise.
    The web app calls the three steps itself, verifying outside its warehouse lock."""
    ok = verify(stored_hash(wh, username), password)
    return record_login(wh, username, ok)


def stored_hash(wh: Warehouse, username: str) -> str | None:
    rows = wh.query("SELECT password_hash FROM cxlens_users WHERE username = ?", [username])
    return str(rows[0][0]) if rows else None


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash (argon2: tens of milliseconds of CPU, so callers
    must not hold a lock others wait for). With no user, as long as a real check, so timing
    does not reveal usernames."""
    if stored is None:
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def record_login(wh: Warehouse, username: str, ok: bool, detail: str | None = None) -> \
        User | None:
    """Audit a login attempt; the user when it succeeded."""
    audit(wh, username[:64], "login" if ok else "login_failed", detail)
    return get(wh, username) if ok else None


def first_admin(wh: Warehouse) -> str | None:
    """With no user at all, create ``admin`` with a one-time password and return it."""
    if wh.scalar("SELECT count(*) FROM cxlens_users"):
        return None
    password = secrets.token_urlsafe(12)
    add(wh, "admin", password, "admin", must_change=True)
    return password


# -- sessions -----------------------------------------------------------------------------------
def open_session(wh: Warehouse, user: User) -> str:
    sid = secrets.token_urlsafe(32)
    with wh.transaction():
        wh.execute("DELETE FROM cxlens_sessions WHERE expires_at < ?", [utcnow()])
        wh.execute("INSERT INTO cxlens_sessions (session_hash, username, expires_at) "
                   "VALUES (?, ?, ?)",
                   [digest(sid), user.username, utcnow() + dt.timedelta(hours=SESSION_HOURS)])
    return sid


def session_user(wh: Warehouse, sid: str) -> User | None:
    rows = wh.query("SELECT username FROM cxlens_sessions WHERE session_hash = ? AND "
                    "expires_at > ?", [digest(sid), utcnow()])
    return get(wh, str(rows[0][0])) if rows else None


def close_session(wh: Warehouse, sid: str) -> None:
    wh.execute("DELETE FROM cxlens_sessions WHERE session_hash = ?", [digest(sid)])


def end_sessions(wh: Warehouse, username: str, keep: str | None = None) -> int:
    """End the user's sessions, except ``keep``'s; how many ended."""
    where, params = "username = ? AND session_hash <> ?", [username, digest(keep or "")]
    ended = int(wh.scalar(f"SELECT count(*) FROM cxlens_sessions WHERE {where} AND "
                          "expires_at > ?", [*params, utcnow()]))
    wh.execute(f"DELETE FROM cxlens_sessions WHERE {where}", params)
    return ended


# -- audit ---------------------------------------------------------------------------------------
def audit(wh: Warehouse, username: str | None, action: str, detail: str | None) -> None:
    wh.execute("INSERT INTO cxlens_audit (occurred_at, username, action, detail) "
               "VALUES (?, ?, ?, ?)",
               [utcnow(), username, action, detail])


def audit_log(wh: Warehouse, limit: int = 100) -> list[tuple[object, ...]]:
    return wh.query("SELECT occurred_at, username, action, detail FROM cxlens_audit "
                    "ORDER BY occurred_at DESC LIMIT ?", [limit])
