"""cxlens qa on small hand-made warehouses whose figures are worked out by hand here (quality
scores, Krippendorff's α of three reviewers, reviewer deviations, the sample's strata, the
escalation audit, the coaching trend), Krippendorff's published example end to end, the
error paths, and one run of every figure-producing command on a demo warehouse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.cli import qa as cli_qa
from cxlens.demo import build_demo
from cxlens.qa import disputes, sampling, scoring

runner = CliRunner()
NAN = math.nan
APRIL = dt.datetime(2026, 4, 6, 10, tzinfo=dt.UTC)
D = dt.timedelta(days=1)
_INTERACTIONS = ("interaction_id", "agent_id", "team", "vendor", "site", "channel",
                 "created_at", "closed_at")
_REVIEWS = ("review_id", "interaction_id", "scorecard", "criterion", "score", "min_score",
            "max_score", "weight", "critical", "not_applicable", "reviewer", "reviewed_at")


def cx(db: str | None, *args: str, code: int = 0) -> str:
    """Run ``cxlens …`` on ``db`` (None: a command without one); the output (stdout and
    stderr) when the exit status is ``code``."""
    result = runner.invoke(app, [*args, *(["--db", db] if db else [])])
    assert result.exit_code == code, result.output
    return result.output


def cx_json(db: str | None, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json", *(["--db", db] if db else [])])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def t_interval(values: list[float]) -> tuple[float, float]:
    """Student-t 95 % interval of the mean, clipped to the 0–100 of review scores."""
    mean, half = sum(values) / len(values), t_half(values)
    return max(mean - half, 0.0), min(mean + half, 100.0)


def t_half(values: list[float]) -> float:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)


def review(rid: str, iid: str, reviewer: str, at: dt.datetime,
           criteria: list[tuple[str, str, float | None, float, float, float, bool]],
           ) -> list[list[Any]]:
    """Rows of one review: (scorecard, criterion, score or None for N/A, min, max, weight,
    critical) per criterion."""
    return [[rid, iid, card, crit, score, lo, hi, w, critical, score is None, reviewer, at]
            for card, crit, score, lo, hi, w, critical in criteria]


def sop(followed: float, template: float, status: float) -> list[Any]:
    p = "process_compliance"
    return [(p, "followed_sop", followed, 0.0, 1.0, 2.0, True),
            (p, "right_template", template, 0.0, 1.0, 1.0, False),
            (p, "correct_status", status, 0.0, 1.0, 1.0, True)]


def talk(tone: float | None, empathy: float | None) -> list[Any]:
    c = "communication_quality"
    return [(c, "tone", tone, 1.0, 5.0, 1.0, False), (c, "empathy", empathy, 1.0, 5.0, 1.0, False),
            (c, "policy_denial_handling", None, 1.0, 5.0, 1.0, False)]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "qa.duckdb")


def build_scores(db: str) -> None:
    """Five reviews of two vendors; review scores by Zendesk's rules in the comments."""
    with store.connect(db) as wh:
        wh.insert_rows("interactions", _INTERACTIONS, [
            (f"S{k}", agent, team, vendor, "Leeds", "chat", APRIL - D, APRIL - D)
            for k, agent, team, vendor in ((1, "a1", "t1", "Acme BPO"), (2, "a1", "t1", "Acme BPO"),
                                           (3, "a2", "t1", "Acme BPO"),
                                           (4, "b1", "t2", "Northwind BPO"),
                                           (5, "b1", "t2", "Northwind BPO"))])
        wh.insert_rows("qa_reviews", _REVIEWS, [
            # (2·100 + 1·0 + 1·100) / 4 = 75
            *review("R1", "S1", "ann", APRIL, sop(1, 0, 1)),
            # followed_sop is critical and failed: 0, whatever the rest
            *review("R2", "S2", "ann", APRIL, sop(0, 1, 1)),
            # tone 5 → 100, empathy 3 → 50, policy denial N/A: 75
            *review("R3", "S3", "bob", APRIL, talk(5, 3)),
            # 75, 75 → 75
            *review("R4", "S4", "bob", APRIL, talk(4, 4)),
            # tone 3 → 50, empathy N/A → 50; reviewed in May
            *review("R5", "S5", "bob", APRIL + 30 * D, talk(3, None)),
        ])


def test_quality_scores_by_hand(db: str) -> None:
    build_scores(db)
    got = {r["vendor"]: r for r in cx_json(db, "qa", "scores")}  # --by vendor by default
    acme, north = got["Acme BPO"], got["Northwind BPO"]
    assert (acme["value"], acme["n"], acme["flag"]) == (pytest.approx(50), 3,
                                                        "insufficient_sample")
    # sd √1875, t(2): 50 ± 107.6, clipped to 0–100; Northwind 62.5 ± 158.8 likewise
    assert (acme["ci_low"], acme["ci_high"]) == pytest.approx(t_interval([75, 0, 75]))
    assert (north["value"], north["n"]) == (pytest.approx(62.5), 2)
    assert (north["ci_low"], north["ci_high"]) == pytest.approx(t_interval([75, 50]))
    # the period (a plain --to date includes that day), two groupings, one scorecard
    april = cx_json(db, "qa", "scores", "--since", "2026-04-01", "--until", "2026-04-30")
    assert {r["vendor"]: (r["value"], r["n"]) for r in april} == {
        "Acme BPO": (pytest.approx(50), 3), "Northwind BPO": (pytest.approx(75), 1)}
    by = cx_json(db, "qa", "scores", "--by", "vendor,reviewer", "--scorecard",
                 "communication_quality", "--min-sample", "2")
    assert [(r["vendor"], r["reviewer"], r["value"], r["n"], r["flag"]) for r in by] == [
        ("Acme BPO", "bob", pytest.approx(75), 1, "insufficient_sample"),
        ("Northwind BPO", "bob", pytest.approx(62.5), 2, "")]
    assert "a2" in cx(db, "qa", "scores", "--by", "team", "--by", "agent_id")
    assert cx(db, "qa", "scores", "--format", "csv").splitlines()[0] == \
        "vendor,value,n,ci_low,ci_high,flag"
    # an overturned dispute takes R2 out of every score: Acme (75 + 75) / 2
    opened = cx_json(db, "qa", "dispute", "open", "R2", "--agent", "a1", "--reason",
                     "the SOP allows it", "--criterion", "followed_sop")
    cx(db, "qa", "dispute", "decide", opened["dispute_id"], "--arbiter", "lead.li",
       "--decision", "overturned", "--comment", "agreed")
    acme = cx_json(db, "qa", "scores")[0]
    assert (acme["vendor"], acme["value"], acme["n"]) == ("Acme BPO", pytest.approx(75), 2)


def test_bonus_criteria_come_from_the_scorecards_file(db: str, tmp_path: Path) -> None:
    with store.connect(db) as wh:
        wh.insert_rows("interactions", _INTERACTIONS,
                       [("S1", "a1", "t1", "Acme BPO", "Leeds", "chat", APRIL, APRIL)])
        wh.insert_rows("qa_reviews", _REVIEWS, review("R1", "S1", "ann", APRIL, [
            ("chat_quality", "tone", 3.0, 1.0, 5.0, 1.0, False),
            ("chat_quality", "wow", 0.0, 0.0, 1.0, 1.0, False)]))
    cards = tmp_path / "cards.yaml"
    cards.write_text("scorecards:\n  - name: chat_quality\n    sections:\n      - id: all\n"
                     "        criteria:\n          - id: tone\n            scale: [1, 5]\n"
                     "          - id: wow\n            bonus: true\n", encoding="utf-8")
    # a regular criterion: (50 + 0) / 2; a bonus that would lower the score is left out: 50
    plain = cx_json(db, "qa", "scores", "--scorecard", "chat_quality")
    assert plain[0]["value"] == pytest.approx(25)
    bonus = cx_json(db, "qa", "scores", "--scorecard", "chat_quality", "--scorecards",
                    str(cards))
    assert bonus[0]["value"] == pytest.approx(50)
    listed = cx_json(None, "qa", "scorecards", "--scorecards", str(cards))
    assert listed[0]["sections"][0]["criteria"][1]["bonus"] is True


def test_scorecards_list_and_check(tmp_path: Path) -> None:
    out = cx(None, "qa", "scorecards")
    assert "followed_sop" in out and "0–1" in out and "1–5" in out
    rows = cx(None, "qa", "scorecards", "--format", "csv").splitlines()
    assert rows[0] == "scorecard,section,criterion,label,scale,weight,critical,bonus,na_allowed"
    assert "process_compliance,procedure,followed_sop," in rows[1]
    assert "valid" in cx(None, "qa", "scorecards", "--check")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scorecards:\n  - name: chat\n    sections:\n      - id: all\n"
                   "        criteria:\n          - id: tone\n            wieght: 2\n"
                   "          - id: wow\n            bonus: true\n            critical: true\n",
                   encoding="utf-8")
    out = cx(None, "qa", "scorecards", "--check", "--scorecards", str(bad), code=2)
    assert "2 problem(s)" in out and 'Did you mean "weight"' in out
    assert "a bonus criterion cannot be critical" in out and "fix:" in out


# -- calibration --------------------------------------------------------------------------------
#: followed_sop (binary) of four interactions by three reviewers
THREE = {"K1": (1, 1, 1), "K2": (0, 0, 0), "K3": (1, 1, 0), "K4": (1, 0, 1)}


def test_calibration_of_three_reviewers_by_hand(db: str) -> None:
    with store.connect(db) as wh:
        wh.insert_rows("interactions", _INTERACTIONS, [
            (k, "a1", "t1", "Acme BPO", "Leeds", "chat", APRIL, APRIL) for k in THREE])
        wh.insert_rows("qa_reviews", _REVIEWS, [
            [f"{k}{who}", k, "process_compliance", "followed_sop", float(v), 0.0, 1.0, 2.0,
             True, False, who, APRIL]
            for k, values in THREE.items() for who, v in zip(("ann", "bob", "cat"), values,
                                                              strict=True)])
    # Coincidences (each ordered pair within a unit weighs 1/(m − 1) = 1/2): K1 gives
    # o₁₁ = 3, K2 o₀₀ = 3, K3 and K4 each o₁₁ = 1, o₁₀ = o₀₁ = 1. So o₁₀ + o₀₁ = 4,
    # n₁ = 7, n₀ = 5, n = 12 and α = 1 − (n − 1)·4 / (2·n₁·n₀) = 1 − 44/70 = 13/35. With two
    # values every level of measurement gives the same α, and the review score (0 or 100,
    # followed_sop alone) the same again.
    out = cx_json(db, "qa", "calibrate", "--resamples", "200", "--min-sample", "4")
    rel = {r["criterion"]: r for r in out["reliability"]}
    assert list(rel) == ["followed_sop", "overall"]
    for row in rel.values():
        assert row["alpha"] == pytest.approx(13 / 35)
        assert (row["n_units"], row["n_ratings"], row["label"]) == (4, 12, "unreliable")
        assert row["ci_low"] <= row["alpha"] <= row["ci_high"]
    nominal = cx_json(db, "qa", "calibrate", "--resamples", "50", "--level", "nominal")
    assert nominal["reliability"][0]["alpha"] == pytest.approx(13 / 35)
    # deviation from the mean of the others, on 0–100: K3 ann +50, bob +50, cat −100;
    # K4 ann +50, bob −100, cat +50; K1 and K2 0 for everyone
    dev = {(r["reviewer"], r["criterion"]): r for r in out["reviewers"]}
    expected = {"ann": [0, 0, 50, 50], "bob": [0, 0, 50, -100], "cat": [0, 0, -100, 50]}
    for who, values in expected.items():
        row = dev[(who, "followed_sop")]
        mean = sum(values) / 4
        assert (row["deviation"], row["n"]) == (pytest.approx(mean), 4)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (mean - t_half(values), mean + t_half(values)))
    assert {w: dev[(w, "followed_sop")]["flag"] for w in expected} == {
        "ann": "lenient", "bob": "strict", "cat": "strict"}
    # below the default minimum of 5 comparable ratings nobody is flagged lenient or strict;
    # α reads to two decimals (0.371 → 0.37: no figure shows more, issue 17)
    table = cx(db, "qa", "calibrate", "--resamples", "50")
    assert "insufficient_sample" in table and "0.37" in table and "0.371" not in table
    assert "lenient" not in table
    # a calibration session: only the interactions named (a list, or a file of ids)
    session = cx_json(db, "qa", "calibrate", "--resamples", "50", "--interactions", "K3,K4")
    assert session["reliability"][0]["n_units"] == 2
    ids = Path(db).with_name("session.csv")
    ids.write_text("interaction_id\nK1\nK3\n", encoding="utf-8")
    session = cx_json(db, "qa", "calibrate", "--resamples", "50", "--interactions", str(ids))
    assert session["reliability"][0]["n_units"] == 2


#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers ×
#: 12 units, values 1–5, and the α published for it.
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849}


def test_calibration_reproduces_the_published_example(db: str) -> None:
    rows = []
    for o, observer in enumerate(KRIPPENDORFF):
        for u, value in enumerate(observer):
            if not math.isnan(value):  # a missing value: that observer did not review it
                rows += review(f"U{u}O{o}", f"U{u}", f"observer{o}", APRIL,
                               [("communication_quality", "tone", float(value), 1.0, 5.0, 1.0,
                                 False)])
    with store.connect(db) as wh:
        wh.insert_rows("qa_reviews", _REVIEWS, rows)
    # scores become (v − 1) × 25: the same α at these levels; unit 12 has one value
    for level, alpha in PUBLISHED.items():
        out = cx_json(db, "qa", "calibrate", "--level", level, "--resamples", "100")
        rel = {r["criterion"]: r for r in out["reliability"]}
        for name in ("tone", "overall"):
            assert round(rel[name]["alpha"], 3) == alpha, (level, name)
            assert (rel[name]["n_units"], rel[name]["n_ratings"]) == (11, 40)


# -- sampling -----------------------------------------------------------------------------------
def test_sample_and_assignments(db: str) -> None:
    march = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    with store.connect(db) as wh:
        wh.insert_rows("interactions", _INTERACTIONS, [
            (iid, agent, "t1", "Acme BPO", "Leeds", channel, march, march + k * D)
            for k, (iid, agent, channel) in enumerate(
                [(f"E{k}", "a1", "email") for k in range(4)]
                + [(f"P{k}", "a1", "phone") for k in range(2)]
                + [(f"C{k}", "a2", "chat") for k in range(2)])])
    # a1 closed 6, a2 2; the cap of 2 binds both. a1's 2 split 4 : 2 by channel: email
    # 2·4/6 = 1.33 → 1, phone 2·2/6 = 0.67 → 0, the one left to the larger remainder (phone)
    args = ["qa", "sample", "--from", "2026-03-01", "--to", "2026-03-31", "--reviewer", "qa.x",
            "--reviewer", "qa.y", "--floor", "0", "--cap", "2", "--reviewers-per-interaction",
            "2", "--seed", "1"]
    preview = cx_json(db, *args, "--preview")
    assert preview["stored"] is False and preview["interactions"] == 4
    drawn = cx_json(db, *args)
    assert {r["stratum"]: (r["interactions"], r["assignments"]) for r in drawn["strata"]} == {
        "chat": (2, 4), "email": (1, 2), "phone": (1, 2)}
    assert {r["reviewer"]: r["assignments"] for r in drawn["reviewers"]} == {"qa.x": 4,
                                                                           "qa.y": 4}
    assert [(a["agent_id"], a["population"], a["target"], a["drawn"])
            for a in drawn["agents"]] == [("a1", 6, 2, 2), ("a2", 2, 2, 2)]
    listed = cx_json(db, "qa", "assignments", "--sample", drawn["sample_id"])
    assert len(listed) == 8 and {a["status"] for a in listed} == {"open"}
    assert {(a["interaction_id"], a["reviewer"]) for a in listed if a["stratum"] == "chat"} \
        == {("C0", "qa.x"), ("C0", "qa.y"), ("C1", "qa.x"), ("C1", "qa.y")}
    # qa.x reviews C0: their assignment is done (listing marks it), qa.y's is still open
    with store.connect(db) as wh:
        wh.insert_rows("qa_reviews", _REVIEWS, review("RX", "C0", "qa.x", march + 20 * D,
                                                      talk(4, 4)))
    mine = cx_json(db, "qa", "assignments", "--reviewer", "qa.x", "--status", "done")
    assert [(a["interaction_id"], a["review_id"]) for a in mine] == [("C0", "RX")]
    assert len(cx_json(db, "qa", "assignments", "--status", "open")) == 7
    out = cx(db, *args)
    assert "nothing to draw" in out  # every agent is at target: assigned ones count
    table = cx(db, "qa", "assignments", "--reviewer", "qa.y")
    assert "4 assignment(s)" in table
    out = cx(db, "qa", "assignments", "--reviewer", "qa.yy", code=2)
    assert 'Did you mean "qa.y"?' in out and "fix:" in out
    out = cx(db, "qa", "assignments", "--status", "opne", code=2)
    assert 'Did you mean "open"?' in out
    out = cx(db, *args[:-2], "--oversample", "detractr=2", code=2)
    assert 'Did you mean "detractor"?' in out
    assert "not NAME=VALUE" in cx(db, *args, "--oversample", "detractor", code=2)


def test_plan_defaults_match_the_library() -> None:
    plan = sampling.Plan()
    assert {k: getattr(plan, k) for k in cli_qa.PLAN_DEFAULTS} == cli_qa.PLAN_DEFAULTS
    assert dict(plan.oversample) == cli_qa.oversample_defaults()
    assert plan.oversample["autoqa_fail"] == 1.0 and plan.oversample["detractor"] == 3.0
    assert cli_qa.TRAITS == sampling.TRAITS
    # and the command's own defaults are those
    defaults = {p.name: p.default for p in dataclasses.fields(sampling.Plan)
                if p.name in cli_qa.PLAN_DEFAULTS}
    from typer.main import get_command

    command: Any = get_command(app)
    sample = command.commands["qa"].commands["sample"]
    options = {p.name: p.default for p in sample.params}
    assert {k: options[k] for k in defaults} == defaults


# -- escalation audit ---------------------------------------------------------------------------
def test_escalation_audit(db: str) -> None:
    monday = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # 2026-W10
    cols = ("interaction_id", "vendor", "channel", "created_at", "escalated", "escalated_at",
            "escalation_accepted_at", "escalation_summary")

    def esc(iid: str, vendor: str, wait: float | None, summary: str) -> list[Any]:
        accepted = None if wait is None else monday + dt.timedelta(seconds=wait)
        return [iid, vendor, "email", monday, True, monday, accepted, summary]

    with store.connect(db) as wh:
        wh.insert_rows("interactions", cols, [
            esc("E1", "Acme BPO", 600, "refund refused, call back"),  # passes both
            esc("E2", "Acme BPO", 7200, ""),                          # fails both
            esc("E3", "Acme BPO", None, "x"),                         # never accepted
            esc("E4", "Acme BPO", 60, "   "),                         # blank summary
            esc("N1", "Northwind BPO", 30, "ok")])
    rows = cx_json(db, "qa", "audit", "--week", "2026-W10", "--to", "2026-W11")
    acme, north = rows
    assert (acme["week"], acme["vendor"], acme["population"], acme["n"]) == (
        "2026-W10", "Acme BPO", 4, 4)
    assert (acme["with_summary"], acme["within_sla"]) == (2, 2)
    assert (acme["missing_summary"], acme["over_sla"]) == (["E2", "E4"], ["E2", "E3"])
    assert acme["summary_share"] == pytest.approx(0.5)
    assert (acme["summary_low"], acme["summary_high"]) == pytest.approx(
        proportion_confint(2, 4, method="wilson"))
    assert (north["vendor"], north["n"], north["sla_share"]) == ("Northwind BPO", 1, 1.0)
    table = cx(db, "qa", "audit", "--week", "2026-W10")  # the stored sample, again
    assert "50% (15%–85%)" in table and "E2 E4" in table
    csv = cx(db, "qa", "audit", "--week", "2026-W10", "--format", "csv").splitlines()
    assert csv[1].endswith("E2 E4,E2 E3")
    out = cx(db, "qa", "audit", "--week", "2026-10", code=2)
    assert "is not an ISO week" in out and "fix:" in out and "2026-W05" in out
    out = cx(db, "qa", "audit", "--week", "2026-W10", "--sla", "600", code=2)
    assert "already drawn" in out  # an audit's sample and rules stay fixed


# -- disputes and coaching ----------------------------------------------------------------------
def test_disputes(db: str) -> None:
    build_scores(db)
    opened = cx_json(db, "qa", "dispute", "open", "R1", "--agent", "a1", "--reason",
                     "the template was right", "--criterion", "right_template")
    did = opened["dispute_id"]
    assert (opened["status"], opened["review_id"], opened["criterion"]) == ("open", "R1",
                                                                            "right_template")
    out = cx(db, "qa", "dispute", "decide", did, "--arbiter", "lead.li", "--decision",
             "adjustd", "--comment", "x", code=2)
    assert 'Did you mean "adjusted"?' in out and "fix:" in out
    out = cx(db, "qa", "dispute", "decide", did[:-1], "--arbiter", "lead.li", "--decision",
             "upheld", "--comment", "x", code=2)
    assert f'Did you mean "{did}"?' in out and "cxlens qa dispute list" in out
    out = cx(db, "qa", "dispute", "decide", did, "--arbiter", "lead.li", "--decision",
             "adjusted", "--adjust", "right_template=1", "--comment", "it was the right one")
    assert "adjusted by lead.li, right_template → 1" in out
    shown = cx_json(db, "qa", "dispute", "show", did)
    assert [(e["actor"], e["action"], e["new_score"]) for e in shown["history"]] == [
        ("a1", "opened", None), ("lead.li", "adjusted", 1.0)]
    assert shown["adjustments"] == {"right_template": 1.0}
    assert [d["dispute_id"] for d in cx_json(db, "qa", "dispute", "list", "--status",
                                             "adjusted")] == [did]
    assert cx_json(db, "qa", "dispute", "list", "--status", "open") == []
    later = cx_json(db, "qa", "dispute", "open", "R3", "--agent", "a2", "--reason", "harsh")
    assert [d["dispute_id"] for d in cx_json(db, "qa", "dispute", "list")] == [
        did, later["dispute_id"]]  # oldest first
    assert "no disputes by 'a11'" in cx(db, "qa", "dispute", "list", "--agent", "a11")
    assert 'Did you mean "open"?' in cx(db, "qa", "dispute", "list", "--status", "opn",
                                        code=2)
    # R1 is now (2·100 + 100 + 100) / 4 = 100
    with store.connect(db) as wh:
        frame = scoring.review_scores(wh, source=disputes.effective_reviews_sql(wh))
    assert frame.set_index("review_id").loc["R1", "score"] == pytest.approx(100)
    out = cx(db, "qa", "dispute", "open", "R9", "--agent", "a1", "--reason", "x", code=2)
    assert "no QA review 'R9'" in out


def test_coaching_trend_by_hand(db: str) -> None:
    t = dt.datetime(2026, 5, 15, 12, tzinfo=dt.UTC)
    handled = {"H1": (t - 20 * D, talk(3, 3)),   # 50
               "H2": (t - 10 * D, sop(0, 1, 1)),  # critical failed: 0 (a plain mean: 66.7)
               "H3": (t - 1 * D, talk(1, 3)),    # 25
               "H4": (t + 1 * D, talk(4, 4)),    # 75
               "H5": (t + 5 * D, talk(5, 5)),    # 100
               "H6": (t + 45 * D, talk(1, 1))}   # outside the 30-day window
    with store.connect(db) as wh:
        wh.insert_rows("interactions", _INTERACTIONS, [
            (iid, "c1", "t1", "Acme BPO", "Leeds", "chat", at - D, at)
            for iid, (at, _) in handled.items()])
        wh.insert_rows("qa_reviews", _REVIEWS, [
            row for iid, (_, crit) in handled.items()
            for row in review("Q" + iid, iid, "ann", t + 60 * D, crit)])
    out = cx(db, "qa", "coach", "c1", "--coach", "lead.li", "--note", "Follow the SOP",
             "--review", "QH2", "--at", "2026-05-15T12:00")
    assert "recorded coach_" in out and "2026-05-15 12:00" in out
    got = cx_json(db, "qa", "coaching", "c1")
    assert [(n["coach"], n["note"], n["review_ids"]) for n in got["notes"]] == [
        ("lead.li", "Follow the SOP", ["QH2"])]
    (trend,) = got["trend"]
    before, after = [50.0, 0.0, 25.0], [75.0, 100.0]
    assert (trend["n_before"], trend["mean_before"]) == (3, pytest.approx(25))
    assert (trend["n_after"], trend["mean_after"]) == (2, pytest.approx(87.5))
    assert trend["difference"] == pytest.approx(62.5)
    assert trend["p_value"] == pytest.approx(
        stats.ttest_ind(before, after, equal_var=False).pvalue)
    wider = cx_json(db, "qa", "coaching", "c1", "--window-days", "60")["trend"][0]
    assert (wider["n_after"], wider["mean_after"]) == (3, pytest.approx(175 / 3))
    assert "Follow the SOP" in cx(db, "qa", "coaching", "c1")
    out = cx(db, "qa", "coach", "c11", "--coach", "x", "--note", "y", code=2)
    assert 'no agent \'c11\' in interactions. Did you mean "c1"?' in out
    assert 'Did you mean "c1"?' in cx(db, "qa", "coaching", "C1", code=2)
    assert "unknown QA review" in cx(db, "qa", "coach", "c1", "--coach", "x", "--note", "y",
                                     "--review", "nope", code=2)


def test_unknown_names_get_did_you_mean(db: str) -> None:
    build_scores(db)
    for args in (["qa", "scores", "--scorecard", "proces_compliance"],
                 ["qa", "calibrate", "--scorecard", "proces_compliance"]):
        out = cx(db, *args, code=2)
        assert "no scorecard 'proces_compliance'" in out
        assert 'Did you mean "process_compliance"?' in out and "cxlens qa scorecards" in out
    assert 'Did you mean "vendor"?' in cx(db, "qa", "scores", "--by", "vendr", code=2)
    assert 'Did you mean "ordinal"?' in cx(db, "qa", "calibrate", "--level", "ordnial",
                                           code=2)
    assert "no QA review of interaction(s) S9" in cx(db, "qa", "calibrate", "--interactions",
                                                     "S1,S9", code=2)
    assert "nothing to calibrate" in cx(db, "qa", "calibrate")  # single reviews only


# -- on the demo --------------------------------------------------------------------------------
def test_on_the_demo_warehouse(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.duckdb")
    with store.connect(db) as wh:
        build_demo(wh, scale=0.01, seed=3)
        expected = scoring.quality_scores(wh, by=["vendor"],
                                          source=disputes.effective_reviews_sql(wh))
        reviews = int(wh.scalar("SELECT count(DISTINCT review_id) FROM qa_reviews"))
    got = cx_json(db, "qa", "scores", "--by", "vendor")
    assert [r["vendor"] for r in got] == ["Acme BPO", "Northwind BPO", "in-house"]
    assert [r["value"] for r in got] == pytest.approx(list(expected["value"]))
    assert sum(r["n"] for r in got) == reviews  # every demo review has a score
    assert all(r["ci_low"] < r["value"] < r["ci_high"] for r in got)
    cal = cx_json(db, "qa", "calibrate", "--resamples", "100")
    assert {(r["scorecard"], r["criterion"]) for r in cal["reliability"]} >= {
        ("process_compliance", "overall"), ("communication_quality", "overall")}
    assert all(r["n_units"] > 0 for r in cal["reliability"] if r["criterion"] == "overall")
    audit = cx_json(db, "qa", "audit", "--week", "2026-W23")
    assert audit and all(0 < r["n"] <= min(10, r["population"]) for r in audit)
    drawn = cx_json(db, "qa", "sample", "--from", "2026-06-01", "--to", "2026-06-30",
                    "--reviewer", "qa.hannah", "--reviewer", "qa.ramon")
    assert drawn["interactions"] > 0
    assert sum(s["interactions"] for s in drawn["strata"]) == drawn["interactions"]
    assert len(cx_json(db, "qa", "assignments", "--sample", drawn["sample_id"])) == \
        drawn["assignments"]
    cx(db, "qa", "coach", "A-LDS-0002", "--coach", "lead.li", "--note", "empathy",
       "--at", "2026-05-01T09:00")
    coached = cx_json(db, "qa", "coaching", "A-LDS-0002", "--window-days", "180")
    assert coached["trend"][0]["n_before"] + coached["trend"][0]["n_after"] > 0
