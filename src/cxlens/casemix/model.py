"""The case-mix model: what each contact's outcome would be expected to be, from the features
of the contact that the agent does not control, fitted on every contact in scope.

* Features are categorical (ticket type, channel, priority, product, language, the customer's
  segment; the contact's complexity score in quintiles when nine in ten contacts carry one).
  Missing values are a level of their own; levels with fewer than ``MIN_LEVEL`` rows are pooled
  into ``(other)`` so no coefficient rests on a handful of contacts.
* A yes/no outcome (a share metric: CSAT top-2-box, FCR) is fitted by logistic regression, a
  non-negative amount (AHT, a mean score) by a log-link Poisson quasi-likelihood GLM, anything
  else by least squares. All three are canonical-link GLMs with an intercept, so over all rows
  Σ expected = Σ observed: the whole population's O/E is exactly 1, and an agent's O/E says how
  they do against the average agent given *their* contacts (indirect standardisation).
* Fitted with statsmodels' IRLS; a fit that does not converge is reported, not hidden.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cxlens.casemix.rows import COMPLEXITY, FEATURES

MIN_LEVEL = 30
OTHER, UNKNOWN = "(other)", "(unknown)"
COMPLEXITY_SHARE = 0.9
COMPLEXITY_BINS = 5


@dataclass(frozen=True)
class Fit:
    """Expected outcome per row, and what the model used."""

    expected: np.ndarray
    family: str  # logit, log or identity
    features: list[str]
    notes: list[str] = field(default_factory=list)


def _level(column: pd.Series) -> pd.Series:
    text = column.astype("string").fillna(UNKNOWN)
    counts = text.value_counts()
    rare = counts[counts < MIN_LEVEL].index
    return text.where(~text.isin(rare), OTHER)


def design(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Dummy-coded features (first level of each dropped) with an intercept column."""
    used: list[str] = []
    parts: dict[str, pd.Series] = {}
    for name in FEATURES:
        levels = _level(rows[name])
        if levels.nunique() > 1:
            parts[name] = levels
            used.append(name)
    cx = pd.to_numeric(rows[COMPLEXITY], errors="coerce")
    if len(cx) and cx.notna().mean() >= COMPLEXITY_SHARE and cx.nunique() >= COMPLEXITY_BINS:
        bins = pd.qcut(cx.rank(method="first"), COMPLEXITY_BINS, labels=False)
        parts[COMPLEXITY] = bins.astype("string").fillna(UNKNOWN)
        used.append(COMPLEXITY)
    frame = pd.DataFrame(parts, index=rows.index)
    x = pd.get_dummies(frame, drop_first=True, dtype=float) if parts else \
        pd.DataFrame(index=rows.index)
    x.insert(0, "const", 1.0)
    return x, used


def _family(y: np.ndarray) -> tuple[str, sm.families.Family]:
    if np.isin(y, (0.0, 1.0)).all():
        return "logit", sm.families.Binomial()
    if (y >= 0).all() and y.sum() > 0:
        return "log", sm.families.Poisson()
    return "identity", sm.families.Gaussian()


def fit(rows: pd.DataFrame) -> Fit:
    """Fit the outcome ``y`` of ``rows`` on their features; expected value per row."""
    y = rows["y"].to_numpy(dtype=float)
    x, used = design(rows)
    family, fam = _family(y)
    if len(y) == 0:
        return Fit(np.zeros(0), family, used)
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sm.GLM(y, x.to_numpy(), family=fam).fit()
    for w in caught:
        text = str(w.message).split("\n")[0]
        if text not in notes:
            notes.append(f"case-mix model: {text}")
    expected = np.asarray(result.fittedvalues, dtype=float)
    return Fit(expected, family, used, notes)
