"""cxlens backup / restore from the command line: the round trip, the refusal of an occupied
warehouse with its fix, and a failed restore into a new file leaving no file behind."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_backup_then_restore_into_a_new_file(demo_db: str, tmp_path: Path) -> None:
    source = tmp_path / "source.duckdb"
    shutil.copy(demo_db, source)
    code, out, err = run("backup", str(tmp_path / "bk"), "--db", str(source))
    assert code == 0, err
    assert f"to {tmp_path / 'bk'}" in " ".join(out.split())
    target = tmp_path / "new.duckdb"
    code, out, err = run("restore", str(tmp_path / "bk"), "--db", str(target))
    assert code == 0, err
    assert "restored" in out
    with store.connect(str(source)) as a, store.connect(str(target)) as b:
        for table in ("interactions", "survey_responses", "customers"):
            assert b.scalar(f"SELECT count(*) FROM {table}") == \
                a.scalar(f"SELECT count(*) FROM {table}") > 0

    code, _, err = run("restore", str(tmp_path / "bk"), "--db", str(target))
    assert code == 2
    assert "already holds data" in err and "--replace" in err
    code, _, err = run("restore", str(tmp_path / "bk"), "--db", str(target), "--replace")
    assert code == 0, err


def test_a_failed_restore_leaves_no_new_file(demo_db: str, tmp_path: Path) -> None:
    code, _, err = run("backup", str(tmp_path / "bk"), "--db", demo_db)
    assert code == 0, err
    (tmp_path / "bk" / "tables" / "customers.parquet").write_bytes(b"not parquet")
    target = tmp_path / "new.duckdb"
    code, _, err = run("restore", str(tmp_path / "bk"), "--db", str(target))
    assert code == 2
    assert "damaged" in err
    assert not target.exists()


def test_serving_a_duckdb_file_with_two_workers_is_refused(demo_db: str) -> None:
    code, _, err = run("serve", "--workers", "2", "--db", demo_db)
    assert code == 2
    text = " ".join(err.split())
    assert "--workers 2 needs a Postgres warehouse" in text
    assert "leave out --workers" in text
