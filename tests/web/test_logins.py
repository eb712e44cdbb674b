"""Failed logins are throttled (per account and per client address, answered 429 with
Retry-After) and audited, and verifying a password does not hold the lock every request
needs: a real server on its own small warehouse per test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from cxlens import accounts, store
from cxlens.accounts import audit, tokens, users
from cxlens.store.base import Warehouse
from cxlens.web.app import create_app
from cxlens.web.throttle import LoginPolicy, LoginThrottle, LoginThrottled
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.server import running

HTML = {"accept": "text/html"}


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    warehouse = store.connect(str(tmp_path / "logins.duckdb"))
    accounts.ensure(warehouse)
    for name in ("ann", "bob", "cat"):
        users.add(warehouse, name, PASSWORD, "analyst")
    yield warehouse
    warehouse.close()


def attempt(client: httpx.Client, username: str, password: str,
            headers: dict[str, str] | None = None) -> httpx.Response:
    form = client.get("/login")
    return client.post("/login", headers=headers,
                       data={"username": username, "password": password,
                             "csrf_token": csrf_of(form.text), "next": "/overview"})


def actions(wh: Warehouse, username: str) -> list[str]:
    return [str(a) for _, u, a, _ in reversed(audit.recent(wh, 1000)) if u == username]


def test_an_account_is_locked_after_repeated_failures(wh: Warehouse) -> None:
    app = create_app(wh, login_policy=LoginPolicy(failures=3, lock_seconds=60))
    with running(app) as url, closing(httpx.Client(base_url=url, timeout=60)) as client:
        for _ in range(3):
            assert attempt(client, "ann", "wrong-password").status_code == 401
        locked = attempt(client, "ann", PASSWORD)  # the right password is refused too
        assert locked.status_code == 429
        assert 50 <= int(locked.headers["retry-after"]) <= 60
        error = locked.json()["error"]
        assert error["status"] == 429 and error["code"] == "login_throttled"
        assert "ann" not in error["message"] and error["hint"]
        page = attempt(client, "ann", PASSWORD, HTML)
        assert page.status_code == 429 and "retry-after" in page.headers
        assert "Too many failed logins" in page.text and "<form" in page.text
        assert attempt(client, "bob", PASSWORD).status_code == 303  # others are not locked
    assert actions(wh, "ann") == ["login_failed"] * 3 + ["login_throttled"] * 2
    assert actions(wh, "bob") == ["login"]


def test_a_success_clears_the_failures(wh: Warehouse) -> None:
    app = create_app(wh, login_policy=LoginPolicy(failures=3))
    with running(app) as url, closing(httpx.Client(base_url=url, timeout=60)) as client:
        for _ in range(2):
            assert attempt(client, "ann", "wrong-password").status_code == 401
        assert attempt(client, "ann", PASSWORD).status_code == 303
        for _ in range(2):
            assert attempt(client, "ann", "wrong-password").status_code == 401
        assert attempt(client, "ann", PASSWORD).status_code == 303


def test_an_address_is_limited_across_accounts(wh: Warehouse) -> None:
    app = create_app(wh, login_policy=LoginPolicy(failures=100, address_failures=4))
    with running(app) as url, closing(httpx.Client(base_url=url, timeout=60)) as client:
        for name in ("ann", "bob", "nobody", "cat"):
            assert attempt(client, name, "wrong-password").status_code == 401
        throttled = attempt(client, "cat", PASSWORD)
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        assert throttled.json()["error"]["code"] == "login_throttled"
    assert actions(wh, "cat") == ["login_failed", "login_throttled"]


def test_locks_grow_and_expire() -> None:
    throttle = LoginThrottle(LoginPolicy(failures=2, window=900, lock_seconds=60,
                                         max_lock_seconds=200))

    def fail(username: str, at: float) -> None:
        throttle.begin(username, "10.0.0.1", now=at)
        throttle.finish(username, "10.0.0.1", False, now=at)

    t = 1000.0
    for lock in (60, 120, 200, 200):
        fail("ann", t)
        fail("ann", t)
        assert throttle.retry_after("ann", "10.0.0.1", now=t) == lock
        assert throttle.retry_after("ann", "10.0.0.1", now=t + lock - 1) == 1
        with pytest.raises(LoginThrottled):
            throttle.begin("ann", "10.0.0.1", now=t + lock - 1)
        t += lock
        assert throttle.retry_after("ann", "10.0.0.1", now=t) is None
    throttle.begin("ann", "10.0.0.1", now=t)
    throttle.finish("ann", "10.0.0.1", True, now=t)
    fail("ann", t)
    fail("ann", t)
    assert throttle.retry_after("ann", "10.0.0.1", now=t) == 60  # back to the first lock
    fail("bob", t)  # failures older than the window are forgotten
    fail("bob", t + 901)
    assert throttle.retry_after("bob", "10.0.0.1", now=t + 901) is None
    # attempts being verified count: with one failure and one pending, a third must wait
    throttle.begin("cat", "10.0.0.2", now=t)
    throttle.finish("cat", "10.0.0.2", False, now=t)
    throttle.begin("cat", "10.0.0.2", now=t)
    with pytest.raises(LoginThrottled):
        throttle.begin("cat", "10.0.0.2", now=t)


def test_hashing_does_not_hold_the_lock_every_request_needs(wh: Warehouse) -> None:
    """A user whose stored hash takes seconds to verify (argon2 verifies with the hash's own
    cost): while bad logins for them are being verified, a cheap authenticated request is
    answered — before the logins finish."""
    slow = PasswordHasher(time_cost=700, memory_cost=8192, parallelism=1)
    wh.execute("UPDATE cxlens_users SET password_hash = ? WHERE username = 'bob'",
               [slow.hash(PASSWORD)])
    token = tokens.issue_token(wh, "ann", "probe")
    app = create_app(wh)
    with running(app) as url:
        # forms first, so the threads go straight to the verification
        clients = [httpx.Client(base_url=url, timeout=120) for _ in range(2)]
        forms = [csrf_of(c.get("/login").text) for c in clients]
        done = threading.Event()
        statuses: list[int] = []

        def bad_login(client: httpx.Client, csrf: str) -> None:
            statuses.append(client.post("/login", data={
                "username": "bob", "password": "wrong-password", "csrf_token": csrf}).status_code)

        threads = [threading.Thread(target=bad_login, args=(c, f))
                   for c, f in zip(clients, forms, strict=True)]
        for thread in threads:
            thread.start()
        done.wait(0.5)  # let them reach the verification (each takes seconds)
        me = httpx.get(f"{url}/api/me", headers={"authorization": f"Bearer {token}"},
                       timeout=120)
        still_verifying = sum(thread.is_alive() for thread in threads)
        for thread in threads:
            thread.join(120)
        for client in clients:
            client.close()
    assert me.status_code == 200 and me.json()["username"] == "ann"
    assert still_verifying == 2, "/api/me waited for the password verifications"
    assert statuses == [401, 401]


def test_concurrent_attempts_cannot_outrun_the_lock(wh: Warehouse) -> None:
    """Ten bad logins sent at once (each takes a while to verify): only as many as the limit
    are checked, the others are refused at once."""
    slow = PasswordHasher(time_cost=150, memory_cost=8192, parallelism=1)
    wh.execute("UPDATE cxlens_users SET password_hash = ? WHERE username = 'bob'",
               [slow.hash(PASSWORD)])
    app = create_app(wh, login_policy=LoginPolicy(failures=3))
    with running(app) as url:
        clients = [httpx.Client(base_url=url, timeout=120) for _ in range(10)]
        forms = [csrf_of(c.get("/login").text) for c in clients]
        statuses: list[int] = []

        def bad_login(client: httpx.Client, csrf: str) -> None:
            statuses.append(client.post("/login", data={
                "username": "bob", "password": "wrong-password", "csrf_token": csrf}).status_code)

        threads = [threading.Thread(target=bad_login, args=(c, f))
                   for c, f in zip(clients, forms, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        for client in clients:
            client.close()
    assert len(statuses) == 10 and set(statuses) <= {401, 429}
    assert statuses.count(401) <= 3
    assert actions(wh, "bob").count("login_failed") == statuses.count(401)
