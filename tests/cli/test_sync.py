"""cxlens sync as a user runs it: the report, the credential kept secret everywhere, and a
real crash (the process killed mid-sync) resumed without duplicates."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.connectors import state
from tests.connectors import freshdesk_data as fd
from tests.connectors import zendesk_data as zd
from tests.connectors.helpers import rows, tables

runner = CliRunner()
EXPORT = "/api/v2/incremental/tickets/cursor.json"


def test_sync_reports_what_landed_like_an_import(tmp_path: Path) -> None:
    from cxlens.cli import app

    db = tmp_path / "cx.duckdb"
    api = zd.account()
    with api.running() as url:
        result = runner.invoke(
            app,
            ["sync", "zendesk", "--url", url, "--email", zd.EMAIL, "--db", str(db)],
            env={"CXLENS_ZENDESK_TOKEN": zd.TOKEN})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "synced interactions: 5 row(s) read, 3 inserted, 0 updated, 1 quarantined" in out
    assert "synced survey_responses: 3 row(s) read, 2 inserted" in out
    assert "zendesk:tickets, row 104, column channel" in out
    assert "zendesk: 4 page(s), 8 new or changed record(s), 0 unchanged" in out


def _everything(db: Path) -> str:
    """Every value of every table of the warehouse, as text."""
    with store.connect(str(db)) as wh:
        return "\n".join(repr(wh.query(f'SELECT * FROM "{t}"')) for t in tables(wh))


@pytest.mark.parametrize("how", ["env", "file"])
def test_the_token_appears_in_no_output_log_or_table(tmp_path: Path, how: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from cxlens.cli import app

    caplog.set_level(logging.DEBUG)
    db = tmp_path / "cx.duckdb"
    (tmp_path / "token").write_text(fd.API_KEY + "\n")
    creds = ["--token-file", str(tmp_path / "token")] if how == "file" else []
    env = {"CXLENS_FRESHDESK_TOKEN": fd.API_KEY} if how == "env" else {}
    api = fd.account()
    outputs = []
    with api.running() as url:
        ok = runner.invoke(app, ["sync", "freshdesk", "--url", url, *creds, "--db", str(db)],
                           env=env)
        assert ok.exit_code == 0, ok.stderr
        outputs.append(ok.stdout + ok.stderr)
        api.fault("/api/v2/tickets", ("429", "86400"))  # a run that gives up at once
        failed = runner.invoke(app, ["sync", "freshdesk", "--url", url, *creds, "--db",
                                     str(db)], env=env)
        assert failed.exit_code == 2 and "rate limited for 86400 s" in failed.stderr
        outputs.append(failed.stdout + failed.stderr)
    # the credential did reach the server, so the scan below looks for something real
    assert any("Authorization: Basic" in h for h in api.headers_seen)
    assert fd.API_KEY not in "\n".join(outputs)
    assert fd.API_KEY not in caplog.text
    assert fd.API_KEY not in _everything(db)
    assert fd.API_KEY.encode() not in db.read_bytes()
    with store.connect(str(db)) as wh:
        assert rows(wh, "SELECT status FROM sync_runs ORDER BY started_at") == [("ok",),
                                                                              ("failed",)]


def test_a_missing_token_says_where_to_put_it(tmp_path: Path) -> None:
    from cxlens.cli import app

    result = runner.invoke(app, ["sync", "zendesk", "--url", "http://127.0.0.1:9",
                                 "--db", str(tmp_path / "cx.duckdb")],
                           env={"CXLENS_ZENDESK_TOKEN": ""})
    assert result.exit_code == 2
    assert "error: no API token: the environment variable CXLENS_ZENDESK_TOKEN is not set" \
        in result.stderr
    assert "fix: export CXLENS_ZENDESK_TOKEN=" in result.stderr


def test_a_sync_killed_mid_page_resumes_without_duplicates(tmp_path: Path) -> None:
    """SIGKILL while the API holds page 2: page 1's rows and cursor are committed, nothing
    of page 2 is; the next run lands the rest once."""
    from cxlens.cli import app

    db = tmp_path / "cx.duckdb"
    api = zd.account()
    api.fault(EXPORT, ("ok",), ("hold",))
    with api.running() as url:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cxlens.cli import main; main()", "sync", "zendesk",
             "--url", url, "--email", zd.EMAIL, "--db", str(db)],
            env={**os.environ, "CXLENS_ZENDESK_TOKEN": zd.TOKEN},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert api.held.wait(60), "the sync never asked for page 2"
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
        with store.connect(str(db)) as wh:
            assert state.cursor(wh, "zendesk", "tickets") == "Mg=="  # page 1's: position 2
            assert rows(wh, "SELECT interaction_id FROM interactions ORDER BY 1") == [
                ("101",), ("102",)]
        again = runner.invoke(app, ["sync", "zendesk", "--url", url, "--email", zd.EMAIL,
                                    "--db", str(db)], env={"CXLENS_ZENDESK_TOKEN": zd.TOKEN})
        assert again.exit_code == 0, again.stderr
    with store.connect(str(db)) as wh:
        assert rows(wh, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
            == [(3, 3)]
        assert rows(wh, f"SELECT {zd.COLUMNS} FROM interactions ORDER BY 1") == zd.INTERACTIONS
        assert rows(wh, "SELECT count(*), count(DISTINCT response_id) FROM survey_responses") \
            == [(2, 2)]
