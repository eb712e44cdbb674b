"""Checking and changing passwords. Logging in is three steps (the stored hash, the argon2
check, the audited result) so the web app can run the slow check outside its warehouse lock;
``check_password`` runs them in a row for everyone else."""

from __future__ import annotations

from cxlens.accounts import audit, sessions, users
from cxlens.accounts.hashing import hash_password, verify
from cxlens.errors import ConfigError
from cxlens.store.base import Warehouse


def stored_hash(wh: Warehouse, username: str) -> str | None:
    rows = wh.query("SELECT password_hash FROM cxlens_users WHERE username = ?", [username])
    return str(rows[0][0]) if rows else None


def record_login(wh: Warehouse, username: str, ok: bool, detail: str | None = None) -> \
        users.User | None:
    """Audit a login attempt; the user when it succeeded."""
    audit.record(wh, username[:64], "login" if ok else "login_failed", detail)
    return users.get(wh, username) if ok else None


def check_password(wh: Warehouse, username: str, password: str) -> users.User | None:
    """The user when the password is right; None (and a failed-login record) otherwise."""
    ok = verify(stored_hash(wh, username), password)
    return record_login(wh, username, ok)


def set_password(wh: Warehouse, username: str, password: str, *, keep: str | None = None,
                 must_change: bool = False) -> int:
    """Replace the password and end every session of the user but ``keep`` (the session that
    changed it; None: all of them, as after an admin's reset, which passes ``must_change``
    so the user replaces the password the admin knows). Returns how many sessions ended."""
    users.get(wh, username)
    if len(password) < users.MIN_PASSWORD:
        raise ConfigError(f"the password must have at least {users.MIN_PASSWORD} characters",
                          "choose a longer one")
    with wh.transaction():
        wh.execute("UPDATE cxlens_users SET password_hash = ?, must_change = ? "
                   "WHERE username = ?", [hash_password(password), must_change, username])
        ended = sessions.end_sessions(wh, username, keep)
        audit.record(wh, username, "password_reset" if must_change else "password_changed",
                     f"ended {ended} session{'' if ended == 1 else 's'}")
    return ended
