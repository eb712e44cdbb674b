"""Helpers for the dashboard tests: logged-in clients of the shared server
(tests/web/server.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from cxlens.errors import ConfigError
from cxlens.reports.html import CHROMIUM_ARGS, chromium
from tests.web.server import PASSWORD, Server, free_port

__all__ = ["PASSWORD", "Server", "free_port"]
VENDORS = ("Acme BPO", "Northwind BPO", "in-house")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def login(server: Server, username: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    form = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_of(form.text),
                                           "next": "/overview"})
    assert response.status_code == 303, response.text[:500]
    return client


@pytest.fixture
def analyst(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "ann")) as client:
        yield client


@pytest.fixture
def acme(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "acme")) as client:
        yield client


def chromium_path() -> str:
    """Debian's Chromium, or a failure that says how to get it."""
    try:
        return chromium()
    except ConfigError as exc:
        pytest.fail(f"{exc.message}: {exc.hint} (.ci/run installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module (Playwright, the system's binary)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()
