"""cxlens sentiment and cxlens themes on the demo warehouse."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from tests.text.test_sentiment_summary import labelled_mentions

runner = CliRunner()


def test_sentiment_json_table_and_csv(demo_db: str) -> None:
    done = runner.invoke(app, ["sentiment", "--db", demo_db, "--source", "mentions",
                               "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    assert out["source"] == "mentions" and out["model"] == "vader"
    assert out["overall"][0]["group"] == "all" and out["overall"][0]["n"] == 1800
    assert {e["model"] for e in out["evaluation"]} == {"vader", "lexicon"}
    table = runner.invoke(app, ["sentiment", "--db", demo_db, "--model", "lexicon"])
    assert table.exit_code == 0 and "comments sentiment (lexicon)" in table.stdout
    csv = runner.invoke(app, ["sentiment", "--db", demo_db, "--format", "csv"])
    assert csv.stdout.splitlines()[0].startswith("group,month,n,positive")
    bad = runner.invoke(app, ["sentiment", "--db", demo_db, "--model", "vadr"])
    assert bad.exit_code == 2 and 'Did you mean "vader"' in bad.output


def test_themes_json_and_table(demo_db: str) -> None:
    done = runner.invoke(app, ["themes", "--db", demo_db, "--from", "2026-04-01", "--to",
                               "2026-09-30", "--k", "6", "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    # --k is per sentiment label (complaints, neutral comments and praise clustered apart)
    assert out["k"] == 18 and out["k_rule"].startswith("per polarity")
    assert len(out["themes"]) == 18
    assert {t["polarity"] for t in out["themes"]} == {"negative", "neutral", "positive"}
    first = out["themes"][0]
    assert {"label", "terms", "share", "effect", "sentence", "examples"} <= set(first)
    assert sum(t["comments"] for t in out["themes"]) == out["comments"]
    assert {r["outcome"] for r in out["effects"]} == {"nps", "csat"}
    table = runner.invoke(app, ["themes", "--db", demo_db, "--from", "2026-04-01", "--to",
                                "2026-09-30", "--k", "6"])
    assert table.exit_code == 0 and "• " in table.stdout and "points vs others" in table.stdout
    # the table (before the sentences) writes a tiny q as "< 0.001", not "0" (issue 17)
    assert any(t["q_value"] < 0.001 for t in out["themes"])
    assert "< 0.001" in table.stdout.split("• ")[0]
    bad = runner.invoke(app, ["themes", "--db", demo_db, "--from", "2026-09-30", "--to",
                              "2026-09-30"])
    assert bad.exit_code == 2 and "too few to find themes" in bad.output


def test_sentiment_prints_the_majority_baseline(tmp_path: Path) -> None:
    db = str(tmp_path / "labelled.duckdb")
    with store.connect(db) as wh:
        labelled_mentions(wh)
    done = runner.invoke(app, ["sentiment", "--db", db, "--source", "mentions"])
    assert done.exit_code == 0, done.output
    text = " ".join(done.stdout.split())
    assert "always 'negative': accuracy 80.0 %, macro-F1 0.44 — vader does not beat the " \
        "baseline" in text
    assert "baseline_accuracy" in text
