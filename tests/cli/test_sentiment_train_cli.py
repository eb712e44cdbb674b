"""cxlens sentiment train / forget, and cxlens sentiment saying which model scored."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from tests.text.test_model_store import DEMO, scored_comments

runner = CliRunner()


def test_train_prints_the_evaluation_and_stores_the_model(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        scored_comments(wh)
    before = runner.invoke(app, ["sentiment", "--db", db])
    assert before.exit_code == 0, before.output
    assert "scored by the vader lexicon model (no trained model stored: cxlens sentiment " \
           "train)" in " ".join(before.stdout.split())

    done = runner.invoke(app, ["sentiment", "train", "--db", db])
    assert done.exit_code == 0, done.output
    text = " ".join(done.stdout.split())
    assert "sentiment model trained on 1,372 scored survey comments" in text
    # figures through cxlens.format: a share as "72.6 % (70.2 % – 74.9 %)", F1 to 2 decimals
    assert "│ 5-fold cross-validation │ majority │ 1,372 │ 72.6 % (70.2 % – 74.9 %)" in text
    assert "377 texts without a usable label were left out; labels: positive, negative" in text
    assert "stored: auto now uses it for comments and wherever labels show it beats vader" \
        in text

    after = runner.invoke(app, ["sentiment", "--db", db, "--format", "json"])
    out = json.loads(after.stdout)
    assert out["model"] == "trained" and out["scored_by"].startswith("trained model of ")
    lexicon = runner.invoke(app, ["sentiment", "--db", db, "--model", "lexicon"])
    assert "comments sentiment (lexicon)" in lexicon.stdout

    gone = runner.invoke(app, ["sentiment", "forget", "--db", db])
    assert gone.exit_code == 0 and "deleted 1 stored sentiment model(s)" in gone.stdout
    again = runner.invoke(app, ["sentiment", "--db", db, "--format", "json"])
    assert json.loads(again.stdout)["model"] == "vader"


def test_train_on_a_labelled_file_without_storing(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db):
        pass
    demo = pd.read_csv(DEMO).dropna(subset=["label"])
    labels = tmp_path / "labelled.csv"
    demo.rename(columns={"comment": "text", "responded_at": "date"})[
        ["text", "label", "date"]].to_csv(labels, index=False)
    done = runner.invoke(app, ["sentiment", "train", "--db", db, "--labels", str(labels),
                               "--no-store", "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    assert out["trained_on"] == "labelled file labelled.csv" and out["n"] == 1372
    assert out["stored"] is None and len(out["evaluation"]) == 6  # CV and time holdout
    with store.connect(db) as wh:
        assert wh.scalar("SELECT count(*) FROM sentiment_models") == 0


def test_errors_say_what_and_how_to_fix(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db):
        pass
    empty = runner.invoke(app, ["sentiment", "train", "--db", db])
    assert empty.exit_code == 2
    assert "error: the warehouse has no survey answers to learn sentiment from" in empty.stderr
    assert "fix: import survey answers with a comment and an NPS or CSAT score" in empty.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("comment,label\ngreat,positive\n")
    wrong = runner.invoke(app, ["sentiment", "train", "--db", db, "--labels", str(bad)])
    assert wrong.exit_code == 2 and "bad.csv: no column text (it has comment, label)" \
        in " ".join(wrong.stderr.split())
    trained = runner.invoke(app, ["sentiment", "--db", db, "--model", "trained"])
    assert trained.exit_code == 2 and "no trained sentiment model" in trained.stderr
    typo = runner.invoke(app, ["sentiment", "--db", db, "--model", "traned"])
    assert typo.exit_code == 2 and 'Did you mean "trained"' in typo.output
