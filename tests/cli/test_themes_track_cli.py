"""cxlens themes track / list / rename / merge / pin on a DuckDB file of hand-built comments
(tests/text/theme_comments.py): the ids the first run prints are the ids the user edits, and
the second run shows the user's names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from tests.text.theme_comments import COLUMNS, THEMES, month_of_comments

runner = CliRunner()


def test_track_then_rename_merge_and_pin_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "cx.duckdb")
    with store.connect(db) as wh:
        wh.insert_rows("survey_responses", COLUMNS, month_of_comments(dt.date(2026, 1, 1)))
    none = runner.invoke(app, ["themes", "list", "--db", db])
    assert none.exit_code != 0 and "no themes are kept yet" in none.output
    done = runner.invoke(app, ["themes", "track", "--db", db, "--from", "2026-01-01", "--to",
                               "2026-01-31", "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    assert out["run"]["run_id"] == 1 and out["run"]["comments"] == 120
    by_example = {theme_of_example(t["examples"][0]): t for t in out["themes"]}
    login, rude, app_ = by_example["login"]["theme"], by_example["rude"]["theme"], \
        by_example["app"]["theme"]
    assert by_example["login"]["polarity"] == "negative" and by_example["login"]["new"]

    renamed = runner.invoke(app, ["themes", "rename", str(login), "Login problems", "--db", db])
    assert renamed.exit_code == 0 and "is now called 'Login problems'" in renamed.stdout
    merged = runner.invoke(app, ["themes", "merge", str(rude), str(login), "--db", db])
    assert merged.exit_code == 0 and f"merged into theme {login} (Login problems)" in \
        merged.stdout
    pinned = runner.invoke(app, ["themes", "pin", str(app_), "--db", db])
    assert pinned.exit_code == 0 and "is pinned" in pinned.stdout
    wrong = runner.invoke(app, ["themes", "merge", str(login), str(app_), "--db", db])
    assert wrong.exit_code == 2 and "would mix praise and complaints" in wrong.output

    with store.connect(db) as wh:
        wh.insert_rows("survey_responses", COLUMNS,
                       month_of_comments(dt.date(2026, 2, 1), planted=True, again=True))
    again = runner.invoke(app, ["themes", "track", "--db", db, "--from", "2026-01-01", "--to",
                                "2026-02-28"])
    assert again.exit_code == 0, again.output
    assert "themes of run 2: 260 comments" in again.stdout
    assert "Login problems" in again.stdout
    listed = runner.invoke(app, ["themes", "list", "--db", db, "--format", "json"])
    themes = json.loads(listed.stdout)["themes"]
    assert themes[0]["theme"] == app_ and themes[0]["pinned"]
    login_row = next(t for t in themes if t["theme"] == login)
    assert login_row["label"] == "Login problems" and login_row["comments"] == 80
    assert rude not in {t["theme"] for t in themes}
    assert [t["new"] for t in themes].count(True) == 1  # the planted complaint


def theme_of_example(comment: str) -> str:
    """The planted theme a comment was written for (its sentence)."""
    return next(name for name, (_, sentence, _) in THEMES.items()
                if comment.startswith(sentence))


def test_the_from_scratch_command_still_runs_without_a_subcommand(tmp_path: Path) -> None:
    db = str(tmp_path / "cx.duckdb")
    with store.connect(db) as wh:
        wh.insert_rows("survey_responses", COLUMNS, month_of_comments(dt.date(2026, 1, 1)))
    done = runner.invoke(app, ["themes", "--db", db, "--k", "6", "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    # --k is per sentiment label, at most one theme per distinct text: the month's complaints
    # are 4 planted sentences and its praise 2, so 4 + 2 themes; every comment themed
    assert out["k"] == 6 and sum(t["comments"] for t in out["themes"]) == 120
    assert {t["polarity"] for t in out["themes"]} == {"negative", "positive"}
