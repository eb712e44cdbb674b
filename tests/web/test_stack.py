"""``cxlens serve`` runs on the production stack, uvloop and httptools (issue 18): a real
server configured by ``server_config`` answers from a uvloop event loop, and its HTTP
protocol is httptools' (h11 and the asyncio loop were about half as fast per request,
docs/performance.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from cxlens.web import stack
from cxlens.web.proxies import server_config
from tests.web.server import running


async def _loop_name(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that answers with the module of the loop it runs on."""
    body = type(asyncio.get_running_loop()).__module__.encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


def test_the_server_answers_from_a_uvloop_event_loop() -> None:
    with running(_loop_name) as url:
        answer = httpx.get(url + "/")
    assert answer.status_code == 200
    assert answer.text == "uvloop"


def test_the_server_parses_http_with_httptools() -> None:
    config = server_config(_loop_name, host="127.0.0.1", port=1)
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    assert stack.describe() == "uvloop + httptools"
