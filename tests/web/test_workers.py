"""``cxlens serve --workers 2`` for real: a subprocess on a real Postgres holding the demo
(restored from a backup of the DuckDB demo). Each response names its worker
(``X-Cxlens-Worker``), so every test checks that both workers answered: a session made on one
is valid on the other, the collection API's rate limit and the login throttle count across
both, an import seen by one refreshes the other's cached pages, and the scheduled jobs run in
one worker at a time — in another once that one is killed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.store.backup import backup, restore
from cxlens.store.migrate import bump_data_version
from tests.web.conftest import csrf_of
from tests.web.server import PASSWORD, free_port

pytestmark = pytest.mark.postgres
HEADER = "x-cxlens-worker"
COLLECT_RATE = 2  # the server's --collect-rate: a burst of 20 (its minimum), then 2 per second
LOGIN_FAILURES = 3


@dataclass
class Team:
    url: str
    db: str
    proc: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def team(pg_url: str, demo_db: str, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Team]:
    folder = tmp_path_factory.mktemp("team")
    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    db = pg_url.rsplit("/", 1)[0] + f"/{name}"
    with store.connect(demo_db) as duck:
        backup(duck, folder / "demo")
    with store.connect(db) as wh:
        restore(wh, folder / "demo")
        accounts.ensure(wh)
        users.add(wh, "ann", PASSWORD, "analyst")
        users.add(wh, "bob", PASSWORD, "analyst")
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cxlens.cli import main; main()", "serve",
             "--workers", "2", "--port", str(port), "--db", db, "--no-prewarm",
             "--surveys-every", "0.5", "--collect-rate", str(COLLECT_RATE),
             "--login-failures", str(LOGIN_FAILURES)],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_both(url, proc, log)
        yield Team(url, db, proc, log)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _wait_for_both(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    seen: set[str] = set()
    while len(seen) < 2:
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the two workers did not start:\n{log.read_text()[-3000:]}")
        try:
            seen |= {r.headers[HEADER] for r in _spread(lambda c: c.get("/api/health"),
                                                        url, 8)}
        except httpx.TransportError:
            time.sleep(0.3)


def _client(url: str, cookies: httpx.Cookies | None = None) -> httpx.Client:
    """A client whose every request opens its own connection (a kept-alive one would stay
    with one worker)."""
    return httpx.Client(base_url=url, timeout=120, cookies=cookies,
                        headers={"Connection": "close"})


def _spread(call: Callable[[httpx.Client], httpx.Response], url: str, n: int,
            cookies: httpx.Cookies | None = None, parallel: int = 8) -> list[httpx.Response]:
    """``call`` ``n`` times, ``parallel`` at once, each on a new connection: while one worker
    is busy the other accepts, so both answer."""

    def one(_: int) -> httpx.Response:
        with _client(url, cookies) as client:
            return call(client)

    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(one, range(n)))


def _login(url: str, username: str) -> httpx.Cookies:
    with _client(url) as client:
        form = client.get("/login")
        response = client.post("/login", data={"username": username, "password": PASSWORD,
                                               "csrf_token": csrf_of(form.text),
                                               "next": "/overview"})
        assert response.status_code == 303, response.text[:300]
        return client.cookies


def _workers(responses: list[httpx.Response]) -> set[str]:
    return {r.headers[HEADER] for r in responses}


def test_a_session_and_its_csrf_token_work_on_both_workers(team: Team) -> None:
    cookies = _login(team.url, "ann")
    pages = _spread(lambda c: c.get("/api/me"), team.url, 40, cookies)
    assert [r.status_code for r in pages] == [200] * 40
    assert {r.json()["username"] for r in pages} == {"ann"}
    assert len(_workers(pages)) == 2

    def form_then_post(client: httpx.Client) -> httpx.Response:
        """The session-bound CSRF token from one connection's page, posted on another's."""
        token = csrf_of(client.get("/account/password").text)
        with _client(team.url, cookies) as other:
            return other.post("/account/password", data={
                "csrf_token": token, "current": "wrong-password", "password": "x" * 16,
                "again": "y" * 16})

    posts = _spread(form_then_post, team.url, 16, cookies)
    # the form's check passed (CSRF accepted) and answered the form's own refusal
    assert [r.status_code for r in posts] == [400] * 16
    assert all("The two new passwords differ" in r.text for r in posts)
    assert len(_workers(posts)) == 2


def test_the_collection_rate_limit_counts_across_workers(team: Team) -> None:
    """20 tokens, then 2 per second, for one client address in all: 40 requests at once
    get at most 20 plus what refilled meanwhile; with a bucket per worker all 40 would pass
    (20 per worker)."""
    started = time.monotonic()
    answers = _spread(lambda c: c.post("/api/v1/responses", content=b"{}",
                                       headers={"content-type": "application/json"}),
                      team.url, 40, parallel=10)
    elapsed = time.monotonic() - started
    passed = [r for r in answers if r.status_code != 429]
    limited = [r for r in answers if r.status_code == 429]
    assert len(passed) <= 20 + int(elapsed * COLLECT_RATE) + 1, (len(passed), elapsed)
    assert len(passed) >= 20
    assert all(r.headers.get("retry-after") for r in limited)
    assert len(_workers(answers)) == 2


def test_failed_logins_lock_the_account_on_every_worker(team: Team) -> None:
    with _client(team.url) as client:
        for _ in range(LOGIN_FAILURES):
            form = client.get("/login")
            r = client.post("/login", data={"username": "bob", "password": "wrong",
                                             "csrf_token": csrf_of(form.text)})
            assert r.status_code == 401

    def right_password(client: httpx.Client) -> httpx.Response:
        form = client.get("/login")
        return client.post("/login", data={"username": "bob", "password": PASSWORD,
                                           "csrf_token": csrf_of(form.text)},
                           headers={"accept": "application/json"})

    tries = _spread(right_password, team.url, 16)
    assert [r.status_code for r in tries] == [429] * 16
    assert len(_workers(tries)) == 2


def test_an_import_refreshes_the_cached_pages_of_both_workers(team: Team) -> None:
    cookies = _login(team.url, "ann")

    def vendors(c: httpx.Client) -> httpx.Response:
        return c.get("/api/pages/vendors")  # CSAT and volumes by vendor

    def settled() -> list[httpx.Response]:
        """The page from both workers once each has it for the current data: before that a
        worker answers 202 (being computed) or its earlier figures marked as updating."""
        deadline = time.monotonic() + 180
        while True:
            answers = _spread(vendors, team.url, 16, cookies)
            if len(_workers(answers)) == 2 and all(
                    r.status_code == 200 and r.json()["updating"] is None for r in answers):
                return answers
            assert all(r.status_code in (200, 202) for r in answers), answers[0].text[:300]
            assert time.monotonic() < deadline, [r.text[:120] for r in answers[:2]]
            time.sleep(0.5)

    before = settled()  # both workers have the page cached now
    assert len({r.text for r in before}) == 1
    with store.connect(team.db) as wh, wh.transaction():  # what an import's transaction does
        wh.execute("DELETE FROM survey_responses WHERE vendor = 'Acme BPO'")
        wh.execute("DELETE FROM interactions WHERE vendor = 'Acme BPO'")
        bump_data_version(wh)
    after = settled()
    assert len({r.text for r in after}) == 1
    assert after[0].text != before[0].text


def _runs(db: str) -> list[tuple[str, dt.datetime]]:
    with store.connect(db) as wh:
        return [(str(w), t) for w, t in wh.query(
            "SELECT worker, started_at FROM cxlens_job_runs WHERE job = 'surveys' "
            "ORDER BY started_at")]


def _wait_for_runs(db: str, after: dt.datetime, n: int) -> list[tuple[str, dt.datetime]]:
    deadline = time.monotonic() + 90
    while True:
        runs = [r for r in _runs(db) if r[1] > after]
        if len(runs) >= n:
            return runs
        assert time.monotonic() < deadline, f"only {len(runs)} runs after {after}"
        time.sleep(0.5)


def test_scheduled_jobs_run_in_one_worker_and_move_when_it_dies(team: Team) -> None:
    start = dt.datetime.now(dt.UTC)
    runs = _wait_for_runs(team.db, start, 6)
    leaders = {w for w, _ in runs}
    assert len(leaders) == 1  # every 0.5 s on two workers: one of them runs them
    (leader,) = leaders
    pid = int(leader.rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)  # its connection, and the lock, go with it
    killed = dt.datetime.now(dt.UTC)
    later = _wait_for_runs(team.db, killed, 6)
    assert {w for w, _ in later} - {leader}
    assert leader not in {w for w, _ in later}
    assert len({w for w, _ in later}) == 1
