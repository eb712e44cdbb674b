"""cxlens themes vectors (the warehouse's theme vectors) and --vectors, on a DuckDB file of
hand-built comments (tests/text/theme_comments.py): the choice is shown, kept, used by the
commands without --vectors and overridden by --vectors; a wrong name is refused with the
choices; the option and the command are in docs/cli.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.text import embed, glove, lsa
from tests.text.theme_comments import COLUMNS, month_of_comments

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_choose_the_vectors_then_themes_use_them(tmp_path: Path) -> None:
    db = str(tmp_path / "cx.duckdb")
    with store.connect(db) as wh:
        wh.insert_rows("survey_responses", COLUMNS, month_of_comments(dt.date(2026, 1, 1)))
    shown = runner.invoke(app, ["themes", "vectors", "--db", db])
    assert shown.exit_code == 0 and f"theme vectors: glove ({glove.MODEL})" in shown.stdout
    wrong = runner.invoke(app, ["themes", "vectors", "lca", "--db", db])
    assert wrong.exit_code == 2
    assert "no theme vectors 'lca'. Did you mean \"lsa\"?" in wrong.output
    assert "choose one of: glove, wordllama, lsa" in wrong.output
    chosen = runner.invoke(app, ["themes", "vectors", "lsa", "--db", db])
    assert chosen.exit_code == 0, chosen.output
    assert f"theme vectors are now lsa ({lsa.MODEL})" in chosen.stdout
    assert "match kept themes by the comments they share" in chosen.stdout
    assert "theme vectors: lsa" in runner.invoke(app, ["themes", "vectors", "--db", db]).stdout

    found = runner.invoke(app, ["themes", "--db", db, "--k", "6", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["model"] == lsa.MODEL
    kept = runner.invoke(app, ["themes", "track", "--db", db, "--from", "2026-01-01", "--to",
                               "2026-01-31"])
    assert kept.exit_code == 0, kept.output
    assert f"vectors: {lsa.MODEL}" in kept.stdout
    # --vectors wins over the warehouse's choice, for this command only
    once = runner.invoke(app, ["themes", "--db", db, "--k", "6", "--vectors", "wordllama",
                               "--format", "json"])
    assert once.exit_code == 0 and json.loads(once.stdout)["model"] == embed.MODEL
    assert "theme vectors: lsa" in runner.invoke(app, ["themes", "vectors", "--db", db]).stdout
    bad = runner.invoke(app, ["themes", "track", "--db", db, "--vectors", "fasttext"])
    assert bad.exit_code == 2 and "no theme vectors 'fasttext'" in bad.output


def test_the_option_and_the_command_are_in_the_cli_docs() -> None:
    text = DOCS.read_text()
    assert "## `cxlens themes vectors`" in text
    assert text.count("| `--vectors` | glove (GloVe 6B word vectors") == 2  # themes, track
