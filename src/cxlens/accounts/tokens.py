"""API tokens for scripts (``Authorization: Bearer cxl_…``): issued with an expiry (30 days
unless told otherwise, like GitHub's and GitLab's personal access tokens; ``never`` only when
asked), listed without their secret, revoked by id. Only the sha256 of a secret is stored.
Reading the header is the web package's part (cxlens.web.security)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from cxlens.accounts import audit, users
from cxlens.accounts.clock import utcnow
from cxlens.accounts.hashing import digest
from cxlens.errors import ConfigError, CxlensError, NotFound
from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

TOKENS = Table("cxlens_tokens", "API tokens for scripts (only a hash is kept).", (
    Column("token_hash", Type.STRING, "sha256 of the token.", required=True),
    Column("username", Type.STRING, "The user the token acts as.", required=True),
    Column("label", Type.STRING, "What the token is for."),
    Column("created_at", Type.TIMESTAMP, "When it was issued.", required=True),
    Column("expires_at", Type.TIMESTAMP, "When it stops working (empty: never; tokens issued "
           "before expiry existed)."),
    Column("last_used_at", Type.TIMESTAMP, "When it last authenticated a request (to the "
           "hour)."),
), key=("token_hash",), personal=keep("staff API tokens, not customers"))

TABLES = (TOKENS,)

#: A token's life unless told otherwise (GitHub's and GitLab's default for personal tokens).
TOKEN_DAYS = 30
#: How stale a token's ``last_used_at`` may get: one write per token and hour, not per request.
TOKEN_USE_RESOLUTION = dt.timedelta(hours=1)


class TokenExpired(CxlensError):
    code = "token_expired"
    status = 401


@dataclass(frozen=True)
class Token:
    """A token as listed: never its secret. ``id`` is the first characters of the secret's
    sha256 (stored already), so tokens issued before ids existed have one too."""

    id: str
    username: str
    label: str | None
    created_at: dt.datetime | None
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None


ID_LENGTH = 12


def token_expiry(text: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """``--expires``: ``Nd`` days from now, a date (``2027-01-31``: it
    stops working as that day begins, 00:00 UTC), or ``never``."""
    now = now or utcnow()
    spec = text.strip().lower()
    if spec in ("never", "none"):
        return None
    if spec.endswith("d") and spec[:-1].isdigit() and int(spec[:-1]) > 0:
        return now + dt.timedelta(days=int(spec[:-1]))
    try:
        day = dt.date.fromisoformat(spec)
    except ValueError:
        day = None
    if day is not None and day > now.date():
        return dt.datetime.combine(day, dt.time(), dt.UTC)
    raise ConfigError(f"cannot read the expiry {text!r}: it is not a number of days, a future "
                      "date or never",
                      f"say e.g. --expires 90d, --expires {now.year + 1}-01-31 or "
                      f"--expires never (default: {TOKEN_DAYS}d)")


def issue_token(wh: Warehouse, username: str, label: str | None = None, *,
                expires: str | dt.datetime | None = f"{TOKEN_DAYS}d") -> str:
    """A new token's secret (shown once; only its sha256 is stored). ``expires``: when it
    stops working, as a time or as ``--expires`` reads it (days counted from its creation);
    None: never."""
    users.get(wh, username)
    now = utcnow()
    if isinstance(expires, str):
        expires = token_expiry(expires, now)
    token = "cxl_" + secrets.token_urlsafe(32)
    with wh.transaction():
        wh.execute("INSERT INTO cxlens_tokens (token_hash, username, label, created_at, "
                   "expires_at) VALUES (?, ?, ?, ?, ?)",
                   [digest(token), username, label, now, expires])
        audit.record(wh, None, "token_issued", f"{username}: {label or ''} (id "
                     f"{digest(token)[:ID_LENGTH]}, expires {expires or 'never'})")
    return token


def listing(wh: Warehouse, username: str | None = None) -> list[Token]:
    """Every token (or ``username``'s), by user and label."""
    where, params = ("WHERE username = ?", [username]) if username else ("", [])
    rows = wh.query("SELECT token_hash, username, label, created_at, last_used_at, expires_at "
                    f"FROM cxlens_tokens {where} ORDER BY username, label NULLS LAST, "
                    "created_at", params)
    return [Token(str(h)[:ID_LENGTH], str(user), None if label is None else str(label),
                  _time(created), _time(used), _time(expires))
            for h, user, label, created, used, expires in rows]


def _time(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def revoke_token(wh: Warehouse, token_id: str, by: str | None = None) -> Token:
    """Delete the token whose id is ``token_id``; it stops working at once."""
    found = [t for t in listing(wh) if t.id == token_id.strip()]
    if not found:
        raise NotFound(f"no API token {token_id!r}", "list them with: cxlens users tokens")
    token = found[0]
    with wh.transaction():
        wh.execute("DELETE FROM cxlens_tokens WHERE substr(token_hash, 1, ?) = ?",
                   [ID_LENGTH, token.id])
        audit.record(wh, by, "token_revoked",
                     f"{token.username}: {token.label or ''} (id {token.id})")
    return token


def token_user(wh: Warehouse, token: str) -> users.User | None:
    """The user a token acts as; None for an unknown (or revoked) one; TokenExpired for one
    past its expiry. Records the use, at most once per TOKEN_USE_RESOLUTION."""
    now = utcnow()
    rows = wh.query("SELECT username, expires_at, expires_at IS NOT NULL AND expires_at <= ?, "
                    "last_used_at IS NULL OR last_used_at < ? FROM cxlens_tokens "
                    "WHERE token_hash = ?", [now, now - TOKEN_USE_RESOLUTION, digest(token)])
    if not rows:
        return None
    username, expires_at, expired, stale = rows[0]
    if expired:
        raise TokenExpired(f"the API token expired on {expires_at:%Y-%m-%d %H:%M} UTC",
                           "issue a new one with: cxlens users token USER --expires 90d")
    if stale:
        wh.execute("UPDATE cxlens_tokens SET last_used_at = ? WHERE token_hash = ?",
                   [now, digest(token)])
    return users.get(wh, str(username))
