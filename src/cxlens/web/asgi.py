"""Small ASGI pieces shared by the app's plain middlewares."""

from __future__ import annotations

from starlette.types import Message, Send


class WatchedSend:
    """``send`` that remembers whether the response has started (after which a middleware
    can no longer answer with its own error)."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)
