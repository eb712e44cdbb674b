"""cxlens alerts: load, check (one month and a replay) and list, with JSON output, on a copy
of the demo warehouse; bad input exits 2 with the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()


def test_load_check_list(demo_db: str, tmp_path: Path) -> None:
    db = str(tmp_path / "a.duckdb")
    shutil.copy(demo_db, db)
    example = runner.invoke(app, ["alerts", "rules", "--example"])
    assert example.exit_code == 0
    rules = tmp_path / "rules.yaml"
    rules.write_text(example.stdout.replace("vendor-csat-floor", "floor"), encoding="utf-8")
    loaded = runner.invoke(app, ["alerts", "load", str(rules), "--db", db])
    assert loaded.exit_code == 0 and "floor" in loaded.stdout
    shown = runner.invoke(app, ["alerts", "rules", "--db", db])
    assert "name: floor" in shown.stdout
    replay = runner.invoke(app, ["alerts", "check", "--since", "2026-04-01", "--as-of",
                                 "2026-08-01", "--no-deliver", "--db", db, "--format", "json"])
    assert replay.exit_code == 0, replay.output
    runs = json.loads(replay.stdout)
    assert [r["month"] for r in runs] == ["2026-04", "2026-05", "2026-06", "2026-07"]
    judged = [j for r in runs for j in r["judgements"]]
    assert all(j["n"] > 0 and j["ci_low"] <= j["value"] <= j["ci_high"] for j in judged)
    # the demo build already replayed the other rules, so only the renamed one is new
    opened = {a for r in runs for a in r["opened"]}
    listed = json.loads(runner.invoke(app, ["alerts", "list", "--db", db, "--format",
                                            "json"]).stdout)
    assert opened and opened <= {a["alert_id"] for a in listed if a["rule"] == "floor"}
    table = runner.invoke(app, ["alerts", "list", "--status", "resolved", "--db", db])
    assert table.exit_code == 0 and "alert(s)" in table.stdout


def test_bad_input_explains(demo_db: str, tmp_path: Path) -> None:
    db = str(tmp_path / "b.duckdb")
    shutil.copy(demo_db, db)
    missing = runner.invoke(app, ["alerts", "load", str(tmp_path / "nope.yaml"), "--db", db])
    assert missing.exit_code == 2 and "--example" in missing.output
    bad_day = runner.invoke(app, ["alerts", "check", "--as-of", "July", "--db", db])
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.output
    bad_status = runner.invoke(app, ["alerts", "list", "--status", "closed", "--db", db])
    assert bad_status.exit_code == 2 and "--status open" in bad_status.output
    rule = runner.invoke(app, ["alerts", "check", "--rule", "nps-contrl", "--db", db])
    assert rule.exit_code == 2 and "nps-control" in rule.output
