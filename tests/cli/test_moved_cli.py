"""cxlens moved on the hand-worked warehouse of tests/insights/test_moved: the change, its mix
and rate with intervals and the contributors in words; JSON and CSV keep the plain values."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens.cli import app
from tests.insights.test_moved import HAND, world

runner = CliRunner()


def _db(tmp_path: Path) -> str:
    world(tmp_path, HAND).close()
    return str(tmp_path / "w.duckdb")


def test_the_table_says_it_in_words(tmp_path: Path) -> None:
    db = _db(tmp_path)
    done = runner.invoke(app, ["moved", "csat", "--by", "category", "--from", "2026-04",
                               "--to", "2026-05", "--db", db], env={"COLUMNS": "250"})
    assert done.exit_code == 0, done.output
    out = done.stdout
    # 61.25 % and -8.75 points round either way: the interval is ±1.96 × 3.3442
    assert "CSAT 2026-04 → 2026-05: 70.0 % → 61." in out
    assert "(95 % interval -15.3 to -2.2 points)" in out
    assert "mix: -5.6 points (-7.8 to -3.4 points)" in out  # ±1.96 × 1.1158
    assert "rate: -3.1 points (-9.7 to +3.5 points)" in out  # ±1.96 × 3.3604
    assert "-3.6 points from fewer billing (its share 50.0 % → 25.0 %)" in out
    assert "-3.1 points from lower CSAT in technical (60.0 % → 55.0 %)" in out
    assert "-2.0 points from more technical (its share 50.0 % → 75.0 %)" in out
    assert "e-" not in out and "0.0361" not in out


def test_json_and_csv_keep_the_values(tmp_path: Path) -> None:
    db = _db(tmp_path)
    args = ["moved", "csat", "--by", "category", "--db", db]  # default: latest month vs before
    doc = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert (doc["before"]["period"], doc["after"]["period"]) == ("2026-04", "2026-05")
    assert (doc["before"]["value"], doc["after"]["value"]) == pytest.approx((70.0, 61.25))
    assert round(doc["mix"]["value"], 6) == -5.625 and round(doc["rate"]["se"], 6) == 3.360356
    first = doc["contributors"][0]
    assert (first["effect"], first["category"], round(first["value"], 5)) == (
        "mix", "billing", -3.59375)
    assert first["text"].startswith("-3.6 points from fewer billing")
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, [*args, "-f", "csv"]).stdout)))
    assert [r["category"] for r in rows] == ["billing", "technical"]
    assert float(rows[1]["rate"]) == pytest.approx(-3.125) and rows[1]["n_after"] == "300"


def test_errors_say_what_and_how_to_fix(tmp_path: Path) -> None:
    db = _db(tmp_path)
    done = runner.invoke(app, ["moved", "first_response_time", "--by", "category", "--db", db])
    assert done.exit_code == 2 and "not a mean over its population" in done.output
    assert "fix:" in done.output
    bad = runner.invoke(app, ["moved", "csat", "--by", "category", "--from", "Q2", "--db", db])
    assert bad.exit_code == 2 and "2026-Q2" in bad.output


def test_flags_are_said_in_the_sentences_and_notes(tmp_path: Path) -> None:
    """'returns' only in May (100 answers, 90 % satisfied) and 'delivery' with 10 answers a
    month (see tests/insights/test_moved)."""
    cells = dict(HAND)
    cells[("2026-05", "returns", "Acme BPO")] = (100, 90)
    cells[("2026-04", "delivery", "Acme BPO")] = (10, 5)
    cells[("2026-05", "delivery", "Acme BPO")] = (10, 5)
    world(tmp_path, cells).close()
    done = runner.invoke(app, ["moved", "csat", "--by", "category", "--top", "9", "--db",
                               str(tmp_path / "w.duckdb")], env={"COLUMNS": "250"})
    assert done.exit_code == 0, done.output
    assert "from more returns (its share 0.0 % → 19.6 %)" in done.stdout  # 100 of 510
    assert "; only in May 2026" in done.stdout and "small sample" in done.stdout
    assert "note: only_after: no answers in the first period: all of its contribution is mix" \
        in done.stdout


def test_periods_are_checked_before_any_data_is_read(tmp_path: Path) -> None:
    none = str(tmp_path / "none.duckdb")  # no warehouse: a period error comes first
    done = runner.invoke(app, ["moved", "csat", "--by", "vendor", "--from", "2026-06", "--to",
                               "2026-01", "--db", none])
    assert done.exit_code == 2
    assert "error: --from 2026-06 does not start before --to 2026-01" in done.stderr
    assert "fix: swap them: --from 2026-01 --to 2026-06" in done.stderr
    bad = runner.invoke(app, ["moved", "csat", "--by", "vendor", "--from", "2026-04-01..2026-"
                              "05-10", "--to", "2026-05", "--db", none])
    assert bad.exit_code == 2 and "overlap" in bad.stderr and "--from 2026-04" in bad.stderr
