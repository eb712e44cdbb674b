"""Issue 18: ``cxlens import`` while ``cxlens serve`` holds the DuckDB file hands the import to
the server (cxlens.handoff) and prints what a local import prints, with the same exit code;
the rows and the quarantine are those of a local import into a copy of the warehouse. Real
processes: the server and every import are subprocesses of the installed command."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxlens import store
from cxlens.handoff import handoff_file
from tests.cli.serving import Served, cxlens, serving, stop

CSV = """interaction_id,channel,vendor,created_at
h-1,email,Zephyr BPO,2026-09-28 09:00:00
h-2,phone,Zephyr BPO,2026-09-28 10:00:00
h-3,pigeon,Zephyr BPO,2026-09-29 11:00:00
h-4,chat,Zephyr BPO,not a date
"""
MAPPED = "Ticket,Via,Opened\nm-1,email,2026-09-29 10:00:00\nm-2,fax,2026-09-29 11:00:00\n"
MAPPING = "table: interactions\ncolumns:\n  interaction_id: Ticket\n  channel: Via\n" \
          "  created_at: Opened\n"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    (tmp_path / "calls.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "mapped.csv").write_text(MAPPED, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    with serving(tmp_path) as served:
        yield served


def same_output(text: str) -> str:
    """An import's output without its duration (two runs never take the same time)."""
    return re.sub(r"\(\d+\.\d s\)", "(… s)", text)


def rows(db: Path) -> tuple[list[tuple[object, ...]], ...]:
    with store.connect(str(db)) as wh:
        return (wh.query("SELECT * FROM interactions ORDER BY interaction_id"),
                wh.query("SELECT table_name, source_file, source_row, status, rules, reason, "
                         "record FROM quarantine ORDER BY source_file, source_row"),
                wh.query("SELECT table_name, source_file, mapping, rows_read, rows_loaded, "
                         "rows_rejected, rows_flagged FROM import_log ORDER BY source_file"))


def test_an_import_while_serving_runs_in_the_server_and_reads_as_a_local_one(
        served: Served) -> None:
    runs = [("import", "interactions", "calls.csv"),
            ("import", "interactions", "mapped.csv", "--mapping", "map.yaml"),
            ("import", "interactions", "calls.csv"),  # again: updates, replaces quarantine
            ("import", "interactions", "missing.csv"),  # refused: no such file
            ("import", "interactions", "mapped.csv")]  # refused: required columns missing
    for args in runs:
        remote = cxlens(served.folder, *args, "--db", str(served.db))
        local = cxlens(served.folder, *args, "--db", str(served.copy))
        assert remote.returncode == local.returncode, (args, remote.stderr, local.stderr)
        assert same_output(remote.stdout) == same_output(local.stdout), args
        notice, _, error = remote.stderr.partition("\n")  # the hand-off's notice, one line
        assert "the import runs there" in notice
        assert error.strip() == local.stderr.strip(), args  # a refusal reads the same
    stop(served)
    assert rows(served.db) == rows(served.copy)
    with store.connect(str(served.db)) as wh:
        assert len(wh.query("SELECT * FROM interactions")) == 3  # h-1, h-2, m-1


def test_the_hand_off_file_is_private_beside_the_warehouse_and_goes_with_the_server(
        served: Served) -> None:
    file = handoff_file(served.db)
    assert file.parent == served.db.parent
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    token = re.search(r'"token": "([^"]+)"', file.read_text(encoding="utf-8"))
    assert token and len(token.group(1)) >= 40
    stop(served)
    assert not file.exists()
    assert token.group(1).encode() not in served.db.read_bytes()
    with store.connect(str(served.db)) as wh:  # the lock went with the server too
        assert wh.query("SELECT count(*) FROM interactions") == [(0,)]


def test_without_a_server_the_lock_error_stays(tmp_path: Path) -> None:
    """The file held by another process, beside the hand-off file a server killed with
    SIGKILL left behind: the import says the file is locked; it does not call the dead
    server."""
    db = tmp_path / "held.duckdb"
    (tmp_path / "calls.csv").write_text(CSV, encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    handoff_file(db).write_text('{"url": "http://127.0.0.1:9", "token": "t", "pid": '
                                f"{gone.stdout.strip()}}}", encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = cxlens(tmp_path, "import", "interactions", "calls.csv", "--db", str(db))
        assert done.returncode == 2
        assert "cannot open the DuckDB warehouse" in done.stderr
        assert "the import runs there" not in done.stderr
    finally:
        holder.kill()
        holder.communicate(timeout=30)
