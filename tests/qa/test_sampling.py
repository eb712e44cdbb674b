"""QA sampling on hand-built warehouses: the sample-size formula against the worked numbers
of docs/reference/statistics.md, proportional allocation by channel, over-sampled traits
really over-represented, already-reviewed interactions left out and counted, reproducible
draws, and reviewer assignment (balanced, never one's own, never twice, not one's team)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from cxlens.errors import ConfigError
from cxlens.qa import machine, sampling
from cxlens.qa.sampling import Plan, allocate, sample_size
from cxlens.store.base import Warehouse

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)
NO_OVERSAMPLING = dict.fromkeys(sampling.TRAITS, 1.0)
_COLS = ("interaction_id", "agent_id", "team", "channel", "created_at", "closed_at",
         "escalated", "escalated_at", "policy_denial", "reopen_count")


def _add(wh: Warehouse, rows: list[dict[str, Any]]) -> None:
    """Interactions closed inside March 2026 unless told otherwise."""
    out = []
    for k, r in enumerate(rows):
        created = START + dt.timedelta(hours=k % 600)
        out.append([r["id"], r.get("agent", "a1"), r.get("team", "t1"), r.get("channel", "email"),
                    created, r.get("closed_at", created + dt.timedelta(hours=2)),
                    r.get("escalated", False),
                    created + dt.timedelta(hours=1) if r.get("escalated") else None,
                    r.get("policy_denial", False), r.get("reopen_count", 0)])
    wh.insert_rows("interactions", _COLS, out)


def _answers(wh: Warehouse, rows: list[tuple[str, str, int]]) -> None:
    wh.insert_rows("survey_responses", ("response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id"),
                   [[f"R{k}", survey, score, 1 if survey == "csat" else 0,
                     5 if survey == "csat" else 10, START + dt.timedelta(days=3), iid]
                    for k, (iid, survey, score) in enumerate(rows)])


def _review(wh: Warehouse, review_id: str, interaction_id: str, reviewer: str) -> None:
    wh.insert_rows("qa_reviews", ("review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "min_score", "max_score", "reviewer", "reviewed_at"),
                   [[review_id, interaction_id, "process_compliance", "followed_sop", 1.0, 0.0,
                     1.0, reviewer, NOW]])


# -- the formula ------------------------------------------------------------------------------

def test_sample_size_matches_the_worked_numbers() -> None:
    # z = 1.95996, z² = 3.84146; CSAT ±5 points at 95 %
    assert sample_size(margin=0.05, confidence=0.95, pass_rate=0.5) == 385  # 384.15 up
    assert sample_size(margin=0.05, confidence=0.95, pass_rate=0.85) == 196  # 195.91 up
    # finite population: n = n₀ / (1 + (n₀ − 1)/N)
    assert sample_size(1000, margin=0.05, pass_rate=0.5) == 278  # 384.15 / 1.38315 = 277.7
    assert sample_size(50, margin=0.05, pass_rate=0.5) == 45  # 384.15 / 8.66292 = 44.34
    assert sample_size(10, margin=0.05, pass_rate=0.5) == 10  # 9.77: all of them
    assert sample_size(100, margin=0.2, pass_rate=0.85) == 12  # n₀ 12.24 → 11.007 up
    assert sample_size(0) == 0
    assert sample_size(500, pass_rate=1.0) == 0  # no variance to estimate


def test_per_agent_numbers_stay_between_floor_and_cap() -> None:
    plan = Plan(margin=0.05, pass_rate=0.5, floor=5, cap=50)
    assert [plan.per_agent(n) for n in (0, 3, 10, 50, 1000)] == [0, 3, 10, 45, 50]
    loose = Plan(margin=0.3, pass_rate=0.9, floor=5, cap=50)  # n₀ = 3.84 → 4, floor 5
    assert loose.per_agent(100) == 5


def test_allocation_is_proportional_and_adds_up() -> None:
    assert allocate(20, {"phone": 60, "email": 30, "chat": 10}) == {
        "phone": 12, "email": 6, "chat": 2}
    # quotas 3.5, 2.1, 1.4 → 3, 2, 1 and the one left goes to the largest remainder (phone)
    assert allocate(7, {"phone": 5, "email": 3, "chat": 2}) == {
        "phone": 4, "email": 2, "chat": 1}
    assert allocate(2, {"b": 1, "a": 1, "c": 1}) == {"a": 1, "b": 1, "c": 0}  # ties by name
    assert allocate(10, {"a": 1, "b": 2}) == {"a": 1, "b": 2}  # never more than there is
    assert allocate(0, {"a": 4}) == {"a": 0}


def test_bad_plans_are_refused_with_every_problem() -> None:
    with pytest.raises(ConfigError) as err:
        sample_size(margin=5)
    assert "0.05 for ±5 points" in err.value.hint
    plan = Plan(margin=0, floor=10, cap=5, oversample={"escalaton": 2.0})
    with pytest.raises(ConfigError) as err2:
        sampling._check(START, START, [], plan)
    text = str(err2.value)
    for part in ("margin must be between 0 and 1", "floor 10 and cap 5",
                 'Did you mean "escalation"', "must end after it starts", "no reviewers"):
        assert part in text


# -- drawing on a warehouse (DuckDB and Postgres) ----------------------------------------------

def test_strata_get_their_proportional_share(wh: Warehouse) -> None:
    _add(wh, [{"id": f"P{k:03d}", "channel": "phone"} for k in range(60)]
         + [{"id": f"E{k:03d}", "channel": "email"} for k in range(30)]
         + [{"id": f"C{k:03d}", "channel": "chat"} for k in range(10)]
         + [{"id": "LATE", "closed_at": END + dt.timedelta(hours=1)},  # outside the period
            {"id": "OPEN", "closed_at": None}])                        # not closed
    plan = Plan(floor=20, cap=20, oversample=NO_OVERSAMPLING)
    sample = sampling.draw(wh, START, END, ["qa1", "qa2"], plan=plan, seed=1, now=NOW)
    got = sample.assignments
    assert Counter(got["stratum"]) == {"phone": 12, "email": 6, "chat": 2}
    assert set(got["reason"]) == {"random"} and set(got["weight"]) == {1.0}
    assert not {"LATE", "OPEN"} & set(got["interaction_id"])
    assert sample.agents.to_dict("records") == [
        {"agent_id": "a1", "population": 100, "already": 0, "target": 20, "drawn": 20}]
    assert (got["due_at"] == NOW + dt.timedelta(days=7)).all()
    stored = sampling.assignments(wh, sample_id=sample.sample_id)
    assert len(stored) == 20 and set(stored["status"]) == {"open"}
    assert sorted(stored["interaction_id"]) == sorted(got["interaction_id"])


def _traits_world(wh: Warehouse) -> dict[str, set[str]]:
    """200 chats of one agent; 20 each escalated, policy denials, reopened, rated by a
    detractor (CSAT 1–2 or NPS 0–6), failed AutoQA's greeting check; 20 rated but not
    detractors (CSAT 3, NPS 7); 20 that passed the recap check."""
    rows: list[dict[str, Any]] = []
    traits: dict[str, set[str]] = {t: set() for t in sampling.TRAITS}
    answers = []
    checked: list[tuple[str, str, str]] = []
    for k in range(200):
        iid, row = f"I{k:03d}", {"id": f"I{k:03d}", "channel": "chat"}
        if k < 20:
            row["escalated"] = True
            traits["escalation"].add(iid)
        elif k < 40:
            row["policy_denial"] = True
            traits["policy_denial"].add(iid)
        elif k < 60:
            row["reopen_count"] = 1 + k % 2
            traits["reopened"].add(iid)
        elif k < 80:
            answers.append((iid, ("csat", "csat", "nps")[k % 3], (1, 2, 6)[k % 3]))
            traits["detractor"].add(iid)
        elif k < 100:
            answers.append((iid, ("csat", "nps")[k % 2], (3, 7)[k % 2]))
        elif k < 120:
            checked.append((iid, "greeting", "fail"))
            traits["autoqa_fail"].add(iid)
        elif k < 140:
            checked.append((iid, "recap", "pass"))
        rows.append(row)
    _add(wh, rows)
    _answers(wh, answers)
    machine.ensure(wh)
    wh.insert_rows("cxlens_autoqa_results", ("interaction_id", "check_id", "result",
                                             "checked_at"),
                   [(iid, check, result, NOW) for iid, check, result in checked])
    return traits


def test_over_sampled_traits_are_over_represented(wh: Warehouse) -> None:
    traits = _traits_world(wh)
    plan = Plan(floor=40, cap=40, oversample=dict.fromkeys(sampling.TRAITS, 6.0))
    got = sampling.draw(wh, START, END, ["qa1"], plan=plan, seed=7, now=NOW,
                        save=False).assignments
    picked = set(got["interaction_id"])
    assert len(picked) == 40
    for trait, ids in traits.items():
        base = len(ids) / 200  # 10 % of the population
        share = len(picked & ids) / 40
        assert share > base, (trait, share)  # ≈ 17 % expected (5 traits share the boost)
    flagged = set().union(*traits.values())
    for row in got.itertuples():
        expected = [t for t in sampling.TRAITS if row.interaction_id in traits[t]]
        assert row.reason == ("+".join(expected) or "random")
        assert row.weight == (6.0 if expected else 1.0)
    # 50 % of the population; weight 6 → ≈ 86 % of the sample expected
    assert len(picked & flagged) / 40 > 1.5 * 0.5
    # without over-sampling the same seed gives roughly the base rate
    plain = sampling.draw(wh, START, END, ["qa1"], seed=7, now=NOW, save=False,
                          plan=Plan(floor=40, cap=40, oversample=NO_OVERSAMPLING))
    assert len(set(plain.assignments["interaction_id"]) & flagged) < 25


def test_the_same_seed_gives_the_same_sample(wh: Warehouse) -> None:
    _traits_world(wh)
    plan = Plan(floor=30, cap=30)
    keep = ["interaction_id", "agent_id", "reviewer", "reason", "stratum", "weight"]

    def run(seed: int) -> list[Any]:
        got = sampling.draw(wh, START, END, ["qa1", "qa2", "qa3"], plan=plan, seed=seed,
                            now=NOW, save=False).assignments
        return got[keep].values.tolist()

    first = run(11)
    assert run(11) == first
    assert run(12) != first
    stored = sampling.draw(wh, START, END, ["qa1", "qa2", "qa3"], plan=plan, seed=11, now=NOW)
    assert stored.assignments[keep].values.tolist() == first


def test_reviewed_and_assigned_interactions_are_not_drawn_again(wh: Warehouse) -> None:
    _add(wh, [{"id": f"I{k}"} for k in range(10)])
    for k in range(3):
        _review(wh, f"QA{k}", f"I{k}", "qa1")
    plan = Plan(floor=5, cap=5)
    first = sampling.draw(wh, START, END, ["qa1", "qa2"], plan=plan, now=NOW)
    assert first.agents.iloc[0].to_dict() == {"agent_id": "a1", "population": 10, "already": 3,
                                              "target": 5, "drawn": 2}
    assert not {"I0", "I1", "I2"} & set(first.assignments["interaction_id"])
    again = sampling.draw(wh, START, END, ["qa1", "qa2"], plan=plan, now=NOW)
    assert again.assignments.empty and again.agents.iloc[0]["already"] == 5
    bigger = sampling.draw(wh, START, END, ["qa1", "qa2"], plan=Plan(floor=8, cap=8), now=NOW)
    assert len(bigger.assignments) == 3
    assert not set(bigger.assignments["interaction_id"]) & set(first.assignments["interaction_id"])


def test_reviewers_are_balanced_and_never_review_themselves_or_twice(wh: Warehouse) -> None:
    _add(wh, [{"id": f"A{k:02d}", "agent": "qa2", "team": "red"} for k in range(12)]
         + [{"id": f"B{k:02d}", "agent": "b", "team": "blue"} for k in range(12)])
    plan = Plan(floor=12, cap=12, reviewers_per_interaction=2)
    got = sampling.draw(wh, START, END, ["qa1", "qa2", "qa3"], plan=plan, now=NOW).assignments
    assert len(got) == 48
    per = got.groupby("interaction_id")["reviewer"].apply(list)
    assert all(len(set(r)) == 2 for r in per)  # two different reviewers each
    assert "qa2" not in set(got.loc[got["agent_id"] == "qa2", "reviewer"])  # not their own
    load = Counter(got["reviewer"])
    # qa2 can only take b's 12 interactions; qa1 and qa3 share the rest evenly
    assert load == {"qa1": 18, "qa3": 18, "qa2": 12}


def test_reviewers_can_be_kept_off_their_own_team(wh: Warehouse) -> None:
    _add(wh, [{"id": f"R{k:02d}", "agent": "r", "team": "red"} for k in range(10)]
         + [{"id": f"B{k:02d}", "agent": "b", "team": "blue"} for k in range(10)])
    teams = {"qa.red": "red", "qa.blue": "blue", "qa.any": "audit"}
    plan = Plan(floor=10, cap=10, exclude_own_team=True)
    got = sampling.draw(wh, START, END, list(teams), plan=plan, reviewer_teams=teams,
                        now=NOW, save=False).assignments
    assert "qa.red" not in set(got.loc[got["agent_id"] == "r", "reviewer"])
    assert "qa.blue" not in set(got.loc[got["agent_id"] == "b", "reviewer"])
    assert max(Counter(got["reviewer"]).values()) - min(Counter(got["reviewer"]).values()) <= 1
    with pytest.raises(ConfigError) as err:
        sampling.draw(wh, START, END, ["qa.red"], plan=plan, reviewer_teams=teams, now=NOW,
                      agents=["r"], save=False)
    assert "interaction R" in err.value.message and "not their own team" in err.value.message
    assert "exclude_own_team" in err.value.hint


def test_assignments_are_done_when_their_review_exists(wh: Warehouse) -> None:
    _add(wh, [{"id": f"I{k}"} for k in range(4)])
    sample = sampling.draw(wh, START, END, ["qa1", "qa2"], plan=Plan(floor=4, cap=4), now=NOW)
    rows = sample.assignments.sort_values("interaction_id").to_dict("records")
    first, second = rows[0], rows[1]
    _review(wh, "QA-1", first["interaction_id"], first["reviewer"])
    other = "qa1" if second["reviewer"] == "qa2" else "qa2"
    _review(wh, "QA-2", second["interaction_id"], other)  # someone else reviewed it
    assert sampling.mark_done(wh, now=NOW + dt.timedelta(days=1)) == 1
    assert sampling.mark_done(wh) == 0
    done = sampling.assignments(wh, status="done")
    assert done[["interaction_id", "reviewer", "review_id"]].values.tolist() == [
        [first["interaction_id"], first["reviewer"], "QA-1"]]
    assert done["done_at"].iloc[0] == NOW + dt.timedelta(days=1)
    assert len(sampling.assignments(wh, status="open")) == 3
    with pytest.raises(ConfigError, match='Did you mean "done"'):
        sampling.assignments(wh, status="dnoe")


def test_autoqa_failures_are_over_sampled_only_when_asked(wh: Warehouse) -> None:
    traits = _traits_world(wh)
    failed = traits["autoqa_fail"]
    boost = dict.fromkeys(sampling.TRAITS, 1.0) | {"autoqa_fail": 20.0}
    got = sampling.draw(wh, START, END, ["qa1"], seed=7, now=NOW, save=False,
                        plan=Plan(floor=40, cap=40, oversample=boost)).assignments
    # 20 of 200 failed; 40 drawn: 4 of them expected without the boost, nearly all with it
    assert len(set(got["interaction_id"]) & failed) >= 15
    assert set(got.loc[got["interaction_id"].isin(failed), "reason"]) == {"autoqa_fail"}
    # only the recap check counts: nobody failed it, so nothing is over-sampled
    recap = sampling.draw(wh, START, END, ["qa1"], seed=7, now=NOW, save=False,
                          plan=Plan(floor=40, cap=40, oversample=boost,
                                    autoqa_checks=("recap",))).assignments
    assert set(recap["reason"]) == {"random"}
    # by default the trait is off
    plain = sampling.draw(wh, START, END, ["qa1"], seed=7, now=NOW, save=False,
                          plan=Plan(floor=40, cap=40)).assignments
    assert "autoqa_fail" not in "+".join(plain["reason"])
