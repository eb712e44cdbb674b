"""The last resort: an exception no handler took becomes the app's one error shape — a 500
naming a reference id — and the server log gets its traceback under that id. The answer
says nothing of the internals (no exception text, no paths, no SQL).

A plain ASGI middleware placed inside :class:`~cxlens.web.headers.SecurityHeaders`:
Starlette's handler for ``Exception`` runs outside every middleware, so its answer would
carry no security headers. Known bad inputs must never get here: they are 4xx with a remedy
(tests/web/test_odd_inputs.py walks every route to prove it)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from cxlens.web.asgi import WatchedSend

log = logging.getLogger("cxlens.web")
#: Builds the error answer: (request, status, code, message, hint) -> response.
Respond = Callable[[Request, int, str, str, str], Response]


def reference() -> str:
    """A short id that ties an answer to its log entry (unguessable, so it reveals nothing)."""
    return secrets.token_hex(6)


class Fallback:
    """Answers any unhandled exception with ``respond(…, 500, "internal_error", …)``; an
    exception after the answer began can only be logged (the client sees a cut response)."""

    def __init__(self, app: ASGIApp, respond: Respond) -> None:
        self.app, self.respond = app, respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watched = WatchedSend(send)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            ref = reference()
            log.exception("unexpected error %s on %s %s", ref, scope.get("method"),
                          scope.get("path"))
            if watched.started:
                raise
            response = self.respond(
                Request(scope), 500, "internal_error",
                f"the server could not answer this request (reference {ref})",
                f"try again; if it persists, give the reference {ref} to the administrator "
                f"(the server log has the details)")
            await response(scope, receive, send)
