"""Calibration sessions on both backends: three reviewers score six interactions by hand and
the session's α matches the ``krippendorff`` package on the same matrices (and the published
Krippendorff 2011 example with four reviewers); reviewer deviations by hand; session reviews
stay out of quality scores; review entry reports every problem at once; random draws are
reproducible and the same on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

import krippendorff
import numpy as np
import pytest

from cxlens.errors import ConfigError, NotFound
from cxlens.qa import disputes, sampling, scoring, sessions
from cxlens.qa.scorecards import builtin
from cxlens.store.base import Warehouse

NAN = math.nan
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
D = dt.timedelta(days=1)
UNITS = [f"I{k}" for k in range(1, 7)]
REVIEWERS = ("ann", "bob", "cat")
CRITERIA = ("tone", "empathy", "proactive_guidance", "policy_denial_handling", "clarity")
#: criterion → reviewers (rows) × interactions I1..I6 (columns), on 1–5; NaN = N/A.
MATRIX: dict[str, list[list[float]]] = {
    "tone": [[5, 4, 3, 2, 1, 4], [4, 4, 3, 2, 2, 5], [5, 3, 3, 1, 1, 4]],
    "empathy": [[4, 4, 2, 3, 1, 5], [3, 5, 2, 3, 2, 4], [5, 4, 1, 2, 1, 5]],
    "proactive_guidance": [[3, 3, 3, 2, 2, 4], [5, 1, 3, 4, 2, 2], [2, 4, 1, 3, 5, 3]],
    "policy_denial_handling": [[NAN, 2, 4, NAN, 5, 1], [NAN, 2, 5, NAN, 4, 1],
                               [3, NAN, 4, NAN, 5, 2]],
    "clarity": [[5, 4, 4, 2, 2, 4], [5, 4, 3, 2, 1, 4], [4, 4, 4, 3, 2, 5]],
}


def world(wh: Warehouse) -> None:
    """Twelve closed interactions: I1–I6 at Acme, I7–I12 at Northwind, one a day from AT."""
    wh.insert_rows("interactions", ("interaction_id", "channel", "vendor", "agent_id",
                                    "created_at", "closed_at"),
                   [[f"I{k}", "chat", "Acme BPO" if k <= 6 else "Northwind BPO", f"a{k % 3}",
                     AT + k * D - dt.timedelta(hours=2), AT + k * D] for k in range(1, 13)])


def scores_of(r: int, u: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in CRITERIA:
        v = MATRIX[c][r][u]
        out[c] = sessions.NA if math.isnan(v) else int(v)
    return out


def session(wh: Warehouse, **kw: Any) -> sessions.Session:
    return sessions.create(wh, "March calibration", "communication_quality", UNITS,
                           REVIEWERS, "lead", now=AT, **kw)


def pct(v: float) -> float:
    return (v - 1) * 25.0


def review_matrix() -> np.ndarray:
    """Each review's score by hand: the mean of its applicable criteria on 0–100 (all of
    communication_quality weigh 1; none is critical or a bonus)."""
    out = np.full((3, 6), NAN)
    for r in range(3):
        for u in range(6):
            values = [pct(MATRIX[c][r][u]) for c in CRITERIA if not math.isnan(MATRIX[c][r][u])]
            out[r, u] = sum(values) / len(values)
    return out


def test_three_reviewers_alpha_matches_the_krippendorff_package(wh: Warehouse) -> None:
    world(wh)
    s = session(wh)
    assert s.session_id.startswith("cal_") and s.reviewers == REVIEWERS
    assert sessions.result(wh, s.session_id, resamples=50).reliability.empty  # nobody yet
    for u, iid in enumerate(UNITS):
        review = sessions.record(wh, s.session_id, "ann", iid, scores_of(0, u), now=AT)
        assert review.score == pytest.approx(review_matrix()[0, u])
    # one reviewer alone: nothing to compare yet
    assert sessions.result(wh, s.session_id, resamples=50).reliability.empty
    for r, who in enumerate(REVIEWERS[1:], start=1):
        for u, iid in enumerate(UNITS):
            sessions.record(wh, s.session_id, who, iid, scores_of(r, u), now=AT + r * D)
    prog = sessions.progress(wh, s.session_id)
    assert prog.complete and prog.completed == prog.total == 18 and prog.started == 3
    assert prog.todo("ann") == []

    out = sessions.result(wh, s.session_id, resamples=300, min_sample=5, threshold=10)
    rel = out.reliability.set_index("criterion")
    assert list(rel.index) == [*CRITERIA, "overall"]
    assert set(rel["scorecard"]) == {"communication_quality"}
    for c in CRITERIA:
        want = krippendorff.alpha(reliability_data=np.array(MATRIX[c]),
                                  level_of_measurement="ordinal")
        assert rel.loc[c, "alpha"] == pytest.approx(want, abs=1e-9), c
        assert rel.loc[c, "ci_low"] <= rel.loc[c, "alpha"] <= rel.loc[c, "ci_high"]
    want = krippendorff.alpha(reliability_data=review_matrix(), level_of_measurement="ordinal")
    assert rel.loc["overall", "alpha"] == pytest.approx(want, abs=1e-9)
    assert rel.loc["tone", "label"] == "reliable" and rel.loc["tone", "alpha"] >= 0.8
    assert rel.loc["proactive_guidance", "label"] == "unreliable"
    # policy: I1 has one rating, I4 none — 4 units with two or more
    assert (rel.loc["policy_denial_handling", "n_units"],
            rel.loc["policy_denial_handling", "n_ratings"]) == (4, 11)
    assert (rel.loc["tone", "n_units"], rel.loc["tone", "n_ratings"]) == (6, 18)

    # each reviewer's deviation: own score − mean of the others', averaged over the units
    dev = out.reviewers.set_index(["reviewer", "criterion"])
    for c, matrix in ((c, [[pct(v) for v in row] for row in MATRIX[c]]) for c in CRITERIA):
        grid = np.array(matrix)
        for r, who in enumerate(REVIEWERS):
            diffs = [grid[r, u] - np.nanmean(np.delete(grid[:, u], r)) for u in range(6)
                     if not np.isnan(grid[r, u]) and np.sum(~np.isnan(grid[:, u])) >= 2]
            assert dev.loc[(who, c), "deviation"] == pytest.approx(np.mean(diffs)), (who, c)
            assert dev.loc[(who, c), "n"] == len(diffs)
    assert dev.loc[("ann", "policy_denial_handling"), "flag"] == "insufficient_sample"
    overall = review_matrix()
    for r, who in enumerate(REVIEWERS):
        mean = np.mean([overall[r, u] - np.delete(overall[:, u], r).mean() for u in range(6)])
        assert dev.loc[(who, "overall"), "deviation"] == pytest.approx(mean)
        flag = "lenient" if mean > 10 else "strict" if mean < -10 else ""
        assert dev.loc[(who, "overall"), "flag"] == flag

    # calibration scores do not count in quality scores: qa_reviews is untouched
    assert wh.scalar("SELECT count(*) FROM qa_reviews") == 0
    assert (scoring.quality_scores(wh, by=()))["n"].tolist() == [0]
    assert len(sessions.review_scores(wh, s.session_id)) == 18


def test_the_published_example_with_four_reviewers(wh: Warehouse) -> None:
    """Krippendorff (2011) section C as the policy criterion of a 12-interaction session;
    the other criteria are all 3: no variation, α undefined."""
    from tests.qa.test_calibration import EXAMPLE, PUBLISHED

    world(wh)
    ids = [f"I{k}" for k in range(1, 13)]
    s = sessions.create(wh, "paper", "communication_quality", ids, ["o1", "o2", "o3", "o4"],
                        "lead", now=AT)
    for r, who in enumerate(s.reviewers):
        for u, iid in enumerate(ids):
            v = EXAMPLE[r][u]
            sessions.record(wh, s.session_id, who, iid, {
                "tone": 3, "empathy": 3, "proactive_guidance": 3, "clarity": 3,
                "policy_denial_handling": sessions.NA if math.isnan(v) else int(v)}, now=AT)
    rel = sessions.result(wh, s.session_id, resamples=100).reliability.set_index("criterion")
    assert round(rel.loc["policy_denial_handling", "alpha"], 3) == PUBLISHED["ordinal"]
    assert (rel.loc["policy_denial_handling", "n_units"],
            rel.loc["policy_denial_handling", "n_ratings"]) == (11, 40)
    assert math.isnan(rel.loc["tone", "alpha"]) and rel.loc["tone", "label"] == "undefined"


def test_a_second_review_replaces_the_first(wh: Warehouse) -> None:
    world(wh)
    s = session(wh)
    sessions.record(wh, s.session_id, "bob", "I2", scores_of(1, 1), now=AT)
    again = {**scores_of(1, 1), "tone": 1}
    sessions.record(wh, s.session_id, "bob", "I2", again, now=AT + D)
    assert sessions.scores_of(wh, s.session_id, "bob", "I2")["tone"] == 1.0
    assert sessions.scores_of(wh, s.session_id, "bob", "I2")["policy_denial_handling"] == 2.0
    assert sessions.scores_of(wh, s.session_id, "ann", "I2") == {}
    prog = sessions.progress(wh, s.session_id)
    assert prog.scored("bob") == 1 and prog.done["bob"]["I2"] == AT + D
    assert prog.todo("bob") == ["I1", "I3", "I4", "I5", "I6"] and not prog.complete
    assert wh.scalar("SELECT count(DISTINCT review_id) FROM cxlens_qa_session_reviews") == 1


def test_every_problem_of_a_review_is_reported_at_once(wh: Warehouse) -> None:
    world(wh)
    s = session(wh)
    with pytest.raises(ConfigError) as caught:
        sessions.record(wh, s.session_id, "zed", "I9", {
            "tone": 6, "empathy": sessions.NA, "proactive_guidance": "2.5",
            "clarity": "good", "tonne": 3})
    msg = caught.value.message
    for part in ("zed is not a reviewer", "'I9' is not in this session", "tone: 6 is outside",
                 "empathy cannot be N/A", "proactive_guidance: 2.5 is outside",
                 "clarity: 'good' is not a score", "policy_denial_handling is not scored "
                 "(score it or mark it N/A)", "no criterion 'tonne'", 'Did you mean "tone"'):
        assert part in msg, part
    assert "ann, bob, cat" in caught.value.hint and "tone 1–5" in caught.value.hint
    assert wh.scalar("SELECT count(*) FROM cxlens_qa_session_reviews") == 0


def test_creating_a_session_reports_every_problem(wh: Warehouse) -> None:
    world(wh)
    with pytest.raises(ConfigError) as caught:
        sessions.create(wh, " ", "comunication_quality", ["I1", "NOPE", "I1"], ["ann", "ann"],
                        "lead")
    msg = caught.value.message
    for part in ("the name is empty", 'Did you mean "communication_quality"',
                 "at least 2 reviewers, got 1", "1 unknown interaction(s): NOPE"):
        assert part in msg, part
    with pytest.raises(ConfigError, match="no interactions"):
        sessions.create(wh, "x", "communication_quality", [], ["a", "b"], "lead")
    s = sessions.create(wh, "x", "process_compliance", ["I2", "I1", "I2"], ["a", "b"], "lead",
                        origin="by hand", now=AT)
    assert s.interaction_ids == ("I2", "I1")
    assert sessions.get(wh, s.session_id) == s
    later = sessions.create(wh, "later", "communication_quality", UNITS, REVIEWERS, "lead",
                            now=AT + D)
    assert [x.session_id for x in sessions.listing(wh)] == [later.session_id, s.session_id]
    assert [x.session_id for x in sessions.listing(wh, reviewer="ann")] == [later.session_id]
    for bad in ("cal_000000000000", "x'; DROP TABLE qa_reviews; --"):
        with pytest.raises(NotFound, match="no calibration session"):
            sessions.get(wh, bad)


def test_draws_are_reproducible_and_the_same_on_every_backend(wh: Warehouse) -> None:
    world(wh)
    pool = [f"I{k}" for k in range(1, 13) if AT + 2 * D <= AT + k * D < AT + 11 * D]
    got = sessions.draw(wh, 4, (AT + 2 * D).date(), (AT + 10 * D).date(), seed=7)
    want = sorted(pool, key=lambda i: (hashlib.md5(f"7{i}".encode()).hexdigest(), i))[:4]
    assert got == want
    assert sessions.draw(wh, 4, (AT + 2 * D).date(), (AT + 10 * D).date(), seed=7) == got
    acme = sessions.draw(wh, 50, "2026-01-01", "2026-12-31", vendor="Acme BPO", seed=1)
    assert sorted(acme) == sorted(UNITS)
    with pytest.raises(ConfigError, match="no reviewed and closed interactions"):
        sessions.draw(wh, 3, "2026-01-01", "2026-12-31", reviewed=True)
    sessions.add_review(wh, "I8", "process_compliance", "ann", {
        "followed_sop": 1, "right_template": 1, "correct_status": 1, "met_response_sla": 1,
        "escalation_summary": "na"}, now=AT)
    assert sessions.draw(wh, 3, "2026-01-01", "2026-12-31", reviewed=True) == ["I8"]
    with pytest.raises(ConfigError) as caught:
        sessions.draw(wh, 0, "2026-02-01", "2026-01-01")
    assert "between 1 and" in caught.value.message and "empty" in caught.value.message


def test_an_everyday_review_counts_in_quality_scores(wh: Warehouse) -> None:
    world(wh)
    sampling.ensure(wh)
    wh.insert_rows(sampling.ASSIGNMENTS.name, ("sample_id", "interaction_id", "reviewer",
                                               "assigned_at", "status"),
                   [["smp", "I1", "ann", AT, "open"], ["smp", "I2", "ann", AT, "open"]])
    failed = sessions.add_review(wh, "I1", "process_compliance", "ann", {
        "followed_sop": 0, "right_template": 1, "correct_status": 1, "met_response_sla": 1,
        "escalation_summary": "na"}, now=AT)
    assert failed.score == 0.0  # a critical criterion failed
    ok = sessions.add_review(wh, "I3", "process_compliance", "ann", {
        "followed_sop": 1, "right_template": "na", "correct_status": 1, "met_response_sla": 0,
        "escalation_summary": 1}, now=AT)
    assert ok.score == pytest.approx((2 * 100 + 100 + 0 + 100) / 5)  # followed_sop weighs 2
    stored = scoring.review_scores(wh).set_index("review_id")["score"]
    assert stored.to_dict() == {failed.review_id: 0.0, ok.review_id: pytest.approx(ok.score)}
    rows = wh.query("SELECT criterion, score, min_score, max_score, weight, critical, "
                    "not_applicable, reviewer FROM qa_reviews WHERE review_id = ? "
                    "ORDER BY criterion", [ok.review_id])
    assert rows[0] == ("correct_status", 1.0, 0.0, 1.0, 1.0, True, False, "ann")
    assert rows[4] == ("right_template", None, 0.0, 1.0, 1.0, False, True, "ann")
    assert sessions.get_review(wh, ok.review_id) == ok
    # the assignment of I1 to ann is done by the review; I2's is still open
    done = sampling.assignments(wh).set_index("interaction_id")
    assert done.loc["I1", "status"] == "done" and done.loc["I1", "review_id"] == failed.review_id
    assert done.loc["I2", "status"] == "open"
    # an arbiter's decision changes the effective score, not the stored review
    d = disputes.open_dispute(wh, ok.review_id, "acme", "the SLA was met", now=AT + D)
    disputes.decide(wh, d.dispute_id, "lead", "overturned", "agreed", now=AT + 2 * D)
    assert sessions.effective_score(wh, ok.review_id) is None
    assert sessions.get_review(wh, ok.review_id).score == pytest.approx(ok.score)
    with pytest.raises(NotFound, match="no interaction 'I99'"):
        sessions.add_review(wh, "I99", "process_compliance", "ann", {
            "followed_sop": 1, "right_template": 1, "correct_status": 1,
            "met_response_sla": 1, "escalation_summary": 1})
    with pytest.raises(ConfigError, match="followed_sop is not scored"):
        sessions.add_review(wh, "I1", "process_compliance", "ann", {})
    with pytest.raises(NotFound, match="no QA review"):
        sessions.get_review(wh, "qa_nope")


def test_scores_check_against_the_scorecard() -> None:
    card = builtin().get("process_compliance")
    given: dict[str, Any] = {"followed_sop": "1", "right_template": "N/A",
                             "correct_status": 1.0, "met_response_sla": 0,
                             "escalation_summary": "na"}
    checked = sessions.check_scores(card, given)
    assert checked == {"followed_sop": 1.0, "right_template": None, "correct_status": 1.0,
                       "met_response_sla": 0.0, "escalation_summary": None}
    assert sessions.review_score(card, checked) == pytest.approx(100 * 3 / 4)
    with pytest.raises(ConfigError, match="followed_sop cannot be N/A") as caught:
        sessions.check_scores(card, {**given, "followed_sop": "na", "correct_status": None})
    assert "correct_status is not scored" in caught.value.message
    assert "2 problem(s)" in caught.value.message
