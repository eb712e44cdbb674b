"""--db naming a DuckDB file that does not exist is an error, except for the commands that
bring data in (demo, import), which create it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()


@pytest.mark.parametrize("args", [
    ["tables"], ["query", "csat"], ["cases", "list"], ["users", "list"], ["serve"],
    ["surveys", "show"], ["schedule", "list"], ["alerts", "list"],
])
def test_a_missing_warehouse_is_an_error_not_a_new_empty_one(tmp_path: Path,
                                                             args: list[str]) -> None:
    db = tmp_path / "typo.duckdb"
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 2
    assert f"error: no warehouse at {db}" in result.stderr
    assert "cxlens demo --db" in result.stderr and "cxlens import TABLE FILE --db" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not db.exists()


def test_the_environment_variable_is_checked_too(tmp_path: Path) -> None:
    db = tmp_path / "env.duckdb"
    result = runner.invoke(app, ["tables"], env={"CXLENS_DB": str(db)})
    assert result.exit_code == 2 and f"no warehouse at {db}" in result.stderr
    assert not db.exists()


def test_a_similar_name_next_to_it_is_suggested(tmp_path: Path) -> None:
    runner.invoke(app, ["import", "interactions", str(_csv(tmp_path)), "--db",
                        str(tmp_path / "demo_2026.duckdb")])
    result = runner.invoke(app, ["tables", "--db", str(tmp_path / "demo2026.duckdb")])
    assert result.exit_code == 2
    assert f'Did you mean "{tmp_path / "demo_2026.duckdb"}"?' in result.stderr


def test_import_creates_the_warehouse_and_then_other_commands_read_it(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    result = runner.invoke(app, ["import", "interactions", str(_csv(tmp_path)), "--db", str(db)])
    assert result.exit_code == 0 and db.exists()
    result = runner.invoke(app, ["tables", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0 and "interactions,1," in result.stdout


def _csv(folder: Path) -> Path:
    f = folder / "i.csv"
    f.write_text("interaction_id,channel,created_at\ni1,email,2024-01-01 10:00\n")
    return f
