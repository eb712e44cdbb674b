"""The machine beside the people (issue 19, AutoQA in the dashboard): Cohen's κ per criterion
checked by hand, its bootstrap interval, and on a real warehouse (DuckDB and Postgres) the
machine's and the people's pass rates, the agreement and an agent's failed checks kept to one
vendor's conversations when asked — all from rows written by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.qa import checks, kappa, machine
from cxlens.qa.scorecards import builtin as builtin_cards
from cxlens.store.base import Warehouse
from tests.qa import test_machine
from tests.qa.test_machine import REVIEW_COLUMNS

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SOP = "process_compliance.followed_sop"


def test_kappa_is_checked_by_hand() -> None:
    """Machine pass pass fail fail, person pass fail fail fail (the α example of
    docs/autoqa.md). Observed agreement 3/4; the machine passes 1/2, the person 1/4, so
    chance agreement = 1/2·1/4 + 1/2·3/4 = 1/2 and κ = (3/4 − 1/2) / (1 − 1/2) = 0.5."""
    frame = pd.DataFrame({
        "unit": ["a", "b", "c", "d"] * 2,
        "reviewer": ["machine"] * 4 + ["human"] * 4,
        "criterion": SOP,
        "score": [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]})
    row = machine.agreement_of(frame, checks.builtin(), resamples=200).set_index(
        "criterion").loc["followed_sop"]
    assert row["kappa"] == pytest.approx(0.5, abs=1e-12)
    assert row["alpha"] == pytest.approx(8 / 15, abs=1e-12)  # α is lower: pooled chance
    assert row["kappa_low"] <= 0.5 <= row["kappa_high"]


def test_kappa_is_undefined_without_variation_and_nan_without_units() -> None:
    assert np.isnan(kappa.kappa([1, 1, 1], [1, 1, 1]))  # chance agreement 1: 0/0
    assert np.isnan(kappa.kappa([], []))
    assert all(np.isnan(kappa.bootstrap([], [])))
    # the machine always passes, the person not: observed 1/2, chance 1/2, κ = 0
    assert kappa.kappa([1, 1], [1, 0]) == 0.0


def test_the_interval_of_perfect_agreement_is_one_and_it_is_seeded() -> None:
    """Every resample where both raters vary has κ 1; those without variation are left out."""
    a = [1, 0] * 10
    assert kappa.bootstrap(a, a, resamples=300) == (1.0, 1.0)
    b = [1, 0, 0, 1, 1] * 4
    assert kappa.bootstrap(a, b, seed=3) == kappa.bootstrap(a, b, seed=3)
    low, high = kappa.bootstrap(a, b, seed=3)
    assert -1.0 <= low < kappa.kappa(a, b) < high <= 1.0


# -- on a warehouse -------------------------------------------------------------------------
def _review(rid: str, iid: str, score: float, reviewer: str) -> tuple[object, ...]:
    return (rid, iid, "process_compliance", "followed_sop", score, 0.0, 1.0, 2.0, True, False,
            reviewer, AT)


def seed(wh: Warehouse) -> None:
    """Acme: a1–a4 scored by the machine (pass pass fail fail) and a person (pass fail fail
    fail); Northwind: n1, n2 passed by both, n3 failed by the machine only (no person).
    Agent ag-1 (Acme) failed greeting on a3 and a4, passed it on a1 and a2."""
    vendors = {"a1": "Acme BPO", "a2": "Acme BPO", "a3": "Acme BPO", "a4": "Acme BPO",
               "n1": "Northwind BPO", "n2": "Northwind BPO", "n3": "Northwind BPO"}
    wh.insert_rows("interactions", ("interaction_id", "created_at", "vendor", "agent_id"),
                   [(i, AT + dt.timedelta(hours=k), v, "ag-1" if v == "Acme BPO" else "ag-2")
                    for k, (i, v) in enumerate(vendors.items())])
    machine.ensure(wh)
    people = {"a1": 1.0, "a2": 0.0, "a3": 0.0, "a4": 0.0, "n1": 1.0, "n2": 1.0}
    by_machine = {"a1": 1.0, "a2": 1.0, "a3": 0.0, "a4": 0.0, "n1": 1.0, "n2": 1.0, "n3": 0.0}
    wh.insert_rows("qa_reviews", REVIEW_COLUMNS,
                   [_review(f"h-{i}", i, s, "qa.hannah") for i, s in people.items()])
    wh.insert_rows(machine.REVIEWS.name, REVIEW_COLUMNS,
                   [_review(f"auto:{i}", i, s, "machine") for i, s in by_machine.items()])
    wh.insert_rows(machine.RESULTS.name, ("interaction_id", "check_id", "criterion", "result",
                                          "turn", "evidence", "checked_at"),
                   [(i, "greeting", SOP, "fail" if by_machine[i] == 0 else "pass", 1,
                     f"none of the phrases in {i}" if by_machine[i] == 0 else "hello", AT)
                    for i in ("a1", "a2", "a3", "a4", "n3")])


def test_pass_rates_and_agreement_keep_to_one_vendor(wh: Warehouse) -> None:
    seed(wh)
    cards = builtin_cards()
    every = machine.pass_rates(wh, cards).set_index("criterion").loc["followed_sop"]
    # machine: 4 passes of 7; people: 3 of 6
    assert (every["machine_n"], every["people_n"]) == (7, 6)
    assert every["machine_rate"] == pytest.approx(4 / 7)
    assert every["people_rate"] == pytest.approx(0.5)
    assert every["machine_low"] < 4 / 7 < every["machine_high"]
    acme = machine.pass_rates(wh, cards, "Acme BPO").set_index("criterion").loc["followed_sop"]
    assert (acme["machine_n"], acme["people_n"]) == (4, 4)
    assert (acme["machine_rate"], acme["people_rate"]) == (0.5, 0.25)
    mine = machine.agreement(wh, scorecards=cards, resamples=100, vendor="Acme BPO").set_index(
        "criterion").loc["followed_sop"]
    assert mine["n_units"] == 4
    assert mine["kappa"] == pytest.approx(0.5)  # the hand-worked case above
    assert mine["alpha"] == pytest.approx(8 / 15)
    north = machine.agreement(wh, scorecards=cards, resamples=100, vendor="Northwind BPO")
    sop = north.set_index("criterion").loc["followed_sop"]
    assert sop["n_units"] == 2 and sop["same_pass"] == 1.0
    assert np.isnan(sop["kappa"])  # both always pass: κ is 0/0
    assert machine.agreement(wh, scorecards=cards, resamples=100).set_index(
        "criterion").loc["followed_sop", "n_units"] == 6


def test_an_agents_failed_checks_for_coaching(wh: Warehouse) -> None:
    seed(wh)
    per, latest = machine.agent_failures(wh, "ag-1")
    assert per[["check_id", "n", "fails"]].to_dict("records") == [
        {"check_id": "greeting", "n": 4, "fails": 2}]
    assert per["rate"].tolist() == [0.5]
    assert latest["interaction_id"].tolist() == ["a4", "a3"]  # newest first
    assert latest["evidence"].tolist() == ["none of the phrases in a4",
                                           "none of the phrases in a3"]
    assert machine.agent_failures(wh, "ag-2")[1]["interaction_id"].tolist() == ["n3"]
    assert machine.agent_failures(wh, "nobody")[0].empty


def test_the_cli_shows_kappa_beside_alpha(tmp_path: Path) -> None:
    """tests/qa/test_machine.py's two reviewed conversations: on followed_sop the machine
    says pass, fail and the person pass, pass (observed 1/2; chance 1/2·1 + 1/2·0 = 1/2;
    κ = 0); on empathy both say pass, fail (κ = 1)."""
    db = str(tmp_path / "cx.duckdb")
    with store.connect(db) as wh:
        test_machine.seed(wh)
    result = CliRunner().invoke(app, ["qa", "auto", "--db", db, "--format", "json",
                                      "--resamples", "100"])
    assert result.exit_code == 0, result.output
    got = {r["criterion"]: r for r in json.loads(result.stdout)["agreement"]}
    assert got["followed_sop"]["kappa"] == 0.0
    assert got["empathy"]["kappa"] == 1.0
    assert got["tone"]["kappa"] is None  # nobody compared: no κ (JSON null)
    table = CliRunner(env={"COLUMNS": "240"}).invoke(app, ["qa", "auto", "--db", db,
                                                           "--resamples", "100"])
    assert table.exit_code == 0, table.output
    assert "Cohen's κ" in table.output and "kappa 95% interval" in table.output
