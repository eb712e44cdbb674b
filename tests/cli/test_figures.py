"""Figures in the CLI's tables carry their units and a blank segment is labelled and explained;
JSON keeps plain numbers and null."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Two vendors' contacts with CSAT answers, and one relational NPS answer (no contact)."""
    tickets = tmp_path / "t.csv"
    tickets.write_text("interaction_id,channel,created_at,vendor,talk_seconds\n"
                       "i1,phone,2024-05-01,Acme,403\ni2,phone,2024-05-02,Acme,403\n"
                       "i3,phone,2024-05-03,Acme,403\ni4,phone,2024-05-04,Northwind,61\n")
    answers = tmp_path / "r.csv"
    answers.write_text("response_id,survey,score,responded_at,interaction_id,nps_kind\n"
                       "a,csat,5,2024-05-01,i1,\nb,csat,4,2024-05-02,i2,\n"
                       "c,csat,2,2024-05-03,i3,\nd,csat,5,2024-05-04,i4,\n"
                       "e,nps,10,2024-05-05,,relational\n")
    path = str(tmp_path / "w.duckdb")
    for table, f in (("interactions", tickets), ("survey_responses", answers)):
        result = runner.invoke(app, ["import", table, str(f), "--db", path])
        assert result.exit_code == 0, result.stdout + result.stderr
    return path


def test_table_figures_carry_units(db: str) -> None:
    result = runner.invoke(app, ["query", "csat,aht", "--by", "vendor", "--db", db])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    acme_csat = next(line for line in lines if "Acme" in line and "csat" in line)
    assert "66.7 %" in acme_csat  # 2 of 3 answers 4 or 5
    acme_aht = next(line for line in lines if "Acme" in line and "aht" in line)
    assert "6 min 43 s" in acme_aht  # 403 s
    northwind_aht = next(line for line in lines if "Northwind" in line and "aht" in line)
    assert "1 min 01 s" in northwind_aht


def test_a_blank_segment_is_labelled_and_explained(db: str) -> None:
    result = runner.invoke(app, ["query", "nps:relational", "--by", "vendor", "--db", db])
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "nps:relational" in line)
    assert "(no vendor)" in row and "+100.0 points" in row
    assert "note: (no vendor): 1 row(s) with no vendor" in result.stdout
    assert "relational NPS" in result.stdout


def test_json_keeps_plain_numbers_and_null(db: str) -> None:
    result = runner.invoke(app, ["query", "nps:relational,aht", "--by", "vendor", "--db", db,
                                 "--format", "json"])
    rows = json.loads(result.stdout)
    nps = next(r for r in rows if r["metric"] == "nps:relational")
    assert nps["vendor"] is None and nps["value"] == 100.0
    assert {r["value"] for r in rows if r["metric"] == "aht"} == {403.0, 61.0}


def test_changes_are_signed_and_percentages_change_in_points() -> None:
    import pandas as pd

    from cxlens.cli.figures import in_units

    frame = pd.DataFrame({"metric": ["csat", "aht", "aht"], "before": [84.86, 441.85, 60.0],
                          "change": [-0.41, -90.0, 10.0]})
    shown = in_units(frame, ("before",), ("change",))
    assert list(shown["before"]) == ["84.9 %", "7 min 22 s", "1 min 00 s"]
    assert list(shown["change"]) == ["-0.4 points", "-1 min 30 s", "+10 s"]


def test_a_change_that_rounds_to_nothing_has_no_sign() -> None:
    """-0.04 points and -0.3 s print as 0.0 points and 0 s, never "-0.0" or "-0 s" (intervals
    of what moved it end there)."""
    from cxlens.cli.figures import signed

    assert signed(-0.04, "percent") == "0.0 points"
    assert signed(-0.3, "seconds") == "0 s"
    assert signed(0.04, "points") == "0.0 points"
    assert signed(-0.06, "percent") == "-0.1 points"
    assert signed(0.3, "seconds") == "0 s"
