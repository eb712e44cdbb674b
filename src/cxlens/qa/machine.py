"""The machine reviewer: AutoQA run on every conversation with a transcript, its results
stored, turned into QA reviews by the reviewer ``machine``, and compared with the human
reviews.

**Kept apart from the human reviews.** Machine reviews go to their own table,
``cxlens_machine_reviews`` (the columns of ``qa_reviews``), never into ``qa_reviews``: every
QA score, calibration and coaching figure that reads ``qa_reviews`` stays what the people
scored. Where the machine should be shown beside them, pass :data:`WITH_MACHINE` as the
``source`` of :mod:`cxlens.qa.scoring` / :mod:`cxlens.qa.calibration` and group by reviewer:
the machine is then one reviewer among the others, labelled ``machine``.

**Scores.** A criterion fed by several checks (greeting and closing both score
``followed_sop``) fails when any of them fails, passes when one passes and none fails, and
is N/A when none applies. Pass scores the top of the criterion's scale, fail the bottom; the
weight and critical flag come from the scorecard, as a person's review would carry them.

**Idempotent.** A run replaces every stored result and machine review in one transaction.

**Agreement.** The machine only says pass or fail, so it is compared with the people on
those terms: a person's score is a pass when it is above the middle of the scale (4 or 5 on
1–5, a pass on a binary criterion). Per criterion, on the conversations that both a person
and the machine scored (the person's latest review): Krippendorff's α on pass/fail (nominal,
via :func:`cxlens.qa.calibration.calibrate`) with a bootstrap interval, the share of
conversations where both say the same, and how much more often the machine passes
(``deviation``, points of pass rate). A criterion whose α is below :data:`TRUSTED`
(Krippendorff's 0.667, the lowest he accepts for tentative conclusions) or undefined is
marked *not trusted*.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cxlens.errors import ConfigError, did_you_mean
from cxlens.personal import by, delete, keep
from cxlens.qa import autoqa, calibration, kappa, scoring
from cxlens.qa.checks import Checks
from cxlens.qa.checks import builtin as builtin_checks
from cxlens.qa.scorecards import Scorecards
from cxlens.qa.scorecards import builtin as builtin_cards
from cxlens.schema import QA_REVIEWS, Column, Table, Type
from cxlens.stats import wilson_interval
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version

MACHINE = "machine"
TRUSTED = calibration.TENTATIVE
PASS_ABOVE = 50.0
_S, _I, _T = Type.STRING, Type.INTEGER, Type.TIMESTAMP
RESULTS = Table(
    "cxlens_autoqa_results",
    "AutoQA: one row per conversation with a transcript and check (cxlens qa auto).",
    (
        Column("interaction_id", _S, "Conversation checked.", required=True),
        Column("check_id", _S, "Check id (checks.yaml).", required=True),
        Column("criterion", _S, "Scorecard criterion it scores (scorecard.criterion)."),
        Column("result", _S, "pass, fail, or n/a when the check does not apply.",
               enum=autoqa.RESULTS, required=True),
        Column("turn", _I, "The turn that decided it, when one did."),
        Column("evidence", _S, "Why, in words (e.g. turn 3: \"sorry\")."),
        Column("checked_at", _T, "When the run was.", required=True),
    ),
    key=("interaction_id", "check_id"),
    # the evidence quotes the customer's words
    personal=delete(by("interaction")),
)
REVIEWS = Table(
    "cxlens_machine_reviews",
    "AutoQA's reviews by the reviewer machine: the columns of qa_reviews, kept apart from "
    "them so human QA scores never include the machine's (cxlens.qa.machine).",
    QA_REVIEWS.columns,
    key=QA_REVIEWS.key,
    personal=keep("scores of the agents' work, as qa_reviews"),
)
TABLES = (RESULTS, REVIEWS)
_COLS = ", ".join(c.name for c in QA_REVIEWS.columns)
#: qa_reviews with the machine's reviews beside them (a ``source`` for the scoring functions).
WITH_MACHINE = (f"(SELECT {_COLS} FROM qa_reviews UNION ALL "
                f"SELECT {_COLS} FROM {REVIEWS.name})")
#: What an AutoQA run writes: its data-version bump names only these, so the pages reading
#: neither stay cached and the QA pages refresh (tests/store/test_scoped_bumps.py).
WRITES = (RESULTS.name, REVIEWS.name)


def with_machine(source: str) -> str:
    """``source`` (qa_reviews or a parenthesised subquery with its columns, such as the
    reviews with the arbiters' decisions applied) with the machine's reviews beside it."""
    return f"(SELECT {_COLS} FROM {source} h UNION ALL SELECT {_COLS} FROM {REVIEWS.name})"


RATE_COLUMNS = ("scorecard", "criterion", "machine_n", "machine_rate", "machine_low",
                "machine_high", "people_n", "people_rate", "people_low", "people_high")
FAILED_COLUMNS = ("interaction_id", "created_at", "check_id", "criterion", "evidence")
AGREEMENT_COLUMNS = ("scorecard", "criterion", "checks", "alpha", "ci_low", "ci_high",
                     "kappa", "kappa_low", "kappa_high", "n_units", "same_pass", "deviation",
                     "label", "trusted")
GROUPS = ("team", "site", "vendor", "agent_id")
#: A group is flagged when its fail rate is at least this far above everyone else's (and
#: its interval lies wholly above): with tens of thousands of conversations a difference of
#: two points is significant and not worth a coaching session.
MIN_GAP = 0.10


def ensure(wh: Warehouse) -> None:
    wh.ensure(*TABLES)


@dataclass(frozen=True)
class Run:
    """What a run stored: conversations checked, results per check (pass / fail / n/a
    counts) and the machine review rows written."""

    conversations: int
    results: pd.DataFrame
    review_rows: int


#: Conversations read, checked and written at a time: memory stays bounded at 10 M
#: interactions (about 9 M turns would not fit in one DataFrame on a small server).
CHUNK = 50_000


def _ranges(wh: Warehouse, chunk: int) -> list[tuple[str, str]]:
    """(first, last) interaction ids of consecutive slices of ``chunk`` conversations, in the
    database's own order, so a range predicate selects exactly each slice on either engine."""
    ids = [str(i) for (i,) in wh.query(
        "SELECT DISTINCT interaction_id FROM transcript_turns ORDER BY 1")]
    return [(ids[k], ids[min(k + chunk, len(ids)) - 1]) for k in range(0, len(ids), chunk)]


def _turns(wh: Warehouse, first: str, last: str) -> tuple[pd.DataFrame,
                                                          dict[str, str | None]]:
    where = "interaction_id >= ? AND interaction_id <= ?"
    turns = wh.query_df(f"SELECT {', '.join(autoqa.TURN_COLUMNS)} FROM transcript_turns "
                        f"WHERE {where}", [first, last])
    channels = {str(i): c for i, c in wh.query(
        f"SELECT i.interaction_id, i.channel FROM interactions i WHERE i.{where} AND EXISTS "
        "(SELECT 1 FROM transcript_turns t WHERE t.interaction_id = i.interaction_id)",
        [first, last])}
    return turns, channels


def reviews_of(results: pd.DataFrame, checks: Checks, cards: Scorecards,
               now: dt.datetime) -> pd.DataFrame:
    """The machine's qa_reviews rows from check results (the rules of the module docstring)."""
    crit = {c.id: (c.scorecard, c.criterion_id) for c in checks.checks}
    r = results.assign(scorecard=results["check"].map(lambda c: crit[c][0]),
                       criterion=results["check"].map(lambda c: crit[c][1]))
    r["fail"] = r["result"] == autoqa.FAIL
    r["pass"] = r["result"] == autoqa.PASS
    g = r.groupby(["interaction_id", "scorecard", "criterion"], sort=True)[
        ["fail", "pass"]].any().reset_index()
    spec = {(s.name, c.id): c for s in cards.scorecards for c in s.criteria}
    card = [spec[(s, c)] for s, c in zip(g["scorecard"], g["criterion"], strict=True)]
    low = np.array([c.scale.min for c in card], dtype=float)
    high = np.array([c.scale.max for c in card], dtype=float)
    na = ~(g["fail"] | g["pass"]).to_numpy()
    return pd.DataFrame({
        "review_id": "auto:" + g["scorecard"] + ":" + g["interaction_id"],
        "interaction_id": g["interaction_id"], "scorecard": g["scorecard"],
        "criterion": g["criterion"],
        "score": np.where(na, np.nan, np.where(g["fail"], low, high)),
        "min_score": low, "max_score": high,
        "weight": [c.weight for c in card], "critical": [c.critical for c in card],
        "not_applicable": na, "reviewer": MACHINE, "reviewed_at": now,
    }, columns=[c.name for c in QA_REVIEWS.columns])


def _arrow(frame: pd.DataFrame, table: Table) -> pa.Table:
    from cxlens.ingest.load import ARROW

    schema = pa.schema([pa.field(c.name, ARROW[c.type]) for c in table.columns])
    return pa.Table.from_pandas(frame[[c.name for c in table.columns]], schema=schema,
                                preserve_index=False)


def _empty(wh: Warehouse, table: Table) -> None:
    """Make ``table`` empty, inside the caller's transaction: dropped and created again from
    its declaration. DuckDB deletes the rows of a table with a primary key one index entry at
    a time (2 M rows took 112 s; the previous run's 7.5 M results and 6.6 M reviews of the 10 M
    demo kept a re-run deleting for minutes), a dropped table goes at once; on either engine
    a failed run rolls the drop back with the rest."""
    wh.execute(f"DROP TABLE IF EXISTS {table.name}")
    wh.ensure(table)


def run(wh: Warehouse, *, checks: Checks | None = None, scorecards: Scorecards | None = None,
        now: dt.datetime | None = None, chunk: int = CHUNK) -> Run:
    """Run ``checks`` (default: the built-in ones) on every conversation with a transcript
    and replace the stored results and machine reviews with this run's (one transaction;
    ``chunk`` conversations read and written at a time)."""
    cards = scorecards or builtin_cards()
    checks = (checks or builtin_checks()).validate_against(cards)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    crit = {c.id: c.criterion for c in checks.checks}
    ensure(wh)
    counts = pd.DataFrame(0, index=[c.id for c in checks.checks], columns=list(autoqa.RESULTS))
    conversations = review_rows = 0
    with wh.transaction():
        for table in TABLES:
            _empty(wh, table)
        for first, last in _ranges(wh, chunk):
            turns, channels = _turns(wh, first, last)
            results = autoqa.evaluate(turns, checks, channels)
            reviews = reviews_of(results, checks, cards, now)
            stored = results.rename(columns={"check": "check_id"}).assign(
                criterion=results["check"].map(crit), checked_at=now)
            wh.insert_arrow(RESULTS.name, _arrow(stored, RESULTS))
            wh.insert_arrow(REVIEWS.name, _arrow(reviews, REVIEWS))
            counts = counts.add(results.groupby(["check", "result"]).size().unstack(
                fill_value=0).reindex(index=counts.index, columns=counts.columns, fill_value=0))
            conversations += results["interaction_id"].nunique()
            review_rows += len(reviews)
        bump_data_version(wh, WRITES)
    return Run(conversations, counts.rename_axis("check").reset_index(), review_rows)


def results(wh: Warehouse, interaction_id: str | None = None) -> pd.DataFrame:
    """Stored check results (of one conversation when given)."""
    ensure(wh)
    where, params = ("WHERE interaction_id = ?", [interaction_id]) if interaction_id else ("", [])
    cols = [c.name for c in RESULTS.columns]
    return wh.query_df(f"SELECT {', '.join(cols)} FROM {RESULTS.name} {where} "
                       "ORDER BY interaction_id, check_id", params)


# -- agreement with the people ------------------------------------------------------------
def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(reviewed_at=pd.to_datetime(frame["reviewed_at"], utc=True))
    return frame.sort_values(["reviewed_at", "review_id"]).drop_duplicates(
        ["interaction_id", "scorecard", "criterion"], keep="last")


def _of_vendor(vendor: str | None) -> tuple[str, list[Any]]:
    """A condition on ``x.interaction_id`` keeping one vendor's conversations (None: all)."""
    if vendor is None:
        return "TRUE", []
    return ("EXISTS (SELECT 1 FROM interactions i WHERE i.interaction_id = x.interaction_id "
            "AND i.vendor = ?)", [vendor])


def ratings(wh: Warehouse, cards: Scorecards, vendor: str | None = None) -> pd.DataFrame:
    """unit, reviewer (machine / human), criterion (scorecard.criterion) and score (1 pass,
    0 fail: :func:`passed`) of the criteria both scored on the same conversation (of
    ``vendor``'s conversations only, when given); the person's latest review counts."""
    ensure(wh)
    rows = scoring.Filter()
    human_sql, hp = scoring.rated_sql(rows, cards)
    machine_sql, mp = scoring.rated_sql(rows, cards, REVIEWS.name)
    mine, vp = _of_vendor(vendor)
    cols = "x.review_id, x.interaction_id, x.scorecard, x.criterion, x.reviewed_at, x.pct"
    human = _latest(wh.query_df(
        f"SELECT {cols} FROM ({human_sql}) x WHERE x.pct IS NOT NULL AND {mine} AND EXISTS "
        f"(SELECT 1 FROM {REVIEWS.name} m WHERE m.interaction_id = x.interaction_id)",
        hp + vp))
    # only the conversations a person reviewed: all the machine's reviews (6.5 M rows at
    # 10 M interactions) in pandas took 2 GB to keep a few hundred thousand
    machine = wh.query_df(f"SELECT {cols} FROM ({machine_sql}) x WHERE x.pct IS NOT NULL "
                          f"AND {mine} AND EXISTS (SELECT 1 FROM {scoring.SOURCE} h "
                          "WHERE h.interaction_id = x.interaction_id)", mp + vp)
    both = human.merge(machine, on=["interaction_id", "scorecard", "criterion"],
                       suffixes=("_h", "_m"))
    key = both["scorecard"] + "." + both["criterion"]
    return pd.concat([
        pd.DataFrame({"unit": both["interaction_id"], "reviewer": who, "criterion": key,
                      "score": passed(pd.to_numeric(both[f"pct_{s}"], errors="coerce"))})
        for who, s in (("human", "h"), (MACHINE, "m"))], ignore_index=True)


def passed(pct: pd.Series) -> pd.Series:
    """1.0 for a pass (a criterion score above 50, the middle of the scale), else 0.0."""
    return (pct > PASS_ABOVE).astype(float).where(pct.notna())


def agreement_of(frame: pd.DataFrame, checks: Checks, *, resamples: int = 1000,
                 seed: int = 0, trusted: float = TRUSTED) -> pd.DataFrame:
    """:data:`AGREEMENT_COLUMNS` from ratings (:func:`ratings`), one row per criterion a
    check scores, in the checks' order (a criterion nobody scored twice has n_units 0)."""
    order = list(dict.fromkeys(c.criterion for c in checks.checks))
    fed = {k: ", ".join(c.id for c in checks.checks if c.criterion == k) for k in order}
    if frame.empty:
        rel = pd.DataFrame(columns=calibration.RELIABILITY_COLUMNS)
    else:
        rel = calibration.calibrate(frame, level="nominal", resamples=resamples,
                                    seed=seed).reliability
    rel = rel.set_index("criterion")
    wide = frame.pivot_table(index=["criterion", "unit"], columns="reviewer", values="score",
                             aggfunc="first") if not frame.empty else pd.DataFrame()
    rows = []
    for key in order:
        got: dict[Any, Any] = rel.loc[key].to_dict() if key in rel.index else {}
        a = float(got.get("alpha", np.nan))
        same = deviation = k = k_low = k_high = np.nan
        if not wide.empty and key in wide.index.get_level_values(0):
            w = wide.loc[key].dropna()
            same = float((w["human"] == w[MACHINE]).mean())
            deviation = float((w[MACHINE].mean() - w["human"].mean()) * 100)
            k = kappa.kappa(w[MACHINE], w["human"])
            k_low, k_high = kappa.bootstrap(w[MACHINE], w["human"], resamples,
                                            calibration.seed_of(seed, key))
        scorecard, criterion = key.split(".")
        rows.append((scorecard, criterion, fed[key], a,
                     float(got.get("ci_low", np.nan)), float(got.get("ci_high", np.nan)),
                     k, k_low, k_high, int(got.get("n_units", 0)), same, deviation,
                     calibration.label(a), bool(np.isfinite(a) and a >= trusted)))
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def agreement(wh: Warehouse, *, checks: Checks | None = None,
              scorecards: Scorecards | None = None, resamples: int = 1000, seed: int = 0,
              trusted: float = TRUSTED, vendor: str | None = None) -> pd.DataFrame:
    """The machine's agreement with the people per criterion (module docstring), on
    ``vendor``'s conversations only when given."""
    cards = scorecards or builtin_cards()
    checks = (checks or builtin_checks()).validate_against(cards)
    return agreement_of(ratings(wh, cards, vendor), checks, resamples=resamples, seed=seed,
                        trusted=trusted)


def pass_rates(wh: Warehouse, cards: Scorecards, vendor: str | None = None,
               confidence: float = 0.95) -> pd.DataFrame:
    """Per criterion (:data:`RATE_COLUMNS`): how many criterion scores the machine gave and
    the share that pass (:func:`passed`), with a Wilson interval; the same for every review
    by a person (as entered). On ``vendor``'s conversations only, when given. The machine
    scores every conversation with a transcript, the people a sample: the rates describe
    each, the agreement (:func:`agreement`) compares them on the same conversations."""
    ensure(wh)
    mine, vp = _of_vendor(vendor)
    parts = []
    for who, source in (("machine", REVIEWS.name), ("people", scoring.SOURCE)):
        sql, params = scoring.rated_sql(scoring.Filter(), cards, source)
        raw = wh.query_df(
            "SELECT x.scorecard, x.criterion, count(x.pct) AS n, "
            f"sum(CASE WHEN x.pct > {PASS_ABOVE} THEN 1 ELSE 0 END) AS passes "
            f"FROM ({sql}) x WHERE {mine} GROUP BY x.scorecard, x.criterion", params + vp)
        n = pd.to_numeric(raw["n"]).fillna(0).to_numpy(dtype=np.int64)
        passes = pd.to_numeric(raw["passes"]).fillna(0).to_numpy(dtype=np.int64)
        low, high = wilson_interval(passes, n, confidence)
        parts.append(pd.DataFrame({
            "scorecard": raw["scorecard"].astype(str), "criterion": raw["criterion"].astype(str),
            f"{who}_n": n, f"{who}_rate": np.where(n > 0, passes / np.maximum(n, 1), np.nan),
            f"{who}_low": low, f"{who}_high": high}))
    out = parts[0].merge(parts[1], on=["scorecard", "criterion"], how="outer")
    for who in ("machine", "people"):
        out[f"{who}_n"] = out[f"{who}_n"].fillna(0).astype(np.int64)
    return out.sort_values(["scorecard", "criterion"], ignore_index=True)[list(RATE_COLUMNS)]


def checked(wh: Warehouse, vendor: str | None = None) -> int:
    """How many conversations the last AutoQA run checked (of ``vendor``'s, when given)."""
    ensure(wh)
    mine, vp = _of_vendor(vendor)
    return int(wh.query(f"SELECT count(DISTINCT x.interaction_id) FROM {RESULTS.name} x "
                        f"WHERE {mine}", vp)[0][0])


def agent_failures(wh: Warehouse, agent_id: str, limit: int = 20,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For coaching: per check, the agent's conversations where it applied (n), those that
    failed and the fail rate; and the agent's latest failed checks (:data:`FAILED_COLUMNS`,
    newest conversation first, at most ``limit``) with the machine's evidence. The caller
    has checked that the viewer may see this agent."""
    ensure(wh)
    joined = (f"FROM {RESULTS.name} r JOIN interactions i ON i.interaction_id = "
              "r.interaction_id WHERE i.agent_id = ?")
    per = wh.query_df(
        "SELECT r.check_id AS check_id, count(*) AS n, "
        f"sum(CASE WHEN r.result = '{autoqa.FAIL}' THEN 1 ELSE 0 END) AS fails "
        f"{joined} AND r.result <> '{autoqa.NA}' GROUP BY r.check_id ORDER BY r.check_id",
        [agent_id])
    per["n"] = pd.to_numeric(per["n"]).astype(np.int64)
    per["fails"] = pd.to_numeric(per["fails"]).astype(np.int64)
    per["rate"] = per["fails"] / per["n"]
    latest = wh.query_df(
        "SELECT r.interaction_id, i.created_at, r.check_id, r.criterion, r.evidence "
        f"{joined} AND r.result = '{autoqa.FAIL}' "
        "ORDER BY i.created_at DESC, r.interaction_id, r.check_id LIMIT ?", [agent_id, limit])
    return per, latest.reindex(columns=list(FAILED_COLUMNS))


# -- who fails which check ------------------------------------------------------------------
def check_group(by: str) -> None:
    """Refuse a grouping column :func:`fail_rates` does not know."""
    if by not in GROUPS:
        raise ConfigError(f"cannot group AutoQA results by {by!r}.{did_you_mean(by, GROUPS)}",
                          f"group by one of: {', '.join(GROUPS)}")


def fail_rates(wh: Warehouse, by: str = "team", confidence: float = 0.95) -> pd.DataFrame:
    """Per group (a column of interactions: team, site, vendor or agent_id) and check: the
    conversations where it applied (n), how many failed, the fail rate with its Wilson
    interval, the rate of everyone else, and ``flag`` = ``above`` when the group's interval
    lies wholly above everyone else's rate and the rate is at least :data:`MIN_GAP` higher
    (the planted skipping team shows this way); the largest gaps first."""
    check_group(by)
    ensure(wh)
    raw = wh.query_df(
        f"SELECT i.{by} AS grp, r.check_id AS chk, count(*) AS n, "
        "sum(CASE WHEN r.result = 'fail' THEN 1 ELSE 0 END) AS fails "
        f"FROM {RESULTS.name} r JOIN interactions i ON i.interaction_id = r.interaction_id "
        f"WHERE r.result <> 'n/a' GROUP BY i.{by}, r.check_id")
    raw["n"] = pd.to_numeric(raw["n"]).astype(np.int64)
    raw["fails"] = pd.to_numeric(raw["fails"]).astype(np.int64)
    total = raw.groupby("chk")[["n", "fails"]].transform("sum")
    low, high = wilson_interval(raw["fails"].to_numpy(), raw["n"].to_numpy(), confidence)
    rest_n = (total["n"] - raw["n"]).to_numpy()
    rest = np.where(rest_n > 0, (total["fails"] - raw["fails"]).to_numpy() / np.maximum(
        rest_n, 1), np.nan)
    out = pd.DataFrame({
        by: raw["grp"], "check": raw["chk"], "n": raw["n"], "fails": raw["fails"],
        "rate": raw["fails"] / raw["n"], "ci_low": low, "ci_high": high, "others": rest,
        "flag": np.where((np.asarray(low) > rest) & (raw["fails"] / raw["n"] - rest >= MIN_GAP),
                         "above", ""),
    })
    out["gap"] = out["rate"] - out["others"]
    return out.sort_values(["gap", "check"], ascending=[False, True], ignore_index=True)


__all__ = [
    "AGREEMENT_COLUMNS",
    "FAILED_COLUMNS",
    "MACHINE",
    "RATE_COLUMNS",
    "RESULTS",
    "REVIEWS",
    "TABLES",
    "TRUSTED",
    "WITH_MACHINE",
    "Run",
    "agent_failures",
    "agreement",
    "agreement_of",
    "check_group",
    "checked",
    "ensure",
    "fail_rates",
    "pass_rates",
    "ratings",
    "results",
    "reviews_of",
    "run",
    "with_machine",
]
