"""Churn risk of the warehouse's customers, with a time-based holdout.

A customer is *at risk on day c* when they were acquired before c and had not churned by c
(``customers.acquired_at`` / ``churned_at``). Their features on c look back only:

* ``tenure_years`` since acquisition and ``segment``;
* support in the ``window`` days before c: ``contacts`` (log 1+n), ``reopens`` (Σ reopen_count)
  and ``unresolved_escalations`` (escalated and not resolved);
* the last NPS (0–10) and CSAT (1–5) answer before c, rescaled from the answer's own scale,
  with ``no_nps`` / ``no_csat`` flags for customers who never answered (value 0 then: with the
  flag in the model the filler does not matter);
* completed ``orders`` in the window (log 1+n) and ``never_ordered`` before c.

The outcome is churning in [c, c + horizon). With ``as_of`` the last day of data and
end = as_of + 1 day: the model is fitted on features at c₁ = end − 2·horizon with outcomes in
[c₁, c₂), evaluated on c₂ = end − horizon with outcomes in [c₂, end) (the same customers may
appear in both, later in time: an out-of-time holdout), then refitted on c₂ and used to score
every customer at risk on ``end``: P(churn in the next ``horizon`` days), with a delta-method
interval — unless the holdout's AUC interval contains 0.5: a model that ranks no better than
chance lists nobody (``ChurnRisk.verdict`` says so).

Customers that are one snapshot (everybody's churn on one day, or no ``acquired_at``) have no
history to hold out in time: the refusal points to :mod:`.snapshot`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlens.dates import utc
from cxlens.errors import ConfigError
from cxlens.insights import InsufficientData
from cxlens.insights.churn.evaluate import Evaluation, evaluate
from cxlens.insights.churn.features import ATTRIBUTES as ATTRIBUTES
from cxlens.insights.churn.features import features as features
from cxlens.insights.churn.features import features_at
from cxlens.insights.churn.model import Model, fit
from cxlens.store.base import Warehouse

NUMERIC = ["tenure_years", "contacts", "reopens", "unresolved_escalations", "last_nps",
           "no_nps", "last_csat", "no_csat", "orders", "never_ordered"]
CATEGORICAL = ["segment"]
MIN_EVENTS = 5


def labelled(wh: Warehouse, cutoff: dt.date, horizon_days: int,
             window_days: int = 90, attributes: tuple[str, ...] = ATTRIBUTES) -> pd.DataFrame:
    """``features`` at ``cutoff`` with ``churned``: 1 when churned in [cutoff, + horizon)."""
    return outcome(features(wh, cutoff, window_days, attributes=attributes), cutoff,
                   horizon_days)


def outcome(rows: pd.DataFrame, cutoff: dt.date, horizon_days: int) -> pd.DataFrame:
    """``rows`` (features at ``cutoff``) with ``churned``: 1 when churned in
    [cutoff, + horizon)."""
    until = pd.Timestamp(utc(cutoff + dt.timedelta(days=horizon_days)))
    rows["churned"] = (rows["churned_at"].notna() & (rows["churned_at"] < until)).astype(int)
    return rows


def last_day(wh: Warehouse) -> dt.date:
    """The last day with data: the latest contact, answer, order or churn."""
    latest = []
    for table, column in (("interactions", "created_at"), ("survey_responses", "responded_at"),
                          ("orders", "ordered_at"), ("customers", "churned_at"),
                          ("customers", "acquired_at")):
        value = wh.scalar(f"SELECT max({column}) FROM {table}")
        if value is not None:
            latest.append(pd.Timestamp(value).tz_convert("UTC") if pd.Timestamp(value).tzinfo
                          else pd.Timestamp(value))
    if not latest:
        raise InsufficientData("the warehouse has no customers or activity to score",
                               "import customers (with acquired_at and churned_at) first, or "
                               "build the demo (cxlens demo)")
    return max(latest).date()


@dataclass(frozen=True)
class Window:
    cutoff: dt.date
    customers: int
    churned: int


@dataclass(frozen=True)
class ChurnRisk:
    as_of: dt.date
    horizon_days: int
    window_days: int
    train: Window
    test: Window
    evaluation: Evaluation
    model: Model  # refitted on the test window (a snapshot: on every customer), for ``scores``
    #: customer_id, risk, ci_low, ci_high, n, features; riskiest first (only the riskiest
    #: ``top`` when asked so). Empty when the model ranks no better than chance on the holdout
    #: (``verdict`` says so).
    scores: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: customers who could be scored (at risk on the day after ``as_of``)
    at_risk: int = 0
    #: "this model ranks customers no better than chance …" or None
    verdict: str | None = None
    #: how the holdout was drawn, in words
    holdout: str = ""
    mode: str = "time"  # time | snapshot


def scored(model: Model, evaluation: Evaluation, rows: pd.DataFrame, top: int | None = None
           ) -> tuple[pd.DataFrame, str | None]:
    """``rows`` scored by ``model``, riskiest first, with a delta-method interval — or no rows
    and the verdict when the holdout says the model ranks no better than chance. With
    ``top``: only the ``top`` riskiest (the first rows of the whole list, ties included as
    there), every customer's risk computed to rank them but intervals and attributes taken
    for those only (2.6 M customers with six text attributes at 10 M)."""
    verdict = evaluation.chance_verdict()
    # a model no better than chance lists nobody: nobody is ranked (2.6 M risks sorted for
    # nothing at 10 M)
    risk = np.zeros(0) if verdict else model.predict(rows)
    order = (np.zeros(0, dtype=np.intp) if verdict
             else riskiest_first(risk, rows["customer_id"], top))
    # one take of the rows in risk order (not a copy to drop columns, one to reorder and one
    # to renumber)
    keep = [i for i, c in enumerate(rows.columns) if c not in ("churned_at", "churned")]
    out = rows.iloc[order, keep]
    out.index = pd.RangeIndex(len(out))
    _, low, high = model.predict_interval(rows.iloc[order])
    for name, values in (("risk", risk[order]), ("ci_low", low), ("ci_high", high)):
        out[name] = values
    out["n"] = model.n
    return out, verdict


def riskiest_first(risk: np.ndarray, ids: pd.Series, top: int | None = None) -> np.ndarray:
    """Row order: highest risk first (missing last), ties by customer id. The same order as
    pandas' ``sort_values(["risk", "customer_id"], ascending=[False, True])``, without it
    factorising every id: over a million customers that held the interpreter lock for 2 s,
    and the server answered nothing meanwhile. Only ids that tie are compared. With ``top``,
    the first ``top`` of that order: only the rows at or above the ``top``-th highest risk
    are sorted (they hold the first ``top`` of the whole order, ties at the edge included)."""
    finite = np.flatnonzero(~np.isnan(risk))
    if top is not None and top <= 0:
        return np.zeros(0, dtype=np.intp)
    if top is not None and top < len(finite):
        edge = np.partition(risk[finite], len(finite) - top)[len(finite) - top]
        rows = finite[risk[finite] >= edge]
        first = riskiest_first(risk[rows], pd.Series(ids.to_numpy(object)[rows]))
        return np.asarray(rows[first][:top])
    order = np.argsort(-risk, kind="stable")
    ranked = -risk[order]
    same = (ranked[1:] == ranked[:-1]) | (np.isnan(ranked[1:]) & np.isnan(ranked[:-1]))
    if same.any():
        values = ids.to_numpy(object)
        edges = np.diff(np.concatenate(([0], same.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        for a, b in zip(starts, ends + 1, strict=True):  # each run of equal risks, ids ascending
            run = order[a:b]
            order[a:b] = run[sorted(range(len(run)), key=lambda k: str(values[run[k]]))]
    return order if top is None else order[:top]


def single_snapshot(wh: Warehouse) -> str | None:
    """Why the customers look like one snapshot (no history to hold out in time), or None."""
    dated, churned, days = wh.query(
        "SELECT count(acquired_at), count(churned_at), "
        "count(DISTINCT CAST(churned_at AS DATE)) FROM customers")[0]
    if not dated:
        return "no customer has acquired_at, so nobody can be placed at risk on a past day"
    if churned > 1 and days == 1:
        return (f"all {churned:,} churned customers churned on the same day: the customers "
                "are one snapshot, with no history before it")
    return None


def churn_risk(wh: Warehouse, as_of: dt.date | None = None, horizon_days: int = 90,
               window_days: int = 90, top: int | None = None) -> ChurnRisk:
    """Fit, evaluate out of time and score (see the module docstring); with ``top``, only the
    ``top`` riskiest customers are in ``scores`` (``at_risk`` counts every one scored)."""
    if horizon_days < 1 or window_days < 1:
        raise ConfigError("--horizon-days and --window-days must be at least 1",
                          "e.g. --horizon-days 90 --window-days 90")
    if not wh.count("customers"):
        raise InsufficientData("the warehouse has no customers",
                               "import customers (with acquired_at and churned_at) first, or "
                               "build the demo (cxlens demo)")
    snapshot = single_snapshot(wh)
    if snapshot:
        raise InsufficientData(
            f"a time-based holdout needs customers' history, but {snapshot}",
            "score the snapshot with a stratified random holdout instead: cxlens churn-risk "
            "--snapshot (or import acquired_at and the real churn dates)")
    day = as_of or last_day(wh)
    end = day + dt.timedelta(days=1)
    c2 = end - dt.timedelta(days=horizon_days)
    c1 = c2 - dt.timedelta(days=horizon_days)
    # one read for the three days; the windows that are only fitted and evaluated keep only
    # the attributes the model uses (converting five unused text columns of a million
    # customers cost seconds at 10 M); the scored customers keep every attribute, shown
    # beside their risk
    read = features_at(wh, [c1, c2, end], window_days, lean=(c1, c2))
    train = outcome(read[c1], c1, horizon_days)
    test = outcome(read[c2], c2, horizon_days)
    for name, rows, cutoff in (("training", train, c1), ("holdout", test, c2)):
        enough(rows["churned"], f"the {name} window (customers at risk on {cutoff}, churn in "
               f"the next {horizon_days} days)",
               "check that customers carry churned_at, or use a later --as-of or a longer "
               "--horizon-days")
    notes: list[str] = []
    missing = int(wh.scalar("SELECT count(*) FROM customers WHERE acquired_at IS NULL"))
    if missing:
        notes.append(f"{missing} customers without acquired_at are left out (tenure unknown)")
    model = fit(train, "churned", NUMERIC, CATEGORICAL)
    evaluation = evaluate(test["churned"].to_numpy(dtype=float), model.predict(test))
    final = fit(test, "churned", NUMERIC, CATEGORICAL)
    notes += [f"evaluated model: {n}" for n in model.notes]
    notes += [f"scoring model: {n}" for n in final.notes]
    now = read[end]
    scores, verdict = scored(final, evaluation, now, top)
    return ChurnRisk(day, horizon_days, window_days,
                     Window(c1, len(train), int(train["churned"].sum())),
                     Window(c2, len(test), int(test["churned"].sum())),
                     evaluation, final, scores, notes, at_risk=len(now), verdict=verdict,
                     holdout=f"out of time: trained on the customers at risk on {c1}, "
                             f"evaluated on those at risk on {c2}")


def enough(churned: pd.Series, what: str, hint: str) -> None:
    """Refuse rows with fewer than MIN_EVENTS churned or staying customers."""
    events = int(churned.sum())
    if events < MIN_EVENTS or len(churned) - events < MIN_EVENTS:
        raise InsufficientData(
            f"{what} has {events} churned of {len(churned)}: at least {MIN_EVENTS} churned "
            f"and {MIN_EVENTS} staying are needed", hint)
