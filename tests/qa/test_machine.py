"""The machine reviewer on a real warehouse (DuckDB and Postgres): AutoQA's results stored as
reviews by "machine" apart from the people's, a re-run replacing them, the agreement with the
people checked by hand, and on the demo the planted script-skipping team found."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app, qa_auto
from cxlens.qa import calibration, checks, machine, scoring
from cxlens.qa.scorecards import builtin as builtin_cards
from cxlens.store.base import Warehouse
from tests.qa.test_autoqa import BAD, CHANNELS, CHAT, EMAIL, GOOD

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
TURN_COLUMNS = ("interaction_id", "turn", "speaker", "spoken_at", "offset_seconds", "text")
REVIEW_COLUMNS = ("review_id", "interaction_id", "scorecard", "criterion", "score",
                  "min_score", "max_score", "weight", "critical", "not_applicable", "reviewer",
                  "reviewed_at")


def seed(wh: Warehouse) -> None:
    """Four conversations with transcripts (tests/qa/test_autoqa.py), one without, and a
    person's review of "good" and "bad"."""
    wh.insert_rows("interactions", ("interaction_id", "channel", "created_at", "team"),
                   [(i, ch, AT, "north" if i == "bad" else "south")
                    for i, ch in [*CHANNELS.items(), ("silent", "phone")]])
    wh.insert_rows("transcript_turns", TURN_COLUMNS,
                   [tuple(t[c] for c in TURN_COLUMNS) for t in GOOD + BAD + EMAIL + CHAT])
    rows = []
    for iid, sop, empathy in (("good", 1.0, 4.0), ("bad", 1.0, 3.0)):
        rows += [(f"h-{iid}-p", iid, "process_compliance", "followed_sop", sop, 0.0, 1.0, 2.0,
                  True, False, "qa.hannah", AT),
                 (f"h-{iid}-c", iid, "communication_quality", "empathy", empathy, 1.0, 5.0, 1.0,
                  False, False, "qa.hannah", AT)]
    wh.insert_rows("qa_reviews", REVIEW_COLUMNS, rows)


def test_machine_reviews_are_stored_apart_and_a_rerun_replaces_them(wh: Warehouse) -> None:
    seed(wh)
    people = scoring.quality_scores(wh, by=["reviewer"])
    run = machine.run(wh, now=NOW)
    assert run.conversations == 4  # "silent" has no transcript
    assert wh.count("cxlens_autoqa_results") == 4 * 8
    # good passes all: followed_sop (greeting + closing) 1 of 0–1, empathy 5 of 1–5, ...
    got = {(s, c): (sc, na) for s, c, sc, na in wh.query(
        "SELECT scorecard, criterion, score, not_applicable FROM cxlens_machine_reviews "
        "WHERE interaction_id = 'good'")}
    assert got == {("process_compliance", "followed_sop"): (1.0, False),
                   ("process_compliance", "met_response_sla"): (1.0, False),
                   ("communication_quality", "empathy"): (5.0, False),
                   ("communication_quality", "policy_denial_handling"): (5.0, False),
                   ("communication_quality", "clarity"): (5.0, False),
                   ("communication_quality", "proactive_guidance"): (5.0, False),
                   ("communication_quality", "tone"): (5.0, False)}
    # the e-mail: greeting passes, closing fails -> followed_sop fails; silence n/a -> N/A
    email = dict(wh.query("SELECT criterion, score FROM cxlens_machine_reviews WHERE "
                          "interaction_id = 'email' AND scorecard = 'process_compliance'"))
    assert email == {"followed_sop": 0.0, "met_response_sla": None}
    assert {r for (r,) in wh.query("SELECT DISTINCT reviewer FROM cxlens_machine_reviews")} \
        == {"machine"}
    # the people's figures do not move: nothing was added to qa_reviews
    assert wh.count("qa_reviews") == 4
    pd.testing.assert_frame_equal(scoring.quality_scores(wh, by=["reviewer"]), people)
    beside = scoring.quality_scores(wh, by=["reviewer"], source=machine.WITH_MACHINE)
    assert list(beside["reviewer"]) == ["machine", "qa.hannah"]
    before = wh.query_df("SELECT * FROM cxlens_machine_reviews ORDER BY review_id, criterion")
    machine.run(wh, now=NOW)
    assert wh.count("cxlens_autoqa_results") == 4 * 8
    pd.testing.assert_frame_equal(
        wh.query_df("SELECT * FROM cxlens_machine_reviews ORDER BY review_id, criterion"),
        before)


def test_a_failed_run_keeps_the_previous_results(wh: Warehouse) -> None:
    """A run empties the tables by dropping and re-creating them (DuckDB deletes rows with a
    primary key one index entry at a time): inside the run's transaction, so a run that
    fails leaves the previous run's results and reviews as they were."""
    seed(wh)
    machine.run(wh, now=NOW)
    reviews = wh.count("cxlens_machine_reviews")
    with pytest.raises(RuntimeError, match="the run failed"), wh.transaction():
        for table in machine.TABLES:
            machine._empty(wh, table)
        assert wh.count("cxlens_autoqa_results") == 0
        raise RuntimeError("the run failed")
    assert wh.count("cxlens_autoqa_results") == 4 * 8
    assert wh.count("cxlens_machine_reviews") == reviews > 0


def test_calibration_can_put_the_machine_beside_the_people(wh: Warehouse) -> None:
    """With WITH_MACHINE as the source, "good" and "bad" each have two reviewers (qa.hannah
    and machine) and the machine gets a deviation like any reviewer; without it, nobody has
    a colleague to be compared with. followed_sop on bad: machine 0, person 100 → −100."""
    seed(wh)
    machine.run(wh, now=NOW)
    alone = calibration.calibrate_reviews(wh, resamples=50)
    assert alone.reviewers.empty
    beside = calibration.calibrate_reviews(wh, resamples=50, min_sample=1,
                                           source=machine.WITH_MACHINE)
    rev = beside.reviewers
    assert set(rev["reviewer"]) == {"machine", "qa.hannah"}
    # followed_sop: good both 100; bad machine 0 vs person 100 → mean (0 + −100) / 2 = −50
    sop = rev[(rev["reviewer"] == "machine") & (rev["criterion"] == "followed_sop")]
    assert sop[["deviation", "n"]].to_dict("records") == [{"deviation": -50.0, "n": 2}]


def test_a_run_in_slices_stores_what_one_slice_does(wh: Warehouse) -> None:
    """One conversation at a time (four slices, id ranges in the database's order) gives the
    same rows and counts as all four at once."""
    seed(wh)
    whole = machine.run(wh, now=NOW)
    query = ("SELECT interaction_id, check_id, result, turn, evidence FROM "
             "cxlens_autoqa_results ORDER BY interaction_id, check_id")
    reviews = "SELECT * FROM cxlens_machine_reviews ORDER BY review_id, criterion"
    at_once, reviewed = wh.query(query), wh.query(reviews)
    sliced = machine.run(wh, now=NOW, chunk=1)
    assert wh.query(query) == at_once and wh.query(reviews) == reviewed
    assert len(at_once) == 32
    assert sliced.conversations == whole.conversations == 4
    assert sliced.review_rows == whole.review_rows
    pd.testing.assert_frame_equal(sliced.results, whole.results)
    # greeting: good, email, chat pass; bad fails (tests/qa/test_autoqa.py)
    assert whole.results.set_index("check").loc["greeting"].to_dict() == {
        "pass": 3, "fail": 1, "n/a": 0}


def test_fail_rates_by_team_on_each_engine(wh: Warehouse) -> None:
    """Greeting: "bad" (team north) fails, good, email and chat (south) pass. Wilson's lower
    bound for 1 of 1 at 95 %: (1 + z²/2 − z·√(z²/4)) / (1 + z²) = 1 / 4.8415 = 0.2065."""
    seed(wh)
    machine.run(wh, now=NOW)
    rates = machine.fail_rates(wh, "team").set_index(["team", "check"])
    north = rates.loc[("north", "greeting")]
    assert (north["n"], north["fails"], north["rate"], north["others"]) == (1, 1, 1.0, 0.0)
    assert north["ci_low"] == pytest.approx(0.2065, abs=1e-4)
    assert north["flag"] == "above"
    south = rates.loc[("south", "greeting")]
    assert (south["n"], south["fails"], south["others"], south["flag"]) == (3, 0, 1.0, "")
    # silence applies to phone and chat only: bad (north, phone) and good, chat (south)
    assert rates.loc[("south", "long_silence"), "n"] == 2


def test_an_unknown_group_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    db = str(tmp_path / "cx.duckdb")
    with store.connect(db) as wh:
        seed(wh)
    result = CliRunner().invoke(app, ["qa", "auto", "--db", db, "--by", "teem"])
    assert result.exit_code == 2
    assert 'Did you mean "team"?' in result.output
    with store.connect(db) as wh:  # refused before anything ran
        assert wh.count("cxlens_autoqa_results") == 0


def test_agreement_on_the_warehouse_uses_pass_fail(wh: Warehouse) -> None:
    """good: person 1 / 4 of 5 (pass, pass), machine pass, pass; bad: person 1 / 3 of 5
    (pass, fail: 3 is the middle, not above it), machine fail, fail."""
    seed(wh)
    machine.run(wh, now=NOW)
    frame = machine.ratings(wh, builtin_cards())
    wide = frame.pivot_table(index=["criterion", "unit"], columns="reviewer", values="score")
    assert wide.to_dict("index") == {
        ("communication_quality.empathy", "bad"): {"human": 0.0, "machine": 0.0},
        ("communication_quality.empathy", "good"): {"human": 1.0, "machine": 1.0},
        ("process_compliance.followed_sop", "bad"): {"human": 1.0, "machine": 0.0},
        ("process_compliance.followed_sop", "good"): {"human": 1.0, "machine": 1.0},
    }


def test_alpha_is_checked_by_hand() -> None:
    """Four conversations on followed_sop, machine pass pass fail fail, person pass fail fail
    fail. Coincidences: o11 = 2, o10 = o01 = 1, o00 = 4; n1 = 3, n0 = 5, n = 8.
    α = 1 − (n − 1)·(o01 + o10) / (2·n0·n1) = 1 − 7·2/30 = 8/15."""
    frame = pd.DataFrame({
        "unit": ["a", "b", "c", "d"] * 2,
        "reviewer": ["machine"] * 4 + ["human"] * 4,
        "criterion": "process_compliance.followed_sop",
        "score": [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]})
    row = machine.agreement_of(frame, checks.builtin(), resamples=200).set_index(
        "criterion").loc["followed_sop"]
    assert row["alpha"] == pytest.approx(8 / 15, abs=1e-12)
    assert row["n_units"] == 4
    assert row["same_pass"] == 0.75
    assert row["deviation"] == pytest.approx(25.0)  # machine passes 50 %, the person 25 %
    assert row["checks"] == "greeting, closing"
    assert row["label"] == "unreliable"
    assert not row["trusted"]


def test_full_agreement_is_trusted_and_no_overlap_is_not() -> None:
    frame = pd.DataFrame({
        "unit": ["a", "b", "c", "d"] * 2, "reviewer": ["machine"] * 4 + ["human"] * 4,
        "criterion": "communication_quality.empathy",
        "score": [1.0, 0.0, 1.0, 0.0] * 2})
    out = machine.agreement_of(frame, checks.builtin(), resamples=200).set_index("criterion")
    assert out.loc["empathy", "alpha"] == 1.0
    assert out.loc["empathy", "trusted"]
    assert out.loc["tone", "n_units"] == 0
    assert np.isnan(out.loc["tone", "alpha"])
    assert not out.loc["tone", "trusted"]  # nobody compared: not trusted either


def test_the_cli_threshold_is_the_library_one() -> None:
    assert qa_auto.TRUSTED == machine.TRUSTED == 0.667


# -- on the demo --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_copy(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("autoqa") / "demo.duckdb")
    shutil.copy(demo_db, path)
    return path


def test_the_cli_finds_the_planted_team_on_the_demo(demo_copy: str) -> None:
    result = CliRunner().invoke(app, ["qa", "auto", "--db", demo_copy, "--format", "json",
                                      "--resamples", "200"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["conversations"] > 500
    above = pd.DataFrame(out["above"])
    planted = above[above["team"] == "Bogotá Orders"]  # effects.SKIPPER: Northwind's orders
    assert set(planted["check"]) >= {"greeting", "recap"}
    greeting = planted.set_index("check").loc["greeting"]
    assert greeting["rate"] > 0.5 and greeting["others"] < 0.2
    agreement = pd.DataFrame(out["agreement"])
    assert agreement["n_units"].min() > 0
    assert set(agreement["trusted"]) == {True, False}  # some criteria trusted, some not
    table = CliRunner().invoke(app, ["qa", "auto", "--db", demo_copy, "--resamples", "50"])
    assert table.exit_code == 0, table.output
    assert "not trusted (α below 0.667" in table.output


def test_empathy_statements_rise_after_the_training_on_the_demo(demo_copy: str) -> None:
    with store.connect(demo_copy) as wh:
        machine.run(wh)
        rates = dict(wh.query(
            "SELECT i.created_at >= ? AS after, avg(CASE WHEN r.result = 'pass' THEN 1.0 "
            "ELSE 0.0 END) FROM cxlens_autoqa_results r JOIN interactions i ON "
            "i.interaction_id = r.interaction_id WHERE r.check_id = 'empathy' AND "
            "i.vendor = 'Acme BPO' GROUP BY 1", [dt.datetime(2026, 4, 1, tzinfo=dt.UTC)]))
    assert rates[True] - rates[False] > 0.1


def test_a_run_with_no_transcripts_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.duckdb")
    store.connect(db).close()
    result = CliRunner().invoke(app, ["qa", "auto", "--db", db])
    assert result.exit_code == 0, result.output
    assert "no transcripts" in result.output
