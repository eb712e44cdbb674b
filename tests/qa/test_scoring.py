"""Zendesk QA scoring: the pure maths by hand, then review and quality scores computed in SQL on
both warehouse backends against numbers worked out here by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.qa import scorecards, scoring
from cxlens.qa.scoring import Rating, review_score
from cxlens.store.base import Warehouse

T_975_DF1 = 12.7062047  # Student-t 97.5 % quantile, 1 degree of freedom (printed tables)


def test_criterion_scores_on_their_scale() -> None:
    assert scoring.criterion_score(1, 0, 1) == 100
    assert [scoring.criterion_score(s, 1, 5) for s in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    assert scoring.criterion_score(2, 1, 4) == pytest.approx(100 / 3)
    with pytest.raises(ValueError, match="must be above"):
        scoring.criterion_score(1, 1, 1)


def test_weighted_mean_of_the_applicable_criteria() -> None:
    # 4 of 5 on 1–5 (75 %) weighs 3, a pass (100 %) weighs 1, a fail (0 %) weighs 2, one N/A
    ratings = [Rating(4, 5, 1, weight=3), Rating(1, 1, weight=1), Rating(0, 1, weight=2),
               Rating(None, 5, 1, weight=5, not_applicable=True)]
    assert review_score(ratings) == pytest.approx((3 * 75 + 100 + 0) / 6)  # 54.1667
    # N/A means left out, whether flagged or just without a score
    assert review_score([Rating(3, 5, 1), Rating(5, 5, 1, not_applicable=True)]) == 50
    assert review_score([Rating(3, 5, 1), Rating(None, 5, 1)]) == 50
    assert review_score([Rating(None, 1, not_applicable=True)]) is None
    assert review_score([]) is None
    assert review_score([Rating(1, 1, weight=0)]) is None  # nothing with weight applies


def test_a_failed_critical_criterion_zeroes_the_review() -> None:
    passed = [Rating(1, 1, weight=2, critical=True), Rating(0, 1), Rating(5, 5, 1)]
    assert review_score(passed) == pytest.approx((200 + 0 + 100) / 4)
    failed = [Rating(0, 1, weight=2, critical=True), Rating(1, 1), Rating(5, 5, 1)]
    assert review_score(failed) == 0
    # below 50 % fails; exactly 50 % (3 of 1–5) does not; an N/A critical criterion cannot fail
    assert review_score([Rating(2, 5, 1, critical=True), Rating(5, 5, 1)]) == 0
    assert review_score([Rating(3, 5, 1, critical=True), Rating(5, 5, 1)]) == 75
    assert review_score([Rating(None, 1, critical=True, not_applicable=True),
                         Rating(1, 1)]) == 100


def test_a_bonus_counts_only_when_it_raises_the_score() -> None:
    base = [Rating(3, 5, 1), Rating(1, 1)]  # 50 and 100 → 75
    assert review_score([*base, Rating(1, 1, bonus=True)]) == pytest.approx(250 / 3)  # 83.33
    assert review_score([*base, Rating(0, 1, bonus=True)]) == 75  # would lower it: ignored
    assert review_score([*base, Rating(None, 1, bonus=True, not_applicable=True)]) == 75
    # weights count for bonuses too; several bonuses are all in or all out
    assert review_score([*base, Rating(1, 1, weight=2, bonus=True)]) == pytest.approx(87.5)
    assert review_score([*base, Rating(1, 1, bonus=True),
                         Rating(0, 1, bonus=True)]) == 75  # together (62.5) they would lower
    # a bonus never rescues a failed critical criterion, nor scores a review on its own
    assert review_score([Rating(0, 1, critical=True), Rating(1, 1, bonus=True)]) == 0
    assert review_score([Rating(1, 1, bonus=True)]) is None


# -- on the warehouse ---------------------------------------------------------------------------
AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
COLS = ("review_id", "interaction_id", "scorecard", "criterion", "score", "min_score",
        "max_score", "weight", "critical", "not_applicable", "reviewer", "reviewed_at")
CUSTOM = scorecards.parse("""
scorecards:
  - name: chat_check
    sections:
      - id: main
        criteria:
          - {id: solution, scale: {min: 1, max: 5}}
          - {id: spelling}
          - {id: extra_mile, bonus: true}
""")


def _review(rid: str, iid: str, card: str, reviewer: str, day: int,
            rows: list[tuple[str, float | None, float, float, float, bool]]) -> list[tuple]:
    return [(rid, iid, card, crit, score, lo, hi, w, critical, score is None, reviewer,
             AT + dt.timedelta(days=day)) for crit, score, lo, hi, w, critical in rows]


def build(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ("interaction_id", "channel", "vendor", "site", "team",
                                    "agent_id"), [
        ("I1", "email", "Acme BPO", "Manila", "t1", "a1"),
        ("I2", "email", "Acme BPO", "Manila", "t1", "a2"),
        ("I3", "chat", "in-house", "Leeds", "t2", "a3"),
        ("I4", "chat", "in-house", "Leeds", "t2", "a3"),
        ("I5", "chat", "in-house", "Leeds", "t2", "a4"),
    ])
    pc, cq = "process_compliance", "communication_quality"
    rows = [
        # 100·2 + 0 + 100 + 100 over weights 2+1+1+1, escalation summary N/A → 80
        *_review("R1", "I1", pc, "qa.hannah", 0, [
            ("followed_sop", 1, 0, 1, 2, True), ("right_template", 0, 0, 1, 1, False),
            ("correct_status", 1, 0, 1, 1, True), ("met_response_sla", 1, 0, 1, 1, False),
            ("escalation_summary", None, 0, 1, 1, False)]),
        # failed the critical SOP → 0
        *_review("R2", "I2", pc, "qa.ramon", 1, [
            ("followed_sop", 0, 0, 1, 2, True), ("right_template", 1, 0, 1, 1, False),
            ("correct_status", 1, 0, 1, 1, True)]),
        # 75, 100, 25, N/A, 50 → 62.5
        *_review("R3", "I3", cq, "qa.lucia", 2, [
            ("tone", 4, 1, 5, 1, False), ("empathy", 5, 1, 5, 1, False),
            ("proactive_guidance", 2, 1, 5, 1, False),
            ("policy_denial_handling", None, 1, 5, 1, False), ("clarity", 3, 1, 5, 1, False)]),
        # nothing applicable → no score
        *_review("R4", "I4", cq, "qa.lucia", 3, [("policy_denial_handling", None, 1, 5, 1,
                                                   False)]),
        # 50 and 100 → 75; the bonus (100) raises it to 83.33 with the custom scorecards
        *_review("R5", "I5", "chat_check", "qa.owen", 4, [
            ("solution", 3, 1, 5, 1, False), ("spelling", 1, 0, 1, 1, False),
            ("extra_mile", 1, 0, 1, 1, False)]),
        # 100, 100 → 100; the bonus (0) would lower it: 100 either way
        *_review("R6", "I5", "chat_check", "qa.mei", 40, [
            ("solution", 5, 1, 5, 1, False), ("spelling", 1, 0, 1, 1, False),
            ("extra_mile", 0, 0, 1, 1, False)]),
    ]
    wh.insert_rows("qa_reviews", COLS, rows)


def test_review_scores_on_the_warehouse(wh: Warehouse) -> None:
    build(wh)
    frame = scoring.review_scores(wh, scorecards=CUSTOM)
    assert list(frame.columns) == list(scoring.REVIEW_COLUMNS)
    got = dict(zip(frame["review_id"], frame["score"], strict=True))
    assert got["R1"] == pytest.approx(80)
    assert got["R2"] == 0
    assert got["R3"] == pytest.approx(62.5)
    assert math.isnan(got["R4"])
    assert got["R5"] == pytest.approx(250 / 3)
    assert got["R6"] == pytest.approx(100)
    r1 = frame[frame["review_id"] == "R1"].iloc[0]
    assert (r1["interaction_id"], r1["scorecard"], r1["reviewer"], r1["agent_id"], r1["team"],
            r1["vendor"], r1["site"]) == ("I1", "process_compliance", "qa.hannah", "a1", "t1",
                                          "Acme BPO", "Manila")
    assert r1["reviewed_at"] == pd.Timestamp(AT)
    # the built-in scorecards know no bonus in chat_check: extra_mile is a regular criterion
    plain = scoring.review_scores(wh, scorecard="chat_check")
    assert plain["score"].tolist() == pytest.approx([250 / 3, 200 / 3])
    # a date ``end`` includes that day; ``start`` from midnight
    window = scoring.review_scores(wh, start="2026-03-03", end="2026-03-05")
    assert window["review_id"].tolist() == ["R2", "R3", "R4"]


def test_quality_scores_with_intervals_and_flags(wh: Warehouse) -> None:
    build(wh)
    frame = scoring.quality_scores(wh, by=["vendor"], scorecards=CUSTOM, min_sample=2)
    assert list(frame.columns) == ["vendor", "value", "n", "ci_low", "ci_high", "flag"]
    acme, house = frame.iloc[0], frame.iloc[1]
    # Acme: reviews 80 and 0 → mean 40, sd √((40² + 40²)/1) = 56.569, t(1) half-width
    half = T_975_DF1 * math.sqrt(3200) / math.sqrt(2)
    assert (acme["vendor"], acme["n"], acme["flag"]) == ("Acme BPO", 2, "")
    assert acme["value"] == pytest.approx(40)
    assert (acme["ci_low"], acme["ci_high"]) == pytest.approx(
        (max(0.0, 40 - half), min(100.0, 40 + half)))  # clipped to the 0–100 scale
    # in-house: 62.5, 83.33, 100 (the review without a score does not count)
    assert (house["vendor"], house["n"], house["flag"]) == ("in-house", 3, "")
    assert house["value"] == pytest.approx((62.5 + 250 / 3 + 100) / 3)
    one = scoring.quality_scores(wh, by=["agent_id", "scorecard"], scorecards=CUSTOM)
    assert one[["agent_id", "scorecard", "n"]].values.tolist() == [
        ["a1", "process_compliance", 1], ["a2", "process_compliance", 1],
        ["a3", "communication_quality", 1], ["a4", "chat_check", 2]]
    a3 = one.iloc[2]
    assert a3["value"] == pytest.approx(62.5) and math.isnan(a3["ci_low"])
    assert set(one["flag"]) == {"insufficient_sample"}  # below the default 30
    empty = scoring.quality_scores(wh, by=[], scorecard="communication_quality",
                                   start="2026-03-05")
    # only R4 from 5 March on, and it has no score: an empty figure, never 0
    assert empty[["n", "flag"]].values.tolist() == [[0, "no_data"]]
    assert math.isnan(empty["value"][0]) and math.isnan(empty["ci_low"][0])
    overall = scoring.quality_scores(wh, by=[], scorecards=CUSTOM)
    assert overall["n"].tolist() == [5]
    assert overall["value"].tolist() == pytest.approx([(80 + 0 + 62.5 + 250 / 3 + 100) / 5])


def test_grouping_by_an_unknown_column_says_what_is_possible(duck: Warehouse) -> None:
    with pytest.raises(ConfigError, match='Did you mean "vendor"') as caught:
        scoring.quality_scores(duck, by=["vendors"])
    assert "agent_id" in caught.value.hint


def test_a_few_reviews_keep_their_interval_on_the_scale(wh: Warehouse) -> None:
    """Two reviews scoring 0 and 100: the t interval (50 ± 12.71·50) is clipped to 0–100."""
    rows = [[f"R{k}", f"I{k}", "process_compliance", "followed_sop", score, 0, 1, 2, True,
             False, "qa.x", dt.datetime(2026, 3, 2, tzinfo=dt.UTC)]
            for k, score in enumerate((0, 1))]
    wh.insert_rows("qa_reviews", ["review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "min_score", "max_score", "weight", "critical",
                                  "not_applicable", "reviewer", "reviewed_at"], rows)
    (row,) = scoring.quality_scores(wh, by=("scorecard",)).to_dict("records")
    assert (row["value"], row["n"], row["ci_low"], row["ci_high"]) == (50.0, 2, 0.0, 100.0)
