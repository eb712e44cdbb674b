"""The import summary counts problems and rows separately and shows every column at fault."""

from __future__ import annotations

from pathlib import Path

from cxlens.ingest.pipeline import import_files
from cxlens.ingest.problems import Problem, summarise
from cxlens.store.base import Warehouse


def test_a_row_with_three_problems_is_one_rejected_row(wh: Warehouse, tmp_path: Path) -> None:
    f = tmp_path / "i.csv"
    f.write_text("interaction_id,channel,priority,talk_seconds,created_at\n"
                 "a,pigeon,whenever,-5,2024-03-01 09:00\n"   # three problems, one row
                 "b,phone,soon,,2024-03-01 09:00\n"          # one problem
                 "c,phone,high,10,2024-03-01 09:00\n")
    r = import_files(wh, "interactions", [f])
    assert (r.rows_read, r.rejected, r.problem_count) == (3, 2, 4)
    lines = r.summary()
    assert lines[0] == "error: enum — 3 problem(s) in 2 row(s); by column: priority 2, channel 1"
    # an example from every column at fault, not only the first column
    assert any("column channel" in line for line in lines)
    assert any("column priority" in line for line in lines)
    assert "error: negative — 1 problem(s) in 1 row(s); by column: talk_seconds 1" in lines


def test_examples_cover_every_column_before_repeating_one() -> None:
    found = [Problem("f", row, "a", "x", "type", "bad", "fix") for row in range(2, 7)]
    found.append(Problem("f", 9, "b", "y", "type", "bad", "fix"))
    lines = summarise(found, per_rule=3)
    assert lines[0] == "error: type — 6 problem(s) in 6 row(s); by column: a 5, b 1"
    shown = [line for line in lines[1:] if line.startswith("    f,")]
    assert [s.split(",")[1].strip() for s in shown] == ["row 2", "row 3", "row 9"]
    assert lines[-1] == "    … and 3 more (cxlens quarantine lists them all)"
