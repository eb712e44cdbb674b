"""A limit on request bodies, as a plain ASGI middleware (like :mod:`cxlens.web.headers`): a
request whose ``Content-Length`` is over the limit is refused with 413 before its body is
read; a body without one (chunked) is counted as it arrives and refused once it passes the
limit. The public survey routes (the collection API and the hosted pages' forms) have a small
limit — an answer is a few hundred bytes — the dashboard's file uploads (``/uploads``) a large
one, everything else a medium one (contract uploads). An import handed over by ``cxlens
import`` (``/api/imports``) has none, as a local import has none: its route checks the local
token before it reads a byte of the body (cxlens.handoff)."""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxlens.web.asgi import WatchedSend

COLLECT_MAX_BODY = 64 * 1024  # bytes, the collection API and survey pages
MAX_BODY = 10 * 1024 * 1024  # bytes, any other route
UPLOAD_MAX_BODY = 200 * 1024 * 1024  # bytes, the dashboard's file uploads
#: Path prefixes of the public survey routes (the small limit).
COLLECT_PATHS = ("/api/v1/responses", "/s/")
UPLOAD_PATH = "/uploads"  # the upload form's post (the large limit)
HANDOFF_PATH = "/api/imports"  # no limit: the token is checked before the body is read


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body without Content-Length passes the limit (a FastAPI
    HTTPException so that body parsing passes it on instead of turning it into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes")
        self.limit = limit


def too_large_body(limit: int) -> bytes:
    """The app's one JSON error shape for a 413."""
    return json.dumps({"error": {
        "status": 413, "code": "body_too_large",
        "message": f"the request body is larger than {limit:,} bytes",
        "hint": "send a smaller request"}}).encode()


class BodyLimit:
    """Refuses bodies over ``collect_max_body`` on :data:`COLLECT_PATHS`, over
    ``upload_max_body`` on :data:`UPLOAD_PATH` and over ``max_body`` elsewhere but
    :data:`HANDOFF_PATH` (0: no limit)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY,
                 collect_max_body: int = COLLECT_MAX_BODY,
                 upload_max_body: int = UPLOAD_MAX_BODY) -> None:
        self.app, self.max_body, self.collect_max_body = app, max_body, collect_max_body
        self.upload_max_body = upload_max_body

    def limit(self, path: str) -> int:
        if path.startswith(COLLECT_PATHS):
            return self.collect_max_body
        if path == UPLOAD_PATH:
            return self.upload_max_body
        return 0 if path == HANDOFF_PATH else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        if limit <= 0:
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = limit + 1
            if declared > limit:
                await _refuse(send, limit)
                return
        received, over, watched = 0, False, WatchedSend(send)

        async def counting_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, counting_receive, watched)
        except BodyTooLarge:
            if watched.started:
                raise
            await _refuse(send, limit)
            return
        if over and not watched.started:  # the app swallowed the refusal without answering
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = too_large_body(limit)
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
