"""cxlens report on warehouses too small for some sections: an empty one is refused with the
fix; one agent's five CSAT answers give a report whose sections say why they are empty."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app

runner = CliRunner()
AT = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)


def test_an_empty_warehouse_is_refused_with_the_fix(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.duckdb")
    store.connect(db).close()
    result = runner.invoke(app, ["report", "--db", db, "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "holds no contacts, survey answers, mentions or orders" in result.stderr
    assert "cxlens import interactions FILE" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_one_agent_gets_a_report_that_says_what_it_cannot_rank(tmp_path: Path) -> None:
    db = str(tmp_path / "tiny.duckdb")
    with store.connect(db) as wh:
        wh.insert_rows("interactions", ["interaction_id", "channel", "created_at", "agent_id",
                                        "vendor"],
                       [[f"i{i}", "email", AT + dt.timedelta(days=i), "A1", "Acme"]
                        for i in range(5)])
        # no resolved_reported: FCR is flagged, and its change is not tested
        wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                            "scale_max", "responded_at", "interaction_id",
                                            "kind"],
                       [[f"r{i}", "csat", 5 - i % 3, 1, 5, AT + dt.timedelta(days=i, hours=1),
                         f"i{i}", "transactional"] for i in range(5)])
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "No leaderboard: fewer than two agents have CSAT answers in this period" in html
