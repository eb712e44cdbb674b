"""cxlens users (issue 16): API tokens are listed without their secret, revoked, and expire
(30 days unless told otherwise; ``never`` said explicitly); an admin's password reset ends the
user's sessions; warehouses made before token expiry get the new columns."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from cxlens import accounts, store
from cxlens.accounts import passwords, sessions, tokens, users
from cxlens.cli import app

runner = CliRunner()
PW = {"CXLENS_PASSWORD": "a-long-password"}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def warehouse(tmp_path: Path, *names: str) -> str:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        accounts.ensure(wh)
        for name in names:
            users.add(wh, name, "a-long-password", "analyst")
    return db


def test_tokens_are_listed_revoked_and_expire(tmp_path: Path) -> None:
    db = warehouse(tmp_path, "ann", "bob")
    code, cron, _ = run("users", "token", "ann", "--label", "cron", "--db", db)
    assert code == 0
    code, forever, err = run("users", "token", "ann", "--label", "bi", "--expires", "never",
                             "--db", db)
    assert code == 0 and "never expires" in err
    code, week, _ = run("users", "token", "bob", "--expires", "7d", "--db", db)
    assert code == 0
    code, _, err = run("users", "token", "bob", "--expires", "3x", "--db", db)
    assert code == 2 and "'3x'" in err and "90d" in err and "never" in err
    code, _, err = run("users", "token", "bob", "--expires", "0d", "--db", db)
    assert code == 2

    code, out, _ = run("users", "tokens", "--format", "json", "--db", db)
    assert code == 0
    listed = json.loads(out)
    for secret in (cron, forever, week):
        assert secret.strip() not in out
        assert hashlib.sha256(secret.strip().encode()).hexdigest() not in out
    assert [(t["username"], t["label"]) for t in listed] == [
        ("ann", "bi"), ("ann", "cron"), ("bob", None)]
    assert set(listed[0]) == {"id", "username", "label", "created_at", "last_used_at",
                              "expires_at"}
    days = {t["label"]: None if t["expires_at"] is None else
            (dt.datetime.fromisoformat(t["expires_at"]) -
             dt.datetime.fromisoformat(t["created_at"])).days for t in listed}
    assert days == {"bi": None, "cron": 30, None: 7}
    code, out, _ = run("users", "tokens", "bob", "--format", "json", "--db", db)
    assert [t["username"] for t in json.loads(out)] == ["bob"]

    cron_id = listed[1]["id"]
    assert run("users", "revoke", cron_id, "--db", db)[0] == 0
    code, out, _ = run("users", "tokens", "ann", "--format", "json", "--db", db)
    assert [t["label"] for t in json.loads(out)] == ["bi"]
    code, _, err = run("users", "revoke", cron_id, "--db", db)
    assert code == 2 and f"no API token {cron_id!r}" in err and "cxlens users tokens" in err
    with store.connect(db) as wh:
        assert tokens.token_user(wh, cron.strip()) is None
        assert tokens.token_user(wh, forever.strip()) == users.User("ann", "analyst")


def test_a_password_reset_ends_the_users_sessions(tmp_path: Path) -> None:
    db = warehouse(tmp_path, "ann", "bob")
    with store.connect(db) as wh:
        ann = [sessions.open_session(wh, users.get(wh, "ann")) for _ in range(2)]
        bob = sessions.open_session(wh, users.get(wh, "bob"))
    code, out, _ = run("users", "password", "ann", "--db", db,
                       env={"CXLENS_PASSWORD": "reset-by-the-admin"})
    assert code == 0 and "ended 2 sessions" in out
    with store.connect(db) as wh:
        assert [sessions.session_user(wh, sid) for sid in ann] == [None, None]
        assert sessions.session_user(wh, bob) == users.User("bob", "analyst")
        assert users.get(wh, "ann").must_change  # the admin knows it: one-time
        assert passwords.check_password(wh, "ann", "reset-by-the-admin") is not None
        assert passwords.check_password(wh, "ann", "a-long-password") is None
    code, _, err = run("users", "password", "nobody", "--db", db, env=PW)
    assert code == 2 and "no user 'nobody'" in err


def test_old_token_tables_get_the_new_columns(tmp_path: Path) -> None:
    """A warehouse from before expiry: its token keeps working (no expiry) and is listed."""
    db = str(tmp_path / "old.duckdb")
    token = "cxl_an-old-token-issued-before-expiry-existed"
    with store.connect(db) as wh:
        wh.execute("DROP TABLE cxlens_tokens")  # connect made today's; put back the old one
        wh.execute("CREATE TABLE cxlens_tokens (token_hash VARCHAR, username VARCHAR, "
                   "label VARCHAR, created_at TIMESTAMP)")
        wh.execute("INSERT INTO cxlens_tokens VALUES (?, 'ann', 'legacy', "
                   "TIMESTAMP '2025-03-01 09:00:00')",
                   [hashlib.sha256(token.encode()).hexdigest()])
        accounts.ensure(wh)
        users.add(wh, "ann", "a-long-password", "analyst")
        assert tokens.token_user(wh, token) == users.User("ann", "analyst")
        [old] = tokens.listing(wh)
        assert (old.username, old.label, old.expires_at) == ("ann", "legacy", None)
        assert old.created_at == dt.datetime(2025, 3, 1, 9)
