"""cxlens contracts check and cxlens statement on the demo warehouse."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.demo import build_demo

EXAMPLES = str(Path(__file__).resolve().parents[2] / "src" / "cxlens" / "contracts" / "examples")
runner = CliRunner()


def test_check_and_statements(tmp_path: Path) -> None:
    db = str(tmp_path / "d.duckdb")
    with store.connect(db) as wh:
        build_demo(wh, scale=0.02, seed=3)
    checked = runner.invoke(app, ["contracts", "check", "--contracts", EXAMPLES,
                                  "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert {c["vendor"] for c in json.loads(checked.stdout)} == {"Acme BPO", "Northwind BPO"}
    args = ["statement", "Northwind BPO", "--month", "2026-06", "--contracts", EXAMPLES,
            "--db", db]
    page = tmp_path / "s.html"
    done = runner.invoke(app, [*args, "--out", str(page)])
    assert done.exit_code == 0, done.output
    html = page.read_text(encoding="utf-8")
    assert "Northwind BPO — statement for June 2026" in html and "Adjusted fee" in html
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, [*args, "--format", "csv"])
                                           .stdout)))
    assert {r["month"] for r in rows} == {f"2025-{m}-01" for m in ("10", "11", "12")} | {
        f"2026-{m:02d}-01" for m in range(1, 7)}
    body = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    june = body["contracts"][0]
    assert abs(june["adjusted_fee"] - (june["fee"] - june["credits"] + june["bonuses"]
                                       + june["earned_back"])) < 1e-6
    wrong = runner.invoke(app, ["statement", "Northwnd BPO", "--month", "2026-06",
                                "--contracts", EXAMPLES, "--db", db])
    assert wrong.exit_code != 0 and "Did you mean" in wrong.output
