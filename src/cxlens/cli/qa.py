"""cxlens qa: scorecards, quality scores, review sampling and assignments, calibration,
escalation audits, disputes and coaching (the library is :mod:`cxlens.qa`).

Quality scores and the coaching trend read the reviews with the arbiters' dispute decisions
applied; calibration reads the reviews as the reviewers scored them (it measures them)."""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from cxlens.cli.options import check_from, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.format import decimal, minute

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.qa.sampling import Plan
    from cxlens.qa.scorecards import Scorecards
    from cxlens.store.base import Warehouse

qa_app = typer.Typer(help="Quality assurance: scorecards, quality scores, review sampling, "
                          "calibration, escalation audits, disputes and coaching.",
                     no_args_is_help=True)
dispute_app = typer.Typer(help="QA disputes: an agent contests a review, an arbiter decides.",
                          no_args_is_help=True)
qa_app.add_typer(dispute_app, name="dispute")

ScorecardsOption = Annotated[Path | None, typer.Option(
    "--scorecards", envvar="CXLENS_SCORECARDS", show_envvar=True,
    help="Scorecards YAML of your own (default: the built-in process_compliance and "
         "communication_quality).")]
ScorecardOption = Annotated[str | None, typer.Option(
    "--scorecard", help="Only the reviews of this scorecard.")]
SinceOption = Annotated[str | None, typer.Option(
    "--from", "--since", callback=check_from, help="First day reviewed (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option(
    "--to", "--until", help="Last day reviewed, included.",
    callback=check_to)]
AgentArg = Annotated[str, typer.Argument(help="The agent, as in interactions.agent_id.")]

# Plan defaults of cxlens.qa.sampling.Plan, repeated here so that `cxlens --help` need not
# import the QA library (a test checks they agree).
PLAN_DEFAULTS: dict[str, Any] = {"margin": 0.10, "confidence": 0.95, "pass_rate": 0.85,
                                 "floor": 5, "cap": 50, "reviewers_per_interaction": 1,
                                 "exclude_own_team": False, "due_days": 7.0}
TRAITS = ("escalation", "policy_denial", "reopened", "detractor", "autoqa_fail")
OVERSAMPLE = 3.0
#: Traits not over-sampled unless asked (multiplier 1): most conversations fail one AutoQA
#: check or another.
OFF_BY_DEFAULT = ("autoqa_fail",)


def oversample_defaults() -> dict[str, float]:
    """The multiplier of each trait when --oversample does not name it."""
    return {t: 1.0 if t in OFF_BY_DEFAULT else OVERSAMPLE for t in TRAITS}


class Output(StrEnum):
    """For results with several tables (no CSV)."""

    table = "table"
    json = "json"


OutputOption = Annotated[Output, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    from cxlens.cli import qa_auto, qa_coaching, qa_dispute  # noqa: F401  (they add commands)

    app.add_typer(qa_app, name="qa")


# -- shared helpers ---------------------------------------------------------------------------
def _cards(path: Path | None) -> Scorecards:
    from cxlens.qa.scorecards import builtin, load

    return builtin() if path is None else load(path)


def _check_scorecard(wh: Warehouse, cards: Scorecards, name: str | None) -> None:
    """Refuse a scorecard neither defined nor used in qa_reviews, with "did you mean"."""
    if name is None or name in cards.names:
        return
    used = [r[0] for r in wh.query("SELECT DISTINCT scorecard FROM qa_reviews "
                                   "WHERE scorecard IS NOT NULL")]
    if name in used:
        return
    known = sorted(set(cards.names) | set(used))
    raise NotFound(f"no scorecard {name!r}.{did_you_mean(name, known)}",
                   f"scorecards: {', '.join(known)} (list them with: cxlens qa scorecards)")


def _check_agent(wh: Warehouse, agent: str) -> None:
    if wh.scalar("SELECT count(*) FROM interactions WHERE agent_id = ?", [agent]):
        return
    agents = [r[0] for r in wh.query("SELECT DISTINCT agent_id FROM interactions "
                                     "WHERE agent_id IS NOT NULL")]
    raise NotFound(f"no agent {agent!r} in interactions.{did_you_mean(agent, agents)}",
                   "agent ids are interactions.agent_id; list them with: "
                   "cxlens query contact_volume --by agent_id")


def _pairs(items: list[str] | None, option: str, example: str) -> dict[str, str]:
    """NAME=VALUE options into a dict."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"{option} {item!r} is not NAME=VALUE", f"e.g. {option} {example}")
        out[name.strip()] = value.strip()
    return out


def _numbers(items: dict[str, str], option: str) -> dict[str, float]:
    out = {}
    for name, value in items.items():
        try:
            out[name] = float(value)
        except ValueError:
            raise ConfigError(f"{option} {name}={value!r}: the value is not a number",
                              f"e.g. {option} {name}=2") from None
    return out


def _when(text: str | None, option: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date-time",
                          "use ISO 8601, e.g. 2026-03-01T09:00") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe records (NaN → null, times in ISO 8601)."""
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records",
                                                             date_format="iso"))
    return records


def _shown(frame: pd.DataFrame, digits: dict[str, int]) -> pd.DataFrame:
    """A copy with the named float columns rounded for a table."""
    frame = frame.copy()
    for col, k in digits.items():
        if col in frame:
            frame[col] = [decimal(v, k) for v in frame[col]]
    return frame


def _minutes(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """A copy with the named time columns as ``YYYY-MM-DD HH:MM`` (UTC), for a table."""
    frame = frame.copy()
    for col in cols:
        frame[col] = [minute(v) for v in frame[col]]
    return frame


def _show(frame: pd.DataFrame, fmt: Format, digits: dict[str, int], title: str) -> None:
    emit(_shown(frame, digits) if fmt is Format.table else frame, fmt, title)


# -- scorecards and scores ----------------------------------------------------------------------
@qa_app.command("scorecards")
def scorecards_cmd(
    scorecards: ScorecardsOption = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Only validate the file (every problem at once) and say so.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List the scorecards and their criteria: scale, weight, critical, bonus, N/A allowed."""
    import pandas as pd

    cards = _cards(scorecards)
    where = str(scorecards) if scorecards is not None else "built-in scorecards"
    if check:
        n = sum(len(c.criteria) for c in cards.scorecards)
        console.print(f"{where}: {len(cards.scorecards)} scorecard(s), {n} criteria — valid",
                      highlight=False)
        return
    if fmt is Format.json:
        emit_json(cards.model_dump(mode="json")["scorecards"])
        return
    rows = [{"scorecard": card.name, "section": section.id, "criterion": c.id,
             "label": c.title, "scale": f"{c.scale.min}–{c.scale.max}", "weight": c.weight,
             "critical": c.critical, "bonus": c.bonus, "na_allowed": c.na_allowed}
            for card in cards.scorecards for section in card.sections for c in section.criteria]
    emit(pd.DataFrame(rows), fmt, f"{where}: {', '.join(cards.names)}")


@qa_app.command("scores")
def scores(
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Group by (repeatable or comma-separated): agent_id, team, vendor, site, "
                     "reviewer, scorecard. Default: vendor.")] = None,
    scorecard: ScorecardOption = None,
    start: SinceOption = None,
    end: UntilOption = None,
    min_sample: Annotated[int, typer.Option(
        help="Below this many reviews a figure is flagged insufficient_sample.")] = 30,
    scorecards: ScorecardsOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Quality scores (Zendesk's IQS: the mean review score, 0–100) with n, a 95 % interval
    and the small-sample flag; dispute decisions applied."""
    from cxlens.qa import disputes, scoring

    cards = _cards(scorecards)
    dims = [p.strip() for item in (by or ["vendor"]) for p in item.split(",") if p.strip()]
    with open_warehouse(db) as wh:
        _check_scorecard(wh, cards, scorecard)
        frame = scoring.quality_scores(wh, by=dims, start=start, end=end, scorecard=scorecard,
                                       min_sample=min_sample, scorecards=cards,
                                       source=disputes.effective_reviews_sql(wh))
    _show(frame, fmt, {"value": 1, "ci_low": 1, "ci_high": 1}, "quality score (0–100)")


# -- sampling -----------------------------------------------------------------------------------
def _plan(margin: float, confidence: float, pass_rate: float, floor: int, cap: int,
          oversample: list[str] | None, reviewers_per_interaction: int,
          exclude_own_team: bool, due_days: float,
          autoqa_checks: list[str] | None = None) -> Plan:
    from cxlens.qa.sampling import Plan

    multipliers = oversample_defaults()
    multipliers.update(_numbers(_pairs(oversample, "--oversample", "detractor=5"),
                                "--oversample"))
    return Plan(margin=margin, confidence=confidence, pass_rate=pass_rate, floor=floor,
                cap=cap, oversample=multipliers,
                reviewers_per_interaction=reviewers_per_interaction,
                exclude_own_team=exclude_own_team, due_days=due_days,
                autoqa_checks=tuple(autoqa_checks or ()))


@qa_app.command("sample")
def sample(
    start: Annotated[str, typer.Option(
        "--from", "--start", help="First day of the period (interactions closed), "
                                  "YYYY-MM-DD.", callback=check_from)],
    end: Annotated[str, typer.Option("--to", "--end", help="Last day, included.",
                                     callback=check_to)],
    reviewer: Annotated[list[str], typer.Option(
        "--reviewer", help="A reviewer to assign reviews to (repeatable).")],
    margin: Annotated[float, typer.Option(
        help="Margin wanted on each agent's pass rate (0.10 = ±10 points).")] = 0.10,
    confidence: Annotated[float, typer.Option(help="Confidence of that margin.")] = 0.95,
    pass_rate: Annotated[float, typer.Option(
        help="Expected pass rate (0.5 is the worst case).")] = 0.85,
    floor: Annotated[int, typer.Option(help="At least this many reviews per agent.")] = 5,
    cap: Annotated[int, typer.Option(help="At most this many reviews per agent.")] = 50,
    oversample: Annotated[list[str] | None, typer.Option(
        "--oversample", help="TRAIT=MULTIPLIER (repeatable): selection weight of "
                             "escalation, policy_denial, reopened, detractor (default 3 each; "
                             "1 turns it off) and autoqa_fail (a failed AutoQA check, from "
                             "cxlens qa auto; default 1: off).")] = None,
    autoqa_check: Annotated[list[str] | None, typer.Option(
        "--autoqa-check", help="Only a failure of this AutoQA check makes autoqa_fail "
                               "(repeatable; default: any check).")] = None,
    reviewers_per_interaction: Annotated[int, typer.Option(
        help="Reviewers per interaction (2 or more: double reviews for calibration).")] = 1,
    exclude_own_team: Annotated[bool, typer.Option(
        "--exclude-own-team", help="Never assign a reviewer their own team's interactions "
                                   "(teams from --reviewer-team).")] = False,
    reviewer_team: Annotated[list[str] | None, typer.Option(
        "--reviewer-team", help="REVIEWER=TEAM (repeatable), for --exclude-own-team.")] = None,
    due_days: Annotated[float, typer.Option(help="Reviews are due this many days after "
                                                 "the draw.")] = 7.0,
    agent: Annotated[list[str] | None, typer.Option(
        "--agent", help="Only this agent (repeatable; default: every agent).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the draw (same data and seed, same "
                                           "sample).")] = 0,
    preview: Annotated[bool, typer.Option(
        "--preview", help="Draw and show, but store nothing.")] = False,
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """Draw the QA review sample of the interactions closed in the period: per agent, a
    sample size for their pass rate, stratified by channel, over-sampling escalations,
    policy denials, reopens and detractors (and failed AutoQA checks when asked); assign
    reviewers (balanced, never their own interactions) and store the assignments."""
    import pandas as pd

    from cxlens.metrics.query import parse_time
    from cxlens.qa import sampling

    plan = _plan(margin, confidence, pass_rate, floor, cap, oversample,
                 reviewers_per_interaction, exclude_own_team, due_days, autoqa_check)
    first, last = parse_time(start), parse_time(end, end=True)
    assert first is not None and last is not None  # both options are required
    teams = _pairs(reviewer_team, "--reviewer-team", "qa.hannah=Leeds")
    with open_warehouse(db) as wh:
        if agent:
            for a in agent:
                _check_agent(wh, a)
        drawn = sampling.draw(wh, first, last, reviewer, plan=plan, seed=seed,
                              reviewer_teams=teams, agents=agent, save=not preview)
    rows = drawn.assignments
    picked = rows.drop_duplicates("interaction_id")
    strata = pd.DataFrame({
        "interactions": picked.groupby("stratum").size(),
        "oversampled": picked[picked["reason"] != "random"].groupby("stratum").size(),
        "assignments": rows.groupby("stratum").size(),
    }).fillna(0).astype(int).rename_axis("stratum").reset_index()
    load = rows.groupby("reviewer").size().reindex(reviewer, fill_value=0)
    per_reviewer = load.rename("assignments").rename_axis("reviewer").reset_index()
    stored = "previewed (nothing stored)" if preview else "stored"
    if fmt is Output.json:
        emit_json({"sample_id": drawn.sample_id, "stored": not preview,
                   "interactions": len(picked), "assignments": len(rows),
                   "strata": _records(strata), "reviewers": _records(per_reviewer),
                   "agents": _records(drawn.agents)})
        return
    agents = drawn.agents
    if rows.empty:
        console.print(f"nothing to draw: the {int(agents['population'].sum())} interaction(s) "
                      f"closed in the period by {len(agents)} agent(s) already meet their "
                      "targets (reviewed or assigned)" if len(agents) else
                      "nothing to draw: no interaction with an agent was closed in the period",
                      highlight=False)
        return
    console.print(f"sample {drawn.sample_id} {stored}: {len(picked)} interaction(s) of "
                  f"{int((agents['drawn'] > 0).sum())} agent(s) drawn, {len(rows)} "
                  f"assignment(s); {int(agents['already'].sum())} already reviewed or "
                  f"assigned counted towards the targets", highlight=False)
    emit(strata, Format.table, "per stratum (channel)")
    emit(per_reviewer, Format.table, "per reviewer")


@qa_app.command("assignments")
def assignments_cmd(
    reviewer: Annotated[str | None, typer.Option(help="Only this reviewer's.")] = None,
    sample_id: Annotated[str | None, typer.Option("--sample", help="Only this sample's "
                                                                   "(qs_…).")] = None,
    status: Annotated[str | None, typer.Option(help="open or done.")] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Stored review assignments; open ones whose review is now in qa_reviews are marked
    done first."""
    from cxlens.qa import sampling

    with open_warehouse(db) as wh:
        sampling.ensure(wh)
        for col, value, option in (("sample_id", sample_id, "--sample"),
                                   ("reviewer", reviewer, "--reviewer")):
            if value is None:
                continue
            known = [r[0] for r in wh.query(f"SELECT DISTINCT {col} FROM "
                                            "cxlens_qa_assignments")]
            if value not in known:
                raise NotFound(f"{option} {value!r}: no assignments.{did_you_mean(value, known)}",
                               "draw a sample with: cxlens qa sample --from … --to … "
                               "--reviewer …")
        sampling.mark_done(wh, sample_id=sample_id)
        frame = sampling.assignments(wh, sample_id=sample_id, reviewer=reviewer, status=status)
    if fmt is Format.table:
        frame = _minutes(frame[["sample_id", "interaction_id", "agent_id", "reviewer", "reason",
                                "stratum", "weight", "due_at", "status", "review_id"]],
                         "due_at")
    emit(frame, fmt, f"{len(frame)} assignment(s)")


# -- calibration --------------------------------------------------------------------------------
def _interaction_ids(text: str) -> list[str]:
    """A file of ids (one per line, or separated by commas or blanks; a header
    ``interaction_id`` is skipped) or a comma-separated list."""
    path = Path(text)
    raw = path.read_text(encoding="utf-8") if path.is_file() else text
    ids = [p.strip().strip('"') for p in re.split(r"[,\s]+", raw)]
    ids = [i for i in ids if i and i != "interaction_id"]
    if not ids:
        raise ConfigError(f"--interactions {text!r} names no interaction",
                          "give a comma-separated list of interaction ids or a file with one "
                          "per line")
    return list(dict.fromkeys(ids))


@qa_app.command("calibrate")
def calibrate_cmd(
    scorecard: ScorecardOption = None,
    interactions: Annotated[str | None, typer.Option(
        "--interactions", help="Only these interactions (a calibration session): a file with "
                               "one id per line, or ids separated by commas.")] = None,
    start: SinceOption = None,
    end: UntilOption = None,
    level: Annotated[str, typer.Option(
        help="Level of measurement: ordinal, nominal, interval or ratio.")] = "ordinal",
    threshold: Annotated[float, typer.Option(
        help="A reviewer is lenient / strict when their mean deviation is above / below "
             "± this many points (0–100).")] = 10.0,
    min_sample: Annotated[int, typer.Option(
        help="Fewer comparable ratings than this: insufficient_sample.")] = 5,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for α's interval.")]
    = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    scorecards: ScorecardsOption = None,
    fmt: OutputOption = Output.table,
    db: DbOption = None,
) -> None:
    """Do reviewers agree? Krippendorff's α per criterion and overall (review score) with a
    bootstrap 95 % interval, n_units and a label (reliable ≥ 0.80, tentative ≥ 0.667), and
    each reviewer's mean deviation from the others with a flag (lenient, strict)."""
    from cxlens.qa import calibration

    if level not in calibration.LEVELS:
        raise ConfigError(f"unknown level of measurement {level!r}."
                          f"{did_you_mean(level, calibration.LEVELS)}",
                          f"use one of: {', '.join(calibration.LEVELS)} (ordinal suits rating "
                          "scales)")
    cards = _cards(scorecards)
    ids = _interaction_ids(interactions) if interactions is not None else None
    with open_warehouse(db) as wh:
        _check_scorecard(wh, cards, scorecard)
        if ids is not None:
            found = {r[0] for r in wh.query(
                "SELECT DISTINCT interaction_id FROM qa_reviews WHERE interaction_id IN "
                f"({', '.join('?' * len(ids))})", ids)}
            missing = [i for i in ids if i not in found]
            if missing:
                raise NotFound(f"no QA review of interaction(s) {', '.join(missing[:10])}"
                               + (f" and {len(missing) - 10} more" if len(missing) > 10 else ""),
                               "check the ids (qa_reviews.interaction_id); a file is read "
                               "only when it exists")
        result = calibration.calibrate_reviews(
            wh, scorecard, ids, start, end, level=cast("calibration.Level", level),
            resamples=resamples, seed=seed, threshold=threshold, min_sample=min_sample,
            scorecards=cards)
    if fmt is Output.json:
        emit_json({"level": level, "threshold": threshold,
                   "reliability": _records(result.reliability),
                   "reviewers": _records(result.reviewers)})
        return
    if result.reliability.empty:
        console.print("no interaction was scored by two or more reviewers with the same "
                      "scorecard: nothing to calibrate", highlight=False)
        return
    emit(_shown(result.reliability, {"alpha": 2, "ci_low": 2, "ci_high": 2}), Format.table,
         f"agreement: Krippendorff's α ({level})")
    emit(_shown(result.reviewers, {"deviation": 1, "ci_low": 1, "ci_high": 1}), Format.table,
         "reviewers: mean deviation from the others (points of 0–100)")


# -- escalation audit ---------------------------------------------------------------------------
@qa_app.command("audit")
def audit_cmd(
    week: Annotated[str, typer.Option(help="ISO week to audit, e.g. 2026-W23.")],
    to: Annotated[str | None, typer.Option(
        "--to", help="Audit every week from --week to this one (included).")] = None,
    sample_size: Annotated[int, typer.Option(help="Escalations sampled per vendor and "
                                                  "week.")] = 10,
    sla: Annotated[float, typer.Option(
        "--sla", help="Transfer-time SLA in seconds (hand-over to acceptance).")] = 3600,
    min_summary_chars: Annotated[int, typer.Option(
        help="Shortest case summary counted as complete.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the draw.")] = 0,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Weekly escalation audit per vendor: a sample of the week's escalations (drawn once,
    then kept), the share with a case summary and the share handed over within the SLA, with
    n and Wilson 95 % intervals, and the ids that failed."""
    from cxlens.qa import escalation_audit

    with open_warehouse(db) as wh:
        frame = escalation_audit.audit_weeks(wh, week, to or week, sample_size=sample_size,
                                             sla_seconds=sla,
                                             min_summary_chars=min_summary_chars, seed=seed)
    title = f"escalation audit {week}{f' to {to}' if to else ''}, SLA {sla:g} s"
    if fmt is Format.json:
        emit(frame, fmt)
        return
    frame = frame.copy()
    for col in ("missing_summary", "over_sla"):
        frame[col] = frame[col].map(" ".join)
    if fmt is Format.csv:
        emit(frame, fmt)
        return
    shares = frame[["week", "vendor", "population", "n"]].copy()
    for name, label in (("summary", "with summary"), ("sla", "within SLA")):
        shares[label] = [_percent(s, lo, hi) for s, lo, hi in zip(
            frame[f"{name}_share"], frame[f"{name}_low"], frame[f"{name}_high"], strict=True)]
    shares["missing summary"] = frame["missing_summary"]
    shares["over SLA"] = frame["over_sla"]
    emit(shares, Format.table, title)


def _percent(share: float, low: float, high: float) -> str:
    import pandas as pd

    if pd.isna(share):
        return ""
    return f"{share:.0%} ({low:.0%}–{high:.0%})"
