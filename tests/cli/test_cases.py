"""cxlens cases list: a page at a time with what is left said, statuses checked, overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.cli.cases import STATUSES
from cxlens.loop import cases
from cxlens.schema import CASE_STATUSES

runner = CliRunner()
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """60 resolved cases, 3 open ones of which 2 are past their due time."""
    path = str(tmp_path / "w.duckdb")
    with store.connect(path) as wh:
        cases.ensure(wh)
        rows = [(f"r{i:03d}", "resolved", NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=29))
                for i in range(60)]
        rows += [("o1", "open", NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=2)),
                 ("o2", "open", NOW - dt.timedelta(days=3), NOW - dt.timedelta(hours=1)),
                 ("o3", "open", NOW, NOW + dt.timedelta(days=1))]
        for case_id, status, opened, due in rows:
            wh.execute("INSERT INTO followup_cases (case_id, status, opened_at, due_at) "
                       "VALUES (?, ?, ?, ?)", [case_id, status, opened, due])
    return path


def test_a_page_of_fifty_and_how_many_more(db: str) -> None:
    result = runner.invoke(app, ["cases", "list", "--db", db])
    assert result.exit_code == 0, result.stderr
    assert "cases 1–50 of 63" in result.stdout
    assert "13 more — use --limit 50 --offset 50" in result.stdout
    result = runner.invoke(app, ["cases", "list", "--db", db, "--offset", "50", "-f", "csv"])
    assert len(result.stdout.strip().splitlines()) == 1 + 13
    result = runner.invoke(app, ["cases", "list", "--db", db, "--offset", "50"])
    assert "more —" not in result.stdout


def test_overdue_is_open_past_its_due_time(db: str) -> None:
    result = runner.invoke(app, ["cases", "list", "--status", "overdue", "--db", db, "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    ids = [line.split(",")[0] for line in result.stdout.strip().splitlines()[1:]]
    assert ids == ["o1", "o2"]  # earliest due first; o3 is not due yet


def test_an_unknown_status_lists_the_real_ones(db: str) -> None:
    result = runner.invoke(app, ["cases", "list", "--status", "opne", "--db", db])
    assert result.exit_code == 2
    assert "error: --status 'opne' is not a case status. Did you mean \"open\"?" in result.stderr
    assert "open, contacted, resolved, unreachable, overdue" in result.stderr


def test_the_statuses_are_the_schemas() -> None:
    assert STATUSES == CASE_STATUSES
