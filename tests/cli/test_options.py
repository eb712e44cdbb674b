"""One check of --from/--to for every command: a reversed period is an error, whatever the order
the options are given in, before any data is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()

COMMANDS = [["query", "csat"], ["compare", "csat"], ["report"], ["casemix"], ["drivers", "csat"],
            ["cohorts"], ["sentiment"], ["themes"], ["qa", "scores"], ["qa", "calibrate"]]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_reversed_period_is_an_error_everywhere(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--from", "2026-06-01", "--to", "2026-01-31",
                                 "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "error: --from 2026-06-01 is after --to 2026-01-31" in result.stderr
    assert "fix: swap them: --from 2026-01-31 --to 2026-06-01" in result.stderr


def test_the_order_on_the_command_line_does_not_matter(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "csat", "--to", "2026-01-31", "--from", "2026-06-01"])
    assert result.exit_code == 2 and "is after --to" in result.stderr


def test_one_day_is_a_period(tmp_path: Path) -> None:
    # --to includes its day: the check passes and the command goes on to the warehouse
    db = tmp_path / "none.duckdb"
    result = runner.invoke(app, ["query", "csat", "--from", "2026-01-31", "--to", "2026-01-31",
                                 "--db", str(db)])
    assert result.exit_code == 2 and "no warehouse at" in result.stderr


def test_a_date_that_is_not_one_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["qa", "scores", "--since", "2026-02-30"])
    assert result.exit_code == 2
    assert "error: --from '2026-02-30' is not a date" in result.stderr
    assert "YYYY-MM-DD" in result.stderr
