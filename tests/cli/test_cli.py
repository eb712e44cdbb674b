from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()

CSV = "interaction_id,channel,created_at\ni1,email,2024-01-01 10:00\ni2,fax,2024-01-02\n"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_reports_counts_and_problems(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    f = tmp_path / "i.csv"
    f.write_text(CSV)
    code, out, _ = run("import", "interactions", str(f), "--db", db)
    assert code == 0
    assert "1 inserted, 0 updated, 1 quarantined" in out
    assert "row 3, column channel: fax is not a known channel" in out
    code, out, _ = run("quarantine", "--db", db, "--format", "json")
    rows = json.loads(out)
    assert [(r["source_row"], r["rules"]) for r in rows] == [(3, "enum")]
    code, out, _ = run("tables", "--db", db, "--format", "json")
    counts = {r["table"]: r["rows"] for r in json.loads(out)}
    assert counts["interactions"] == 1 and counts["customers"] == 0


def test_the_first_line_counts_rows_and_problems_apart(tmp_path: Path) -> None:
    # row 3 has two problems (an unknown channel, an unreadable date): one row, two problems
    f = tmp_path / "i.csv"
    f.write_text("interaction_id,channel,created_at\ni1,email,2024-01-01 10:00\n"
                 "i2,fax,not a date\n")
    code, out, _ = run("import", "interactions", str(f), "--db", str(tmp_path / "w.duckdb"))
    assert code == 0
    assert "1 quarantined, 0 flagged; 2 problem(s) in 1 row(s)" in out


def test_errors_say_what_and_how_to_fix_without_traceback(tmp_path: Path) -> None:
    f = tmp_path / "i.csv"
    f.write_text(CSV)
    code, out, err = run("import", "interaction", str(f), "--db", str(tmp_path / "w.duckdb"))
    assert code == 2
    assert 'Did you mean "interactions"?' in err and "fix:" in err
    assert "Traceback" not in out + err


def test_db_comes_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.duckdb"
    f = tmp_path / "i.csv"
    f.write_text(CSV)
    result = runner.invoke(app, ["import", "interactions", str(f)], env={"CXLENS_DB": str(db)})
    assert result.exit_code == 0 and db.exists()


def test_validate_writes_nothing_and_fails_on_rejected_rows(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    f = tmp_path / "i.csv"
    f.write_text(CSV)
    code, out, _ = run("validate", str(f), "--table", "interactions", "--db", str(db))
    assert code == 1 and "nothing written" in out and "fax" in out
    assert not db.exists()  # no warehouse yet: checked against an in-memory one


def test_query_metrics_and_show(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    f = tmp_path / "r.csv"
    f.write_text("response_id,survey,score,responded_at\na,csat,5,2024-05-01\n"
                 "b,csat,2,2024-05-02\nc,csat,4,2024-06-01\n")
    run("import", "survey_responses", str(f), "--db", db)
    code, out, _ = run("query", "csat,csat:mean", "--grain", "month", "--db", db,
                       "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["period"], r["metric"], r["value"], r["n"], r["flag"]) for r in rows] == [
        ("2024-05-01", "csat", 50.0, 2, "insufficient_sample"),
        ("2024-06-01", "csat", 100.0, 1, "insufficient_sample"),
        ("2024-05-01", "csat:mean", 3.5, 2, "insufficient_sample"),
        ("2024-06-01", "csat:mean", 4.0, 1, "insufficient_sample"),
    ]
    code, out, _ = run("metrics", "show", "service_level")
    assert code == 0 and "answered within 20 s" in out and "service_level:negative" in out
    code, out, _ = run("metrics", "--format", "json")
    assert {"csat", "nps", "ces", "fcr", "aht"} <= {r["metric"] for r in json.loads(out)}
    code, _, err = run("query", "csat", "--by", "vendr", "--db", db)
    assert code == 2 and 'Did you mean "vendor"' in err


def test_demo_command_builds_and_shows_headline_figures(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.duckdb")
    code, out, _ = run("demo", "--scale", "0.01", "--seed", "3", "--db", db)
    assert code == 0
    assert "built the demo warehouse" in out and "headline figures by vendor" in out
    # labels and figures as people read them, not ids and raw seconds
    assert "Relational NPS" in out and "nps:relational" not in out and "Northwind BPO" in out
    assert re.search(r"AHT +│ \d+ min \d+ s", out) and re.search(r"CSAT +│ \d+\.\d %", out)
    code, out, _ = run("tables", "--db", db, "--format", "json")
    counts = {r["table"]: r["rows"] for r in json.loads(out)}
    assert counts["interactions"] == 2400
    assert all(n > 0 for t, n in counts.items() if t != "followup_cases")  # the loop makes those
    code, _, err = run("demo", "--scale", "-1", "--db", db)
    assert code == 2 and "--scale must be a positive number" in err
