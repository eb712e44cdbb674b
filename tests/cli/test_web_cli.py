"""cxlens users and cxlens serve, as a user runs them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from typer.testing import CliRunner

from cxlens import store
from cxlens.accounts import audit
from cxlens.cli import app
from tests.web.conftest import free_port

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_users_add_list_token_remove(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()  # an empty warehouse (a missing one is refused)
    pw = {"CXLENS_PASSWORD": "a-long-password"}
    assert run("users", "add", "ann", "--role", "analyst", "--db", db, env=pw)[0] == 0
    code, out, _ = run("users", "add", "acme", "--role", "vendor", "--vendor", "Acme BPO",
                       "--db", db, env=pw)
    assert code == 0 and "vendor Acme BPO" in out
    code, _, err = run("users", "add", "bob", "--role", "vendr", "--db", db,
                       env={"CXLENS_PASSWORD": "short"})
    assert code == 2  # every problem at once, with the fix
    assert "at least 10 characters" in err and 'Did you mean "vendor"?' in err
    code, out, _ = run("users", "list", "--format", "json", "--db", db)
    assert [(u["username"], u["role"], u["vendor"]) for u in json.loads(out)] == [
        ("acme", "vendor", "Acme BPO"), ("ann", "analyst", None)]
    code, out, _ = run("users", "token", "ann", "--label", "cron", "--db", db)
    assert code == 0 and re.fullmatch(r"cxl_[\w-]{40,}", out.strip())
    assert run("users", "remove", "ann", "--db", db)[0] == 0
    code, _, err = run("users", "remove", "ann", "--db", db)
    assert code == 2 and "no user 'ann'" in err


@contextmanager
def serving(db: str, *options: str) -> Iterator[tuple[str, str]]:
    """``cxlens serve`` as a user runs it, until it answers; yields its URL and the first line
    it printed."""
    port = free_port()
    cli = Path(sys.executable).with_name("cxlens")
    proc = subprocess.Popen([str(cli), "serve", "--port", str(port), "--db", db, *options],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", first
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)  # reads and closes the pipe


def _login(client: httpx.Client, password: str,
           headers: dict[str, str] | None = None) -> httpx.Response:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    return client.post("/login", headers=headers,
                       data={"username": "admin", "password": password,
                             "csrf_token": token.group(1)})


def test_serve_creates_the_first_admin_and_answers(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    with serving(db) as (url, first), httpx.Client(base_url=url) as client:
        password = re.search(r"one-time password (\S+)", first)
        assert password, first
        r = _login(client, password.group(1))
        assert r.status_code == 303 and r.headers["location"] == "/account/password"


def test_serve_believes_x_forwarded_for_only_from_trusted_proxies(tmp_path: Path) -> None:
    """Issue 16: the audit log records the client the server believes (with ``--trusted-proxy``
    the rightmost address not a trusted proxy; without, the connecting one)."""
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    chain = {"x-forwarded-for": "192.0.2.1, 203.0.113.7, 10.1.2.3"}
    with serving(db) as (url, _), httpx.Client(base_url=url) as client:
        assert _login(client, "wrong-password", chain).status_code == 401
    with serving(db, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/8") as \
            (url, _), httpx.Client(base_url=url) as client:
        assert _login(client, "wrong-password", chain).status_code == 401
    wh = store.connect(db)
    try:
        sources = [str(d) for _, _, a, d in reversed(audit.recent(wh, 100))
                   if a == "login_failed"]
    finally:
        wh.close()
    assert sources == ["from 127.0.0.1", "from 203.0.113.7"]


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    code, _, err = run("serve", "--trusted-proxy", "proxy.local", "--db", db,
                       env={"COLUMNS": "200"})
    assert code != 0
    assert "'proxy.local'" in err and "not an IP address or network" in err


def test_serve_caps_duckdb_s_memory(tmp_path: Path) -> None:
    """Issue 17: DuckDB's default buffer limit is 80 % of RAM, with Python's memory on top;
    the server sets its own (a quarter of RAM by default), read back from DuckDB."""
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    port = free_port()
    cli = Path(sys.executable).with_name("cxlens")
    with subprocess.Popen([str(cli), "serve", "--port", str(port), "--db", db,
                           "--memory-limit", "1GB", "--no-prewarm"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          env={**os.environ, "COLUMNS": "200"}) as proc:
        assert proc.stdout is not None
        try:
            lines = [proc.stdout.readline() for _ in range(2)]
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=20)
    assert lines[1].strip() == "DuckDB memory limit 953.0 MiB"  # 10⁹ B = 953.67 MiB, floored


def test_serve_refuses_a_memory_limit_that_is_no_size(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    code, _, err = run("serve", "--memory-limit", "lots", "--db", db, env={"COLUMNS": "200"})
    assert code == 2
    assert "--memory-limit 'lots' is not a size" in err and "e.g. --memory-limit 6GB" in err
