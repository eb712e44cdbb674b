"""Churn risk for customer success: a logistic model of "will this customer churn in the next
H days" (:mod:`.model`), judged on customers it was not fitted on (:mod:`.evaluate`: AUC with
DeLong's interval, Brier score, calibration slope and intercept, a calibration table by decile),
and the warehouse's customers scored from their tenure, support history, last survey answers
and orders (:mod:`.warehouse`, with a time-based holdout).

For a plain table (one row per customer with an outcome column) :func:`holdout` fits on a
seeded, stratified share of the rows and evaluates on the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.insights.churn.evaluate import Evaluation, evaluate
from cxlens.insights.churn.model import Model, complete, fit

__all__ = ["Evaluation", "Holdout", "Model", "evaluate", "fit", "holdout", "stratified_split"]


def stratified_split(y: pd.Series, test_share: float = 0.3, seed: int = 7) -> pd.Series:
    """True for the test rows: ``test_share`` of each outcome class, drawn with ``seed``."""
    if not 0 < test_share < 1:
        raise ConfigError(f"test share {test_share} is not between 0 and 1", "e.g. 0.3")
    rng = np.random.default_rng(seed)
    test = pd.Series(False, index=y.index)
    for _, rows in y.groupby(y):
        take = rng.permutation(len(rows))[:round(len(rows) * test_share)]
        test.loc[rows.index[take]] = True
    return test


@dataclass(frozen=True)
class Holdout:
    model: Model
    evaluation: Evaluation
    train_n: int
    test_n: int
    notes: list[str]


def holdout(frame: pd.DataFrame, target: str, numeric: list[str], categorical: list[str],
            test_share: float = 0.3, seed: int = 7) -> Holdout:
    """Fit on a stratified ``1 − test_share`` of the rows, evaluate on the rest. Rows with a
    blank numeric feature are left out of both, and counted in the notes."""
    keep, notes = complete(frame, numeric)
    rows = frame[keep]
    test = stratified_split(pd.to_numeric(rows[target]), test_share, seed)
    model = fit(rows[~test], target, numeric, categorical)
    risk = model.predict(rows[test])
    evaluation = evaluate(pd.to_numeric(rows.loc[test, target]).to_numpy(dtype=float), risk)
    return Holdout(model, evaluation, int((~test).sum()), int(test.sum()),
                   notes + [n for n in model.notes if n not in notes])
