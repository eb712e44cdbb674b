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


def _level(column: pd.Series) -> pd.Categorical[str]:
    """The column as categories (a code per row, not a string: 10 M rows), missing values as
    ``UNKNOWN`` and levels with fewer than ``MIN_LEVEL`` rows pooled into ``OTHER``."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    names = [str(u) if k >= MIN_LEVEL else OTHER for u, k in zip(uniques, counts, strict=True)]
    if (codes < 0).any():
        names.append(UNKNOWN)
        codes = np.where(codes < 0, len(names) - 1, codes)
    labels = sorted(set(names))
    recode = np.array([labels.index(n) for n in names], dtype=np.int32)
    mapped = recode[codes].astype(np.int64) if len(codes) else codes.astype(np.int64)
    return pd.Categorical.from_codes(mapped, pd.Index(labels))


def levels(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Each row's level of every feature the model uses (rare levels pooled, missing as a
    level, complexity as its quintile), and their names."""
    used: list[str] = []
    parts: dict[str, pd.Categorical[str]] = {}
    for name in FEATURES:
        level = _level(rows[name])
        if len(level.categories) > 1:
            parts[name] = level
            used.append(name)
    cx = pd.to_numeric(rows[COMPLEXITY], errors="coerce")
    if len(cx) and cx.notna().mean() >= COMPLEXITY_SHARE and cx.nunique() >= COMPLEXITY_BINS:
        bins = pd.qcut(cx.rank(method="first"), COMPLEXITY_BINS, labels=False)
        parts[COMPLEXITY] = _level(bins.astype("Int64"))
        used.append(COMPLEXITY)
    return pd.DataFrame(parts, index=rows.index), used


def cells(parts: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """The distinct combinations of levels (the cells) and each row's cell: every row of a
    cell has the same features, so the model sees the cells, not the rows."""
    if parts.shape[1] == 0:
        return np.zeros(len(parts), dtype=np.intp), parts.iloc[:1].reset_index(drop=True)
    key = np.zeros(len(parts), dtype=np.int64)
    for name in parts.columns:  # mixed-radix: one integer per combination
        column = parts[name].cat
        key = key * len(column.categories) + column.codes.to_numpy(dtype=np.int64)
    _, first, cell = np.unique(key, return_index=True, return_inverse=True)
    return cell.reshape(-1), parts.iloc[first].reset_index(drop=True)


def design(parts: pd.DataFrame) -> pd.DataFrame:
    """Dummy-coded features (first level of each dropped) with an intercept column."""
    x = pd.get_dummies(parts, drop_first=True, dtype=float) if parts.shape[1] else \
        pd.DataFrame(index=parts.index)
    x.insert(0, "const", 1.0)
    return x


def _family(y: np.ndarray) -> tuple[str, sm.families.Family]:
    if np.isin(y, (0.0, 1.0)).all():
        return "logit", sm.families.Binomial()
    if (y >= 0).all() and y.sum() > 0:
        return "log", sm.families.Poisson()
    return "identity", sm.families.Gaussian()


def fit(rows: pd.DataFrame) -> Fit:
    """Fit the outcome ``y`` of ``rows`` on their features; expected value per row.

    Fitted on the cells, each with its mean outcome and its row count as frequency weight:
    the GLM's estimating equations Σᵢ xᵢ(yᵢ − μᵢ) = 0 sum the rows of a cell into
    n꜀·x꜀(ȳ꜀ − μ꜀), so the fit is the rows' own, while the design matrix has one row per
    cell instead of per contact (10 M contacts made dense matrices of tens of GB; tens of
    thousands of cells make a few MB)."""
    y = rows["y"].to_numpy(dtype=float)
    parts, used = levels(rows)
    family, fam = _family(y)
    if len(y) == 0:
        return Fit(np.zeros(0), family, used)
    cell, combos = cells(parts)
    n = np.bincount(cell).astype(float)
    mean = np.bincount(cell, weights=y) / n
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sm.GLM(mean, design(combos).to_numpy(), family=fam, freq_weights=n).fit()
    for w in caught:
        text = str(w.message).split("\n")[0]
        if text not in notes:
            notes.append(f"case-mix model: {text}")
    expected = np.asarray(result.fittedvalues, dtype=float)[cell]
    return Fit(expected, family, used, notes)
