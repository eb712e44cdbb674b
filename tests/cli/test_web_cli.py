"""cxlens users and cxlens serve, as a user runs them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from cxlens import store
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


def test_serve_creates_the_first_admin_and_answers(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    port = free_port()
    cli = Path(sys.executable).with_name("cxlens")
    proc = subprocess.Popen([str(cli), "serve", "--port", str(port), "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        password = re.search(r"one-time password (\S+)", first)
        assert password, first
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            form = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            r = client.post("/login", data={"username": "admin", "password": password.group(1),
                                            "csrf_token": token.group(1)})
            assert r.status_code == 303 and r.headers["location"] == "/account/password"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)  # reads and closes the pipe
