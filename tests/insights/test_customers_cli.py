"""cxlens clv and cxlens churn-risk on the demo warehouse: every figure in the JSON carries n
and an interval; CSV and tables; errors with the fix."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app

runner = CliRunner()


def _figures(doc: Any) -> list[dict[str, Any]]:
    """Every object in ``doc`` that holds a "value"."""
    if isinstance(doc, dict):
        found = [doc] if "value" in doc else []
        return found + [f for v in doc.values() for f in _figures(v)]
    if isinstance(doc, list):
        return [f for v in doc for f in _figures(v)]
    return []


def _every_figure_has_n_and_interval(doc: Any) -> int:
    figures = _figures(doc)
    for f in figures:
        assert {"value", "ci_low", "ci_high", "n"} <= set(f), f
        assert isinstance(f["n"], int) and f["n"] > 0, f
    return len(figures)


def test_clv(demo_db: str) -> None:
    done = runner.invoke(app, ["clv", "--db", demo_db, "--resamples", "5", "--top", "3",
                               "--margin", "0.4", "--format", "json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["as_of"] == "2026-09-30" and doc["margin"] == 0.4 and doc["unit"] == "weeks"
    assert _every_figure_has_n_and_interval(doc) > 30
    by = {c["currency"]: c for c in doc["currencies"]}
    assert "too few" in by["AUD"]["skipped"]
    gbp = by["GBP"]
    assert [p["parameter"] for p in gbp["parameters"]] == ["r", "alpha", "a", "b", "p", "q", "v"]
    assert gbp["aggregate_clv"]["n"] == gbp["customers"]
    top = gbp["top_customers"]
    assert len(top) == 3 and top[0]["clv"]["value"] >= top[-1]["clv"]["value"]
    assert all(t["clv"]["n"] == t["orders"] for t in top)  # a customer's n: their orders
    csv = runner.invoke(app, ["clv", "--db", demo_db, "--resamples", "0", "--top", "2",
                              "--as-of", "2026-06-30", "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    rows = pd.read_csv(io.StringIO(csv.stdout))
    assert list(rows.columns) == ["currency", "figure", "customer_id", "value", "ci_low",
                                  "ci_high", "n"]
    assert {"bgnbd.r", "aggregate_clv", "clv"} <= set(rows["figure"])
    table = runner.invoke(app, ["clv", "--db", demo_db, "--resamples", "3", "--top", "2"])
    assert table.exit_code == 0 and "most valuable customers" in table.stdout
    assert "95%" not in table.stdout  # "95 %", as everywhere else (cxlens/format.py)


def test_churn_risk(demo_db: str) -> None:
    done = runner.invoke(app, ["churn-risk", "--db", demo_db, "--top", "5", "--format", "json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert _every_figure_has_n_and_interval(doc) > 20
    assert doc["evaluation"]["auc"]["method"] == "DeLong"
    assert doc["holdout"]["cutoff"] == "2026-07-03" and len(doc["top_customers"]) == 5
    assert len(doc["calibration_table"]) == 10
    risks = [c["risk"]["value"] for c in doc["top_customers"]]
    assert risks == sorted(risks, reverse=True)
    csv = runner.invoke(app, ["churn-risk", "--db", demo_db, "--top", "3", "-f", "csv"])
    assert csv.exit_code == 0
    assert "auc" in set(pd.read_csv(io.StringIO(csv.stdout))["figure"])
    table = runner.invoke(app, ["churn-risk", "--db", demo_db, "--top", "3"])
    assert table.exit_code == 0 and "riskiest customers" in table.stdout
    assert "95%" not in table.stdout


def test_errors_say_how_to_fix(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.duckdb")
    store.connect(db).close()
    clv = runner.invoke(app, ["clv", "--db", db])
    assert clv.exit_code == 2
    assert "no completed orders" in clv.output and "fix:" in clv.output
    churn = runner.invoke(app, ["churn-risk", "--db", db])
    assert churn.exit_code == 2 and "no customers" in churn.output
    bad = runner.invoke(app, ["clv", "--db", db, "--as-of", "30/06/2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    unit = runner.invoke(app, ["clv", "--db", db, "--unit", "months"])
    assert unit.exit_code == 2 and "weeks" in unit.output


def test_churn_risk_no_better_than_chance_names_nobody(tmp_path: Path) -> None:
    from tests.insights.test_churn_warehouse import no_signal_history

    db = str(tmp_path / "chance.duckdb")
    with store.connect(db) as wh:
        no_signal_history(wh)
    table = runner.invoke(app, ["churn-risk", "--db", db, "--as-of", "2026-09-30"])
    assert table.exit_code == 0, table.output
    text = " ".join(table.stdout.split())
    assert "This model ranks customers no better than chance on the holdout: AUC 0." in text
    assert "no riskiest customers are listed" in text and "riskiest customers of" not in text
    doc = json.loads(runner.invoke(app, ["churn-risk", "--db", db, "--as-of", "2026-09-30",
                                         "-f", "json"]).stdout)
    assert doc["verdict"].startswith("this model ranks customers no better than chance")
    assert doc["top_customers"] == [] and doc["scored_customers"] > 0
