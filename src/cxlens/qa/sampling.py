"""QA sampling: which closed interactions each agent gets reviewed on, and by whom.

How many per agent comes from the sample size of a proportion (the review pass rate),
n₀ = z²·p(1−p)/E², with the finite-population correction n = n₀ / (1 + (n₀ − 1)/N) for the
agent's N closed interactions of the period, then held between a floor and a cap. Check
(docs/reference/statistics.md): ±5 points at 95 % → 385 at p = 0.5, 196 at p = 0.85.

The draw is stratified by channel with proportional allocation (largest remainders, so the
strata add up exactly), so a phone-heavy agent is reviewed mostly on calls. Within a
stratum, interactions that matter more for quality are over-sampled: each trait among
escalation, policy denial, reopen and a detractor rating (CSAT in the bottom two boxes,
NPS 0–6) multiplies the interaction's selection weight by its multiplier (3 by default); so
does a failed AutoQA check (``autoqa_fail``, from the last ``cxlens qa auto`` run: any check,
or only ``Plan.autoqa_checks``), off by default (multiplier 1) since most conversations
fail one check or another; the draw is a
weighted draw without replacement (Efraimidis–Spirakis keys) and records why each one was
picked and with which weight, so scores can be re-weighted when a figure must describe
all of an agent's work. Interactions already reviewed or already assigned are never drawn
again, and count towards the agent's target.

Reviewers are assigned balanced (fewest assignments first, ties in round-robin order);
a reviewer never reviews their own interactions, never the same interaction twice, and
optionally never their own team. Everything random comes from the seed, per agent, so the
same data and seed give the same sample whatever else changes.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError, did_you_mean
from cxlens.metrics.definition import definition
from cxlens.personal import Redaction, by, redact
from cxlens.schema import Column, Table, Type
from cxlens.stats._arrays import z_value
from cxlens.store.base import Warehouse

_S, _F, _T = Type.STRING, Type.FLOAT, Type.TIMESTAMP
STATUSES = ("open", "done")
ASSIGNMENTS = Table(
    "cxlens_qa_assignments",
    "QA review assignments drawn by cxlens.qa.sampling: one row per interaction and reviewer.",
    (
        Column("sample_id", _S, "The draw this assignment came from.", required=True),
        Column("interaction_id", _S, "Interaction to review.", required=True),
        Column("agent_id", _S, "Agent who handled it (the one being reviewed)."),
        Column("reviewer", _S, "Who must review it.", required=True),
        Column("reason", _S, 'Why it was picked: "random", or the over-sampled traits that '
               'raised its weight joined by "+" (e.g. escalation+detractor).'),
        Column("stratum", _S, "Sampling stratum (the interaction's channel)."),
        Column("weight", _F, "Its selection weight (1 = plain random; the product of the "
               "multipliers of its traits otherwise)."),
        Column("assigned_at", _T, "When it was drawn.", required=True),
        Column("due_at", _T, "When the review is due."),
        Column("status", _S, "open until a matching qa_reviews row exists, then done.",
               enum=STATUSES, default="open"),
        Column("done_at", _T, "When it was marked done."),
        Column("review_id", _S, "The review that completed it."),
    ),
    key=("sample_id", "interaction_id", "reviewer"),
    # the detractor trait came from the customer's answer; the other traits are the agent's
    personal=redact(by("interaction"), Redaction("reason", "erased", "detractor")),
)
TABLES = (ASSIGNMENTS,)
COLUMNS = tuple(c.name for c in ASSIGNMENTS.columns)

#: Traits that can be over-sampled, in the order they are named in ``reason``.
TRAITS = ("escalation", "policy_denial", "reopened", "detractor", "autoqa_fail")
#: Traits computed outside the candidates' SQL (from the answers, from AutoQA's results).
_TRAITS_AFTER = ("detractor", "autoqa_fail")

#: A detractor rating, by the catalogue's definitions: a CSAT answer in the bottom two boxes
#: of its scale (``csat:dissatisfied``; the bottom box of a binary scale) or an NPS
#: detractor (the negative side of ``nps``, 0–6).
DETRACTOR_DEFINITIONS = (("csat:dissatisfied", "condition"), ("nps", "negative"))

_CANDIDATES = """
SELECT i.interaction_id, i.agent_id, i.team, COALESCE(i.channel, 'unknown') AS channel,
       (COALESCE(i.escalated, FALSE) OR i.escalated_at IS NOT NULL) AS escalation,
       COALESCE(i.policy_denial, FALSE) AS policy_denial,
       COALESCE(i.reopen_count, 0) > 0 AS reopened,
       (EXISTS (SELECT 1 FROM qa_reviews q WHERE q.interaction_id = i.interaction_id)
        OR EXISTS (SELECT 1 FROM cxlens_qa_assignments a
                   WHERE a.interaction_id = i.interaction_id)) AS taken
FROM interactions i
WHERE i.closed_at >= ? AND i.closed_at < ? AND i.agent_id IS NOT NULL
"""


def _detractors(wh: Warehouse, start: dt.datetime, end: dt.datetime) -> set[str]:
    """Interactions closed in [start, end) with a detractor rating (whenever answered)."""
    i = wh.ibis().table("interactions")
    closed = i.filter((i.closed_at >= start) & (i.closed_at < end))
    found: set[str] = set()
    for name, side in DETRACTOR_DEFINITIONS:
        d = definition(name, wh)
        rel = d.relation(wh)
        hit = d.condition(rel) if side == "condition" else d.negative(rel)
        ids = rel.filter(hit & rel.interaction_id.notnull()).select(_iid=rel.interaction_id)
        ids = ids.semi_join(closed, ids._iid == closed.interaction_id).distinct()
        found |= {str(x) for x in ids.to_pandas()["_iid"]}
    return found


def _default_oversample() -> dict[str, float]:
    return dict.fromkeys(TRAITS, 3.0) | {"autoqa_fail": 1.0}


def _autoqa_failed(wh: Warehouse, start: dt.datetime, end: dt.datetime,
                   checks: Sequence[str]) -> set[str]:
    """Interactions closed in [start, end) that failed an AutoQA check (of ``checks`` only,
    unless empty) in the stored results."""
    from cxlens.qa.machine import RESULTS

    wh.ensure(RESULTS)
    sql = ("SELECT DISTINCT r.interaction_id FROM cxlens_autoqa_results r JOIN interactions i "
           "ON i.interaction_id = r.interaction_id WHERE r.result = 'fail' AND "
           "i.closed_at >= ? AND i.closed_at < ?")
    params: list[Any] = [start, end]
    if checks:
        sql += f" AND r.check_id IN ({', '.join('?' * len(checks))})"
        params += list(checks)
    return {str(r) for (r,) in wh.query(sql, params)}


@dataclass(frozen=True)
class Plan:
    """How big the sample is and how it is drawn.

    ``margin`` (E) and ``confidence`` are those wanted on each agent's pass rate, whose
    expected value is ``pass_rate`` (p; 0.5 is the worst case). ``floor`` and ``cap`` bound
    the number per agent (never more than the agent handled). ``oversample`` maps a trait
    of :data:`TRAITS` to the multiplier of its selection weight (1 = no over-sampling);
    ``autoqa_checks`` names the AutoQA checks whose failure makes ``autoqa_fail`` (empty:
    any check).
    """

    margin: float = 0.10
    confidence: float = 0.95
    pass_rate: float = 0.85
    floor: int = 5
    cap: int = 50
    oversample: Mapping[str, float] = field(default_factory=_default_oversample)
    reviewers_per_interaction: int = 1
    exclude_own_team: bool = False
    due_days: float = 7.0
    autoqa_checks: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        found = []
        if not 0 < self.margin < 1:
            found.append(f"margin must be between 0 and 1 (0.05 = ±5 points), got {self.margin}")
        if not 0 < self.confidence < 1:
            found.append(f"confidence must be between 0 and 1 (e.g. 0.95), got "
                         f"{self.confidence}")
        if not 0 <= self.pass_rate <= 1:
            found.append(f"pass_rate must be between 0 and 1, got {self.pass_rate}")
        if self.floor < 0 or self.cap < max(self.floor, 1):
            found.append(f"need 0 <= floor <= cap and cap >= 1, got floor {self.floor} and cap "
                         f"{self.cap}")
        for trait, mult in self.oversample.items():
            if trait not in TRAITS:
                found.append(f"unknown over-sampling trait {trait!r}."
                             f"{did_you_mean(trait, TRAITS)}")
            elif not mult > 0:
                found.append(f"the multiplier of {trait} must be > 0, got {mult}")
        if self.reviewers_per_interaction < 1:
            found.append("reviewers_per_interaction must be at least 1, got "
                         f"{self.reviewers_per_interaction}")
        if self.due_days < 0:
            found.append(f"due_days cannot be negative, got {self.due_days}")
        return found

    def per_agent(self, population: int) -> int:
        """Reviews wanted for an agent who closed ``population`` interactions."""
        if population <= 0:
            return 0
        n = sample_size(population, margin=self.margin, confidence=self.confidence,
                        pass_rate=self.pass_rate)
        return min(population, max(self.floor, min(self.cap, n)))


@dataclass(frozen=True)
class Sample:
    """A draw: its id, the assignments (columns of :data:`ASSIGNMENTS`) and, per agent, the
    closed interactions of the period (``population``), those already reviewed or assigned
    (``already``), the target from the plan and how many were drawn now."""

    sample_id: str
    assignments: pd.DataFrame
    agents: pd.DataFrame


def ensure(wh: Warehouse) -> None:
    wh.ensure(ASSIGNMENTS)


def sample_size(population: int | None = None, *, margin: float = 0.05,
                confidence: float = 0.95, pass_rate: float = 0.5) -> int:
    """Reviews needed to know a pass rate near ``pass_rate`` within ±``margin`` at
    ``confidence``: ⌈n₀ / (1 + (n₀ − 1)/N)⌉ with n₀ = z²·p(1−p)/E² (no correction when
    ``population`` is None). Check: 385 at p = 0.5, 196 at p = 0.85 (E = 0.05, 95 %)."""
    if not 0 < margin < 1:
        raise ConfigError(f"sample size: margin must be between 0 and 1, got {margin}",
                          "give the margin as a share: 0.05 for ±5 points")
    if not 0 < confidence < 1 or not 0 <= pass_rate <= 1:
        raise ConfigError(f"sample size: confidence ({confidence}) must be in (0, 1) and "
                          f"pass_rate ({pass_rate}) in [0, 1]",
                          "e.g. confidence=0.95, pass_rate=0.85")
    z = z_value(confidence)
    n = z * z * pass_rate * (1 - pass_rate) / (margin * margin)
    if population is not None:
        if population <= 0:
            return 0
        n = n / (1 + (n - 1) / population) if n > 0 else 0.0
        return min(population, math.ceil(round(n, 9)))
    return math.ceil(round(n, 9))


def allocate(total: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` over strata in proportion to their ``sizes`` (largest remainders;
    ties go to the stratum named first). Never gives a stratum more than its size."""
    whole = sum(sizes.values())
    total = min(total, whole)
    if total <= 0:
        return dict.fromkeys(sizes, 0)
    share = {k: divmod(total * v, whole) for k, v in sizes.items()}
    out = {k: q for k, (q, _) in share.items()}
    left = total - sum(out.values())
    for k in sorted(share, key=lambda k: (-share[k][1], k))[:left]:
        out[k] += 1
    return out


def _rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def _utc(ts: dt.datetime) -> dt.datetime:
    return ts.replace(tzinfo=dt.UTC) if ts.tzinfo is None else ts.astimezone(dt.UTC)


def _pick(rows: pd.DataFrame, n: int, plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Stratified, weighted draw of ``n`` of one agent's ``rows`` (sorted, not taken)."""
    strata = rows.groupby("channel", sort=True).size()
    quota = allocate(n, {str(k): int(v) for k, v in strata.items()})
    weight = np.ones(len(rows))
    for trait in TRAITS:
        weight = np.where(rows[trait].to_numpy(bool), weight * plan.oversample.get(trait, 1.0),
                          weight)
    key = np.log(1.0 - rng.random(len(rows))) / weight  # Efraimidis–Spirakis: top keys win
    rows = rows.assign(weight=weight, key=key)
    picked = [part.nlargest(quota[str(ch)], "key") for ch, part in rows.groupby("channel")]
    return pd.concat(picked) if picked else rows.iloc[:0]


def _reason(row: Any, plan: Plan) -> str:
    traits = [t for t in TRAITS if getattr(row, t) and plan.oversample.get(t, 1.0) != 1.0]
    return "+".join(traits) or "random"


def _assign(picked: pd.DataFrame, reviewers: Sequence[str], teams: Mapping[str, str],
            plan: Plan, rng: np.random.Generator) -> list[list[str]]:
    """Reviewers of each picked row: the least loaded eligible ones, round-robin on ties."""
    load = dict.fromkeys(reviewers, 0)
    turn = {r: i for i, r in enumerate(reviewers)}
    out: list[list[str]] = [[] for _ in range(len(picked))]
    pointer = 0
    for pos in rng.permutation(len(picked)):
        row = picked.iloc[int(pos)]
        ok = [r for r in reviewers if r != row["agent_id"] and not (
            plan.exclude_own_team and teams.get(r) is not None and teams.get(r) == row["team"])]
        if len(ok) < plan.reviewers_per_interaction:
            raise ConfigError(
                f"QA sampling: interaction {row['interaction_id']} (agent {row['agent_id']}, "
                f"team {row['team']}) needs {plan.reviewers_per_interaction} reviewer(s) and "
                f"only {len(ok)} of {', '.join(reviewers)} may review it (not their own "
                "interactions" + (", not their own team)" if plan.exclude_own_team else ")"),
                "add reviewers, lower reviewers_per_interaction"
                + (" or turn exclude_own_team off" if plan.exclude_own_team else ""))
        n = len(reviewers)
        chosen = sorted(ok, key=lambda r: (load[r], (turn[r] - pointer) % n))
        for r in chosen[:plan.reviewers_per_interaction]:
            out[int(pos)].append(r)
            load[r] += 1
            pointer = (turn[r] + 1) % n
    return out


def _check(start: dt.datetime, end: dt.datetime, reviewers: Sequence[str], plan: Plan) -> None:
    problems = plan.problems()
    if not start < end:
        problems.append(f"the period must end after it starts (got {start} to {end})")
    if not reviewers:
        problems.append("no reviewers given")
    elif len(set(reviewers)) != len(reviewers) or not all(r.strip() for r in reviewers):
        problems.append(f"reviewers must be distinct, non-empty names: {list(reviewers)}")
    if problems:
        raise ConfigError("QA sampling: " + "; ".join(problems),
                          "fix the plan or arguments named above; defaults: "
                          "cxlens.qa.sampling.Plan()")


def _candidates(wh: Warehouse, start: dt.datetime, end: dt.datetime,
                agents: Sequence[str] | None, plan: Plan) -> pd.DataFrame:
    """The closed interactions of the period with their traits and whether already taken."""
    sql, params = _CANDIDATES, list[Any]([start, end])
    if agents is not None:
        sql += f" AND i.agent_id IN ({', '.join('?' * len(agents))})" if agents else " AND 1 = 0"
        params += list(agents)
    names = ["interaction_id", "agent_id", "team", "channel",
             *(t for t in TRAITS if t not in _TRAITS_AFTER), "taken"]
    # sorted here, not in SQL: Postgres collations order text differently from DuckDB
    rows = pd.DataFrame(wh.query(sql, params), columns=names).sort_values(
        ["agent_id", "channel", "interaction_id"], ignore_index=True)
    rows.insert(names.index("taken"), "detractor",
                rows["interaction_id"].isin(_detractors(wh, start, end)))
    rows.insert(names.index("taken") + 1, "autoqa_fail",
                rows["interaction_id"].isin(_autoqa_failed(wh, start, end,
                                                           plan.autoqa_checks)))
    for col in (*TRAITS, "taken"):
        rows[col] = rows[col].astype(bool)
    return rows


def _select(rows: pd.DataFrame, plan: Plan, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows drawn (with their weight) and, per agent, population, already, target and
    drawn."""
    per_agent, picked = [], []
    for agent, mine in rows.groupby("agent_id", sort=True):
        free = mine[~mine["taken"]]
        target = plan.per_agent(len(mine))
        already = len(mine) - len(free)
        n = min(max(target - already, 0), len(free))
        per_agent.append((agent, len(mine), already, target, n))
        if n:
            picked.append(_pick(free, n, plan, _rng(seed, str(agent))))
    chosen = pd.concat(picked) if picked else rows.iloc[:0].assign(weight=1.0, key=0.0)
    summary = pd.DataFrame(per_agent, columns=["agent_id", "population", "already", "target",
                                               "drawn"])
    return chosen.sort_values(["agent_id", "interaction_id"], ignore_index=True), summary


def draw(wh: Warehouse, start: dt.datetime, end: dt.datetime, reviewers: Sequence[str], *,
         plan: Plan | None = None, seed: int = 0, reviewer_teams: Mapping[str, str] | None = None,
         agents: Sequence[str] | None = None, now: dt.datetime | None = None,
         save: bool = True) -> Sample:
    """Draw the QA sample of the interactions closed in [``start``, ``end``) for every agent
    (or only ``agents``), assign reviewers, store it in ``cxlens_qa_assignments`` (unless
    ``save`` is false: a preview) and return it. ``reviewer_teams`` maps a reviewer to their
    team, for ``plan.exclude_own_team``."""
    plan = plan or Plan()
    start, end = _utc(start), _utc(end)
    _check(start, end, reviewers, plan)
    now = _utc(now or dt.datetime.now(dt.UTC))
    due = now + dt.timedelta(days=plan.due_days)
    sample_id = "qs_" + secrets.token_hex(6)
    ensure(wh)
    with wh.transaction():  # two draws at once cannot both take an interaction
        chosen, summary = _select(_candidates(wh, start, end, agents, plan), plan, seed)
        who = _assign(chosen, reviewers, reviewer_teams or {}, plan, _rng(seed, "reviewers"))
        weights = chosen["weight"].to_numpy(float)
        out: list[list[Any]] = [
            [sample_id, row.interaction_id, row.agent_id, reviewer, _reason(row, plan),
             row.channel, float(weights[k]), now, due, "open", None, None]
            for k, (row, theirs) in enumerate(zip(chosen.itertuples(index=False), who,
                                                  strict=True))
            for reviewer in theirs]
        if save:
            wh.insert_rows(ASSIGNMENTS.name, COLUMNS, out)
    return Sample(sample_id, pd.DataFrame(out, columns=list(COLUMNS)), summary)


def mark_done(wh: Warehouse, *, sample_id: str | None = None,
              now: dt.datetime | None = None) -> int:
    """Mark open assignments done whose reviewer has a qa_reviews row for the interaction
    (recording the review id); returns how many were marked."""
    ensure(wh)
    match = ("FROM qa_reviews q WHERE q.interaction_id = cxlens_qa_assignments.interaction_id "
             "AND q.reviewer = cxlens_qa_assignments.reviewer")
    where = f"status = 'open' AND EXISTS (SELECT 1 {match})"
    params: list[Any] = []
    if sample_id is not None:
        where += " AND sample_id = ?"
        params.append(sample_id)
    with wh.transaction():
        n = int(wh.scalar(f"SELECT count(*) FROM cxlens_qa_assignments WHERE {where}", params))
        if n:
            wh.execute("UPDATE cxlens_qa_assignments SET status = 'done', done_at = ?, "
                       f"review_id = (SELECT min(q.review_id) {match}) WHERE {where}",
                       [_utc(now or dt.datetime.now(dt.UTC)), *params])
    return n


def assignments(wh: Warehouse, *, sample_id: str | None = None, reviewer: str | None = None,
                status: str | None = None) -> pd.DataFrame:
    """Stored assignments, optionally of one sample, reviewer or status."""
    if status is not None and status not in STATUSES:
        raise ConfigError(f"unknown assignment status {status!r}.{did_you_mean(status, STATUSES)}",
                          f"statuses: {', '.join(STATUSES)}")
    ensure(wh)
    where, params = ["1 = 1"], []
    for col, val in (("sample_id", sample_id), ("reviewer", reviewer), ("status", status)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM cxlens_qa_assignments WHERE "
                    f"{' AND '.join(where)} ORDER BY sample_id, agent_id, interaction_id, "
                    "reviewer", params)
    return pd.DataFrame(rows, columns=list(COLUMNS))
