"""Dashboard users: a name, a role (and for a vendor viewer, their vendor), an argon2id
password hash. Adding and removing users is audited; a removed user's sessions and tokens go
with them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cxlens.accounts import audit
from cxlens.accounts.clock import utcnow
from cxlens.accounts.hashing import hash_password
from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

ROLES = ("admin", "analyst", "vendor")
#: The shortest password accepted (for new users and changed passwords alike).
MIN_PASSWORD = 10

USERS = Table("cxlens_users", "Dashboard users.", (
    Column("username", Type.STRING, "Login name.", required=True),
    Column("password_hash", Type.STRING, "argon2id hash of the password.", required=True),
    Column("role", Type.STRING, "admin, analyst or vendor.", required=True, enum=ROLES),
    Column("vendor", Type.STRING, "For role vendor: the only vendor whose rows they see."),
    Column("must_change", Type.BOOLEAN,
           "The password is a one-time password to replace at login."),
    Column("created_at", Type.TIMESTAMP, "When the user was added.", required=True),
), key=("username",), personal=keep("dashboard staff accounts, not customers"))

TABLES = (USERS,)


@dataclass(frozen=True)
class User:
    username: str
    role: str
    vendor: str | None = None
    must_change: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _row(row: tuple[object, ...]) -> User:
    return User(str(row[0]), str(row[1]), None if row[2] is None else str(row[2]),
                bool(row[3]))


def listing(wh: Warehouse) -> list[User]:
    """Every user, by name."""
    return [_row(r) for r in wh.query("SELECT username, role, vendor, coalesce(must_change, "
                                      "false) FROM cxlens_users ORDER BY username")]


def get(wh: Warehouse, username: str) -> User:
    rows = wh.query("SELECT username, role, vendor, coalesce(must_change, false) "
                    "FROM cxlens_users WHERE username = ?", [username])
    if not rows:
        names = [u.username for u in listing(wh)]
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
    if len(password) < MIN_PASSWORD:
        problems.append(f"the password must have at least {MIN_PASSWORD} characters")
    if wh.query("SELECT 1 FROM cxlens_users WHERE username = ?", [username]):
        problems.append(f"user {username!r} exists already")
    if problems:
        raise ConfigError("; ".join(problems), f"roles: {', '.join(ROLES)}")
    with wh.transaction():
        wh.execute("INSERT INTO cxlens_users (username, password_hash, role, vendor, must_change, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [username, hash_password(password), role, vendor, must_change, utcnow()])
        audit.record(wh, None, "user_added",
                     f"{username} ({role}{f', {vendor}' if vendor else ''})")
    return User(username, role, vendor, must_change)


def remove(wh: Warehouse, username: str) -> None:
    """Remove the user with their sessions and API tokens (they stop working at once)."""
    get(wh, username)
    with wh.transaction():
        for table in ("cxlens_sessions", "cxlens_tokens", "cxlens_users"):
            wh.execute(f"DELETE FROM {table} WHERE username = ?", [username])
        audit.record(wh, None, "user_removed", username)


def first_admin(wh: Warehouse) -> str | None:
    """With no user at all, create ``admin`` with a one-time password and return it."""
    if wh.scalar("SELECT count(*) FROM cxlens_users"):
        return None
    password = secrets.token_urlsafe(12)
    add(wh, "admin", password, "admin", must_change=True)
    return password
