"""X-Forwarded-For is believed only from the proxies given with ``--trusted-proxy`` (issue 16):
real servers (uvicorn configured as ``cxlens serve`` configures it) on a small warehouse, the
collection API's rate limiter, the login throttle and the audit log as the witnesses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from cxlens import accounts, store
from cxlens.accounts import audit, users
from cxlens.errors import ConfigError
from cxlens.store.base import Warehouse
from cxlens.web.app import create_app
from cxlens.web.proxies import trusted_proxies
from cxlens.web.throttle import LoginPolicy
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.server import running

BURST = 20  # the collection limiter's burst at any rate up to 10 per second (web/app.py)
ANSWER = {"token": "x.1.y", "score": 1}  # refused after the rate limit: 404 or 4xx, not 429


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    warehouse = store.connect(str(tmp_path / "proxies.duckdb"))
    accounts.ensure(warehouse)
    users.add(warehouse, "ann", PASSWORD, "analyst")
    yield warehouse
    warehouse.close()


def _answers(client: httpx.Client, forwarded: list[str]) -> list[int]:
    return [client.post("/api/v1/responses", json=ANSWER,
                        headers={"x-forwarded-for": xff}).status_code for xff in forwarded]


def test_rotating_forwarded_for_is_ignored_without_a_trusted_proxy(wh: Warehouse) -> None:
    app = create_app(wh, collect_rate=0.01)  # 20 at once, then one per 100 s
    rotating = [f"198.51.100.{i}" for i in range(1, BURST + 2)]
    with running(app) as url, closing(httpx.Client(base_url=url, timeout=60)) as client:
        codes = _answers(client, rotating)
    assert 429 not in codes[:BURST]
    assert codes[BURST] == 429


def test_a_trusted_proxy_s_clients_are_limited_one_by_one(wh: Warehouse) -> None:
    app = create_app(wh, collect_rate=0.01)
    with running(app, trusted=["127.0.0.1"]) as url, \
            closing(httpx.Client(base_url=url, timeout=60)) as client:
        one = _answers(client, ["198.51.100.1"] * (BURST + 1))
        others = _answers(client, [f"198.51.100.{i}" for i in range(2, BURST + 3)])
    assert 429 not in one[:BURST] and one[BURST] == 429
    assert 429 not in others  # 21 distinct clients, one answer each


def test_a_spoofed_chain_resolves_to_the_rightmost_untrusted_address(wh: Warehouse) -> None:
    """The client wrote "192.0.2.N" itself; the trusted proxies (127.0.0.1 and 10.0.0.0/8,
    a different hop each time) appended the real address and their own: every request is
    203.0.113.7's — neither the leftmost nor the rightmost address, both of which rotate."""
    app = create_app(wh, collect_rate=0.01)
    chains = [f"192.0.2.{i}, 203.0.113.7, 10.1.2.{i}" for i in range(1, BURST + 2)]
    with running(app, trusted=["127.0.0.1", "10.0.0.0/8"]) as url, \
            closing(httpx.Client(base_url=url, timeout=60)) as client:
        codes = _answers(client, chains)
    assert 429 not in codes[:BURST] and codes[BURST] == 429


def _fail_login(client: httpx.Client, xff: str) -> httpx.Response:
    form = client.get("/login")
    return client.post("/login", headers={"x-forwarded-for": xff},
                       data={"username": "ann", "password": "wrong-password",
                             "csrf_token": csrf_of(form.text), "next": "/overview"})


def _login_sources(wh: Warehouse) -> list[str]:
    """The audit log's "from ADDRESS" of each login attempt, oldest first."""
    return [str(d) for _, _, action, d in reversed(audit.recent(wh, 100))
            if str(action).startswith("login")]


def test_rotating_forwarded_for_does_not_escape_the_login_throttle(wh: Warehouse) -> None:
    app = create_app(wh, login_policy=LoginPolicy(failures=0, address_failures=3))
    with running(app) as url, closing(httpx.Client(base_url=url, timeout=60)) as client:
        codes = [_fail_login(client, f"198.51.100.{i}").status_code for i in range(1, 5)]
    assert codes == [401, 401, 401, 429]
    assert _login_sources(wh) == ["from 127.0.0.1"] * 4


def test_the_audit_log_records_the_resolved_client(wh: Warehouse) -> None:
    app = create_app(wh, login_policy=LoginPolicy(failures=0, address_failures=3))
    with running(app, trusted=["127.0.0.1"]) as url, \
            closing(httpx.Client(base_url=url, timeout=60)) as client:
        codes = [_fail_login(client, f"192.0.2.{i}, 203.0.113.{i}").status_code
                 for i in range(1, 5)]
        assert _fail_login(client, "203.0.113.9").status_code == 401
    assert codes == [401, 401, 401, 401]  # four clients, one failure each
    assert _login_sources(wh) == ["from 203.0.113.1", "from 203.0.113.2", "from 203.0.113.3",
                       "from 203.0.113.4", "from 203.0.113.9"]


def test_a_bad_trusted_proxy_is_refused_with_every_problem() -> None:
    with pytest.raises(ConfigError) as err:
        trusted_proxies(["10.0.0.1", "proxy.local", "10.0.0.0/33"])
    assert "'proxy.local'" in err.value.message and "'10.0.0.0/33'" in err.value.message
    assert "10.0.0.0/8" in err.value.hint
    assert trusted_proxies(["::1", " 10.0.0.0/8"]) == ("::1", "10.0.0.0/8")
