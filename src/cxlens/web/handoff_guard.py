"""Who may hand work to this server (cxlens.handoff): ``cxlens import`` and ``cxlens sync``
run in another terminal while ``cxlens serve`` holds the DuckDB file. The one check both
hand-off routes make before they read a byte of the body: the server published a hand-off,
the client is on this machine, and it sends the hand-off file's token (compared in constant
time). Also how both read their form's text fields."""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.datastructures import FormData

from cxlens.errors import Forbidden, NotFound
from cxlens.web.security import AuthError

LOOPBACK = ("127.0.0.1", "::1")


def check_handoff(request: Request, command: str) -> None:
    """Refuse the request unless it comes with the local token from a loopback address;
    ``command`` (``cxlens import``, ``cxlens sync``) names what the remedies should run."""
    token = getattr(request.app.state, "handoff", None)
    if not token:
        raise NotFound(f"this server takes no work handed over by {command}",
                       "only `cxlens serve` on a DuckDB file does (cxlens.handoff)")
    client = request.client.host if request.client else ""
    if client not in LOOPBACK:
        raise Forbidden(f"work handed over by {command} comes from this machine only",
                        f"run {command} on the machine that runs cxlens serve")
    sent = request.headers.get("authorization", "")
    if not sent.lower().startswith("bearer ") or \
            not hmac.compare_digest(sent[7:].strip().encode(), str(token).encode()):
        raise AuthError("the hand-off token is missing or wrong",
                        f"run {command} with the same --db as the running server")


def form_text(form: FormData, field: str) -> str:
    """The text field ``field`` of ``form``, stripped; empty when absent or a file."""
    value = form.get(field)
    return value.strip() if isinstance(value, str) else ""
