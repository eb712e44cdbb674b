"""A parameter (from --param or stored in the warehouse) never strips a variant's name: each
figure keeps reading ``metric:variant`` (issue 15: three rows all read social_sentiment, one
of them the share of negative mentions)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import cxlens
from cxlens import store
from cxlens.cli import app
from cxlens.ingest.pipeline import import_files

NAMES = ["social_sentiment", "social_sentiment:positive", "social_sentiment:negative"]


def _mentions(tmp_path: Path) -> str:
    path = tmp_path / "m.csv"
    path.write_text("mention_id,brand,posted_at,sentiment\n"
                    "m1,Acme,2024-05-01,positive\nm2,Acme,2024-05-02,negative\n"
                    "m3,Acme,2024-05-03,negative\nm4,Other,2024-05-03,positive\n")
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        import_files(wh, "mentions", [path])
    return db


def test_param_keeps_variant_names_in_python(tmp_path: Path) -> None:
    db = _mentions(tmp_path)
    frame = cxlens.query(",".join(NAMES), params={"our_brand": "Acme"}, db=db)
    # by hand: Acme has 1 positive and 2 negative of 3 mentions
    assert frame["metric"].tolist() == NAMES
    assert frame["value"].round(6).tolist() == [round(100 * (1 - 2) / 3, 6),
                                                round(100 / 3, 6), round(200 / 3, 6)]


def test_stored_param_keeps_variant_names(tmp_path: Path) -> None:
    db = _mentions(tmp_path)
    with store.connect(db) as wh:
        wh.execute("INSERT INTO cxlens_meta VALUES ('param.our_brand', 'Acme')")
    frame = cxlens.query(",".join(NAMES), db=db)
    assert frame["metric"].tolist() == NAMES


def test_param_keeps_variant_names_on_the_command_line(tmp_path: Path) -> None:
    db = _mentions(tmp_path)
    result = CliRunner().invoke(app, ["query", ",".join(NAMES), "--param", "our_brand=Acme",
                                      "--format", "json", "--db", db])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["metric"] for r in rows] == NAMES
    assert abs(rows[2]["value"] - 200 / 3) < 1e-6
