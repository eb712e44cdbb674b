"""Personal survey links: ``<invitation id>.<expiry>.<signature>``, an HMAC-SHA256 over the
id and the expiry with a secret kept in the warehouse. Forged or altered tokens fail the
signature check; expired ones fail the clock; used ones are refused by the collector."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

from cxlens.errors import CxlensError

_ID = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
SECRET_KEY = "surveys.secret"


class TokenError(CxlensError):
    """A survey link that cannot be used; ``code`` says why (forged, expired, used)."""

    status = 400

    def __init__(self, code: str, message: str, hint: str = "", status: int = 400) -> None:
        super().__init__(message, hint)
        self.code = code
        self.status = status


def new_invitation_id() -> str:
    return "inv_" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")


def _sign(secret: str, payload: str) -> str:
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")


def make(secret: str, invitation_id: str, expires_at: dt.datetime) -> str:
    payload = f"{invitation_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret: str, token: str, now: dt.datetime | None = None) -> str:
    """The invitation id of a valid, unexpired token; TokenError otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or not _ID.match(parts[0]) or not parts[1].isdigit():
        raise TokenError("link_invalid", "this survey link is incomplete or not valid",
                         "open the link from your invitation again, or copy all of it", 404)
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(secret, payload), parts[2]):
        raise TokenError("link_invalid", "this survey link is not valid (it was altered or "
                         "not issued by us)", "open the link from your invitation again", 404)
    expires = dt.datetime.fromtimestamp(int(parts[1]), dt.UTC)
    if (now or dt.datetime.now(dt.UTC)) >= expires:
        raise TokenError("link_expired", f"this survey closed on {expires:%d %B %Y}",
                         "thank you all the same; you will be asked again another time", 410)
    return parts[0]
