"""The machine beside a calibration session's reviewers (issue 19): when AutoQA
(:mod:`cxlens.qa.machine`) has reviewed some of a session's interactions, how well it agrees
with the session's people.

**Against the people's consensus, not as one more reviewer.** The session's α and the
reviewers' deviations (:func:`cxlens.qa.sessions.result`) stay the people's: adding the
machine there would move the figure that tells whether the *people* agree. Instead, per
criterion a check scores, the machine is compared with the people's consensus on the same
interaction: the mean of the people's 0–100 criterion scores, a pass when above the middle
of the scale (:func:`cxlens.qa.machine.passed`, the rule /qa/machine applies to one person).
An interaction counts once two or more people scored it (a calibration unit); an N/A from
everyone or from the machine leaves it out.

The figures are :func:`cxlens.qa.machine.agreement_of`'s — Krippendorff's α and Cohen's κ on
pass/fail with bootstrap intervals, the share with the same verdict, how many points more
often the machine passes, and *not trusted* below :data:`cxlens.qa.machine.TRUSTED` — so the
session page flags a criterion exactly as /qa/machine does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxlens.qa import machine, scoring, sessions
from cxlens.qa.checks import Checks
from cxlens.qa.checks import builtin as builtin_checks
from cxlens.qa.scorecards import Scorecards
from cxlens.qa.scorecards import builtin as builtin_cards
from cxlens.store.base import Warehouse

#: The consensus's name in the ratings handed to :func:`cxlens.qa.machine.agreement_of`.
PEOPLE = "human"
#: An interaction needs this many people's scores to have a consensus.
MIN_PEOPLE = 2


@dataclass(frozen=True)
class Beside:
    """``scored``: the session's interactions the machine reviewed; ``agreement``: one row
    per criterion of the session's scorecard that a check scores
    (:data:`cxlens.qa.machine.AGREEMENT_COLUMNS`, in the checks' order)."""

    scored: frozenset[str]
    agreement: pd.DataFrame


def _pct(wh: Warehouse, session: sessions.Session, cards: Scorecards,
         source: str) -> pd.DataFrame:
    """interaction_id, criterion, reviewer, reviewed_at, review_id and pct (0–100, NaN for
    N/A) of the session's interactions scored with its scorecard in ``source``."""
    rows = scoring.Filter.of(scorecard=session.scorecard,
                             interaction_ids=session.interaction_ids)
    sql, params = scoring.rated_sql(rows, cards, source)
    got = wh.query_df(f"SELECT x.review_id, x.interaction_id, x.criterion, x.reviewer, "
                      f"x.reviewed_at, x.pct FROM ({sql}) x", params)
    got["pct"] = pd.to_numeric(got["pct"], errors="coerce")
    return got


def consensus(people: pd.DataFrame) -> pd.DataFrame:
    """unit, criterion, score (1.0 pass, 0.0 fail) of the people's mean criterion score per
    interaction, where :data:`MIN_PEOPLE` or more scored it (each person's latest review)."""
    latest = people.assign(reviewed_at=pd.to_datetime(people["reviewed_at"], utc=True))
    latest = latest.sort_values(["reviewed_at", "review_id"]).drop_duplicates(
        ["interaction_id", "criterion", "reviewer"], keep="last")
    latest = latest[latest["pct"].notna()]
    mean = latest.groupby(["interaction_id", "criterion"])["pct"].agg(["mean", "size"])
    mean = mean[mean["size"] >= MIN_PEOPLE].reset_index()
    return pd.DataFrame({"unit": mean["interaction_id"], "criterion": mean["criterion"],
                         "score": machine.passed(mean["mean"])})


def beside(wh: Warehouse, session_id: str, *, checks: Checks | None = None,
           scorecards: Scorecards | None = None, resamples: int = 1000,
           seed: int = 0) -> Beside | None:
    """The machine's agreement with the session's people per criterion (module docstring);
    None when the machine reviewed none of the session's interactions."""
    cards = scorecards or builtin_cards()
    checks = (checks or builtin_checks()).validate_against(cards)
    session = sessions.get(wh, session_id)
    machine.ensure(wh)
    by_machine = _pct(wh, session, cards, machine.REVIEWS.name)
    if by_machine.empty:
        return None
    people = consensus(_pct(wh, session, cards, sessions.source(wh, session_id)))
    mine = pd.DataFrame({"unit": by_machine["interaction_id"],
                         "criterion": by_machine["criterion"],
                         "score": machine.passed(by_machine["pct"])})
    both = people.merge(mine, on=["unit", "criterion"], suffixes=("_p", "_m")).dropna()
    key = session.scorecard + "." + both["criterion"]
    frame = pd.concat([
        pd.DataFrame({"unit": both["unit"], "reviewer": who, "criterion": key,
                      "score": both[f"score_{s}"]})
        for who, s in ((PEOPLE, "p"), (machine.MACHINE, "m"))], ignore_index=True)
    table = machine.agreement_of(frame, checks, resamples=resamples, seed=seed)
    table = table[table["scorecard"] == session.scorecard].reset_index(drop=True)
    return Beside(frozenset(by_machine["interaction_id"].astype(str)), table)


__all__ = ["MIN_PEOPLE", "PEOPLE", "Beside", "beside", "consensus"]
