"""Churn risk from one snapshot of the customers (cross-sectional): a file such as IBM's Telco
sample has one row per customer with a churned flag and features, but no history, so the
time-based holdout of :mod:`.warehouse` cannot run.

Every customer acquired before the day after ``as_of`` (or with no ``acquired_at``) is a row;
``churned`` is 1 when ``churned_at`` is set and before that day. Features are those of
:mod:`.warehouse` on that day (support, answers and orders in the ``window`` days before it;
tenure when ``acquired_at`` is known) and every customer attribute (segment, region, country,
age group, gender, acquisition source) with at least two levels. A feature with the same value
for every customer is left out and named.

The model is fitted on a stratified random ``1 − test_share`` of the customers (seeded) and
evaluated on the rest (AUC with DeLong's interval, Brier, calibration), then refitted on every
customer and used to score those who have not churned — unless the holdout's AUC interval
contains 0.5, when nobody is listed.

The features describe customers *at the snapshot*, after the churners left: they are
associations with churn, not a forecast from the past (the time-based mode is that).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.insights.churn import stratified_split
from cxlens.insights.churn.evaluate import evaluate
from cxlens.insights.churn.model import complete, fit
from cxlens.insights.churn.warehouse import (
    ATTRIBUTES,
    NUMERIC,
    ChurnRisk,
    Window,
    enough,
    features,
    last_day,
    scored,
)
from cxlens.store.base import Warehouse

#: ``holdout`` of :class:`ChurnRisk` names the split; these are its defaults.
TEST_SHARE = 0.3
SEED = 7


def snapshot_rows(wh: Warehouse, as_of: dt.date, window_days: int = 90) -> pd.DataFrame:
    """One row per customer of the snapshot on ``as_of`` with the features and ``churned``."""
    end = pd.Timestamp(as_of + dt.timedelta(days=1), tz="UTC")
    rows = features(wh, as_of + dt.timedelta(days=1), window_days, snapshot=True)
    rows["churned"] = (rows["churned_at"].notna() & (rows["churned_at"] < end)).astype(int)
    return rows


def usable(rows: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """(numeric, categorical, notes): the features that vary among the customers."""
    numeric: list[str] = []
    categorical: list[str] = []
    constant: list[str] = []
    notes: list[str] = []
    if rows["tenure_years"].isna().all():
        notes.append("tenure_years left out: no customer has acquired_at")
    for name in NUMERIC:
        values = pd.to_numeric(rows[name], errors="coerce").dropna()
        if name == "tenure_years" and values.empty:
            continue
        (numeric if values.nunique() > 1 else constant).append(name)
    for name in ATTRIBUTES:
        (categorical if rows[name].nunique() > 1 else constant).append(name)
    if constant:
        notes.append("left out, the same for every customer: " + ", ".join(constant))
    return numeric, categorical, notes


def churn_risk_snapshot(wh: Warehouse, as_of: dt.date | None = None, window_days: int = 90,
                        test_share: float = TEST_SHARE, seed: int = SEED) -> ChurnRisk:
    """Fit on a stratified random share of the snapshot, evaluate on the rest, score the
    customers who have not churned (see the module docstring)."""
    day = as_of or last_day(wh)
    rows = snapshot_rows(wh, day, window_days)
    enough(rows["churned"], f"the snapshot on {day}", "check that churned customers carry "
           "churned_at (cxlens import customers … with churned_at mapped)")
    numeric, categorical, notes = usable(rows)
    keep, blanks = complete(rows, numeric)
    rows = rows[keep]
    notes += blanks
    test = stratified_split(rows["churned"], test_share, seed)
    train = rows[~test]
    model = fit(train, "churned", numeric, categorical)
    held = rows[test]
    evaluation = evaluate(held["churned"].to_numpy(dtype=float), model.predict(held))
    final = fit(rows, "churned", numeric, categorical)
    notes += [f"evaluated model: {n}" for n in model.notes]
    notes += [f"scoring model: {n}" for n in final.notes]
    stayed = rows[rows["churned"] == 0]
    scores, verdict = scored(final, evaluation, stayed)
    cutoff = day + dt.timedelta(days=1)
    return ChurnRisk(
        day, 0, window_days, Window(cutoff, len(train), int(train["churned"].sum())),
        Window(cutoff, len(held), int(held["churned"].sum())), evaluation, final, scores, notes,
        at_risk=len(stayed), verdict=verdict, mode="snapshot",
        holdout=f"a stratified random {test_share:.0%} of the {len(rows):,} customers of the "
                f"snapshot on {day} (seed {seed}), the model fitted on the rest")
