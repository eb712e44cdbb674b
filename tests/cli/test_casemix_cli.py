"""cxlens casemix on the hand-computed team of tests/casemix (A picks the easy contacts)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from tests.casemix.test_agents import _world

runner = CliRunner()


def test_flags_the_cherry_picker_and_explains_bad_input(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    with store.connect(db) as wh:
        _world(wh)
    done = runner.invoke(app, ["casemix", "--db", db, "--from", "2026-03-01", "--to",
                               "2026-03-31", "--flagged", "--format", "json"])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert {(r["metric"], r["agent_id"]) for r in rows} == {("aht", "A"), ("csat", "A")}
    csat = next(r for r in rows if r["metric"] == "csat")
    assert (csat["n"], csat["raw"], csat["team_raw"]) == (40, 90.0, 58.0)
    # default period: the year up to the latest contact, which holds every row here
    table = runner.invoke(app, ["casemix", "--db", db, "--metric", "csat"])
    assert table.exit_code == 0 and "cherry_picking" in table.stdout
    bad = runner.invoke(app, ["casemix", "--db", db, "--metric", "csta"])
    assert bad.exit_code == 2 and "Did you mean" in bad.output


def test_the_table_shows_figures_in_their_units(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    with store.connect(db) as wh:
        _world(wh)
    table = runner.invoke(app, ["casemix", "--db", db, "--from", "2026-03-01", "--to",
                                "2026-03-31", "--flagged"], env={"COLUMNS": "250"})
    assert table.exit_code == 0, table.output
    csat = next(line for line in table.stdout.splitlines() if "│ csat" in line)
    assert "90.0 %" in csat and "58.0 %" in csat  # raw and team figures, hand-computed
    aht = next(line for line in table.stdout.splitlines() if "│ aht" in line)
    assert " min " in aht and " s " in aht
