"""The churn model: logistic regression (statsmodels) of "churned within the horizon" on
numeric and categorical features, with the design learnt on the training rows only.

* Categorical features are dummy-coded against their most frequent level; levels with fewer
  than ``MIN_LEVEL`` training rows are pooled into ``(other)``, and levels never seen in
  training score as the reference.
* Numeric features are standardised with the training mean and SD (coefficients are reported
  per SD and per unit).
* Exactly collinear columns (IBM Telco's "No internet service" in six columns at once) are
  dropped, found by a pivoted QR decomposition, and named in the notes.
* Rows with a missing feature are left out of fitting and scoring, counted per column in the
  notes — never filled in silently.
* A fit that does not converge (complete separation, a singular information matrix) is
  refitted with a small ridge penalty, and the notes say so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from cxlens.errors import ConfigError
from cxlens.insights import InsufficientData
from cxlens.stats.logit import logit as newton_logit

Arr = npt.NDArray[np.float64]
MIN_LEVEL = 10
OTHER = "(other)"
RIDGE = 1e-4
Z = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Design:
    numeric: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]  # kept levels per categorical; first = reference
    means: dict[str, float]
    sds: dict[str, float]
    columns: tuple[str, ...]  # design columns kept (after collinearity), "const" first

    def parts(self, frame: pd.DataFrame) -> dict[str, Arr]:
        """Every design column's values (before the collinearity check), by name."""
        parts: dict[str, Arr] = {"const": np.ones(len(frame))}
        for name in self.numeric:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
            parts[name] = (values - self.means[name]) / self.sds[name]
        for name, levels in self.levels.items():
            # each row's level as a number once, then a comparison of numbers per dummy (a
            # comparison of 2.6 M strings per level cost 0.1–0.2 s at 10 M)
            codes, found = pd.factorize(frame[name].astype("string").fillna("(missing)"))
            number = {str(v): i for i, v in enumerate(found)}
            for level in levels[1:]:
                parts[f"{name}={level}"] = np.asarray(codes == number.get(level, -2),
                                                      dtype=np.float64)
        return parts

    def full(self, frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(self.parts(frame), index=frame.index)

    def matrix(self, frame: pd.DataFrame) -> Arr:
        """The kept columns as an n × k array, stacked straight from their values (through a
        data frame this took 1–2 s a call at 2.6 M rows)."""
        parts = self.parts(frame)
        return columns_matrix([parts[c] for c in self.columns])


def complete(frame: pd.DataFrame, numeric: list[str]) -> tuple[pd.Series, list[str]]:
    """Rows whose numeric features are all present, and a note per column that had blanks."""
    keep = pd.Series(True, index=frame.index)
    notes = []
    for name in numeric:
        blank = pd.to_numeric(frame[name], errors="coerce").isna()
        if blank.any():
            notes.append(f"{int(blank.sum())} rows left out: {name} is blank or not a number")
            keep &= ~blank
    return keep, notes


#: Below this ratio of the smallest to the largest eigenvalue of the columns' correlation-like
#: Gram matrix, :func:`independent` checks column by column (see there).
CLEARLY_INDEPENDENT = 1e-10


def independent(x: Arr, tol: float = 1e-8) -> list[int]:
    """Columns kept, in order, each one only if it is not a linear combination of those kept
    before it (Gram-Schmidt residual larger than ``tol`` times its norm), so the first of a
    set of equal columns stays.

    Most designs have no such column, and that is proven first from the k × k Gram matrix of
    the columns scaled to unit norm: a column's residual against all the others is at least
    the design's smallest singular value, the square root of that matrix's smallest
    eigenvalue λ. When λ exceeds ``CLEARLY_INDEPENDENT`` times the largest (computed to about
    10⁻¹⁶ of it, so λ is known to a millionth), every residual is at least 10⁻⁵ of its
    column's norm, far above ``tol``, and every column is kept: what the Gram-Schmidt loop
    below finds, which over 2.6 M rows took 1–2 s a fit."""
    norms = np.sqrt(np.einsum("ij,ij->j", x, x)) if x.size else np.zeros(x.shape[1])
    if x.shape[1] and np.all(norms > 0):
        gram = x.T @ x / np.outer(norms, norms)
        values = np.linalg.eigvalsh(gram)
        if values[0] > CLEARLY_INDEPENDENT * values[-1]:
            return list(range(x.shape[1]))
    basis: list[Arr] = []
    keep = []
    scratch = np.empty(x.shape[0])
    for j in range(x.shape[1]):
        col = np.array(x[:, j])
        norm = float(np.linalg.norm(col))
        for _ in range(2):  # twice for numerical stability; einsum: no threaded BLAS stall
            for q in basis:
                col -= np.multiply(q, float(np.einsum("i,i->", q, col)), out=scratch)
        rest = float(np.linalg.norm(col))
        if norm > 0 and rest > tol * norm:
            basis.append(col / rest)
            keep.append(j)
    return keep


def learn(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> tuple[Design,
                                                                                   list[str]]:
    design, notes, _ = _learn(frame, numeric, categorical)
    return design, notes


def _learn(frame: pd.DataFrame, numeric: list[str], categorical: list[str]
           ) -> tuple[Design, list[str], Arr]:
    """:func:`learn`, and the design's matrix of ``frame`` (what ``design.matrix(frame)``
    gives, without computing the columns a second time)."""
    notes: list[str] = []
    means, sds = {}, {}
    for name in numeric:
        values = pd.to_numeric(frame[name], errors="coerce")
        means[name] = float(values.mean())
        sd = float(values.std(ddof=0))
        sds[name] = sd if sd > 0 else 1.0
    levels: dict[str, tuple[str, ...]] = {}
    for name in categorical:
        text = frame[name].astype("string").fillna("(missing)")
        counts = text.value_counts()
        kept = [str(v) for v in counts.index if counts[v] >= MIN_LEVEL]
        rare = counts[counts < MIN_LEVEL]
        if len(rare):
            notes.append(f"{name}: {len(rare)} levels with fewer than {MIN_LEVEL} training rows "
                         "score as the reference level")
        if len(kept) > 1:
            levels[name] = tuple(kept)
    draft = Design(tuple(numeric), levels, means, sds, ())
    parts = draft.parts(frame)
    names = list(parts)
    keep = independent(columns_matrix(list(parts.values())))
    dropped = [c for i, c in enumerate(names) if i not in keep]
    if dropped:
        notes.append("left out as exact linear combinations of other columns: "
                     + ", ".join(dropped))
    columns = tuple(names[i] for i in keep)
    return (Design(tuple(numeric), levels, means, sds, columns), notes,
            columns_matrix([parts[c] for c in columns]))


def columns_matrix(columns: list[Arr]) -> Arr:
    """An n × k array of the columns, stored column by column (Fortran order), as a data
    frame's ``to_numpy`` gave it before: the Gram-Schmidt check reads whole columns, and
    statsmodels' products (``X.T`` is then C-ordered) run faster and round as they did."""
    out = np.empty((len(columns[0]) if columns else 0, len(columns)), order="F")
    for i, values in enumerate(columns):
        out[:, i] = values
    return out


@dataclass(frozen=True)
class Model:
    design: Design
    params: Arr
    cov: Arr
    n: int
    events: int
    penalised: bool
    notes: list[str] = field(default_factory=list)

    def linear(self, frame: pd.DataFrame) -> tuple[Arr, Arr]:
        """The linear predictor and its standard error, xᵀ Σ x per row (the product with Σ
        first, then a row-wise sum: the three-operand einsum looped over n·k² in C, 2 s at
        2.6 M rows)."""
        x = self.design.matrix(frame)
        eta = x @ self.params
        se = np.sqrt(np.maximum(np.einsum("ij,ij->i", x @ self.cov, x), 0.0))
        return np.asarray(eta), np.asarray(se)

    def predict(self, frame: pd.DataFrame) -> Arr:
        return np.asarray(_expit(self.design.matrix(frame) @ self.params))

    def predict_interval(self, frame: pd.DataFrame) -> tuple[Arr, Arr, Arr]:
        """Risk with a 95 % interval (delta method on the linear predictor)."""
        eta, se = self.linear(frame)
        return _expit(eta), _expit(eta - Z * se), _expit(eta + Z * se)

    def coefficients(self) -> pd.DataFrame:
        """Odds ratio per feature with its 95 % interval: per training SD for numeric features
        (and per unit in ``per_unit``), against the reference level for categorical ones."""
        se = np.sqrt(np.maximum(np.diag(self.cov), 0.0))
        rows = []
        for i, name in enumerate(self.design.columns):
            if name == "const":
                continue
            b, s = float(self.params[i]), float(se[i])
            sd = self.design.sds.get(name, 1.0)
            rows.append({"feature": name, "coefficient": b, "odds_ratio": np.exp(b),
                         "ci_low": np.exp(b - Z * s), "ci_high": np.exp(b + Z * s),
                         "p_value": float(2 * stats.norm.sf(abs(b / s))) if s > 0 else np.nan,
                         "per_unit": np.exp(b / sd) if name in self.design.sds else np.nan,
                         "n": self.n})
        return pd.DataFrame(rows)


def _expit(v: Arr) -> Arr:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(v, -40, 40))))


def fit(frame: pd.DataFrame, target: str, numeric: list[str],
        categorical: list[str]) -> Model:
    """Logistic regression of the 0/1 column ``target`` on the features."""
    missing = [c for c in [target, *numeric, *categorical] if c not in frame]
    if missing:
        raise ConfigError(f"no column {', '.join(missing)} in the churn data",
                          f"columns: {', '.join(map(str, frame.columns))}")
    keep, notes = complete(frame, numeric)
    rows = frame if bool(keep.all()) else frame[keep]  # no copy of 2.6 M rows for nothing
    y = pd.to_numeric(rows[target]).to_numpy(dtype=float)
    events = int(y.sum())
    if events < 5 or len(y) - events < 5:
        raise InsufficientData(f"{events} churned and {len(y) - events} stayed among "
                               f"{len(y)} training customers: too few to fit a churn model",
                               "use a longer history or a longer --horizon-days")
    design, design_notes, x = _learn(rows, numeric, categorical)
    design_notes += separation(design.columns, x, y)
    params, cov, penalised, fit_notes = _logit(y, x)
    return Model(design, params, cov, len(y), events, penalised,
                 notes + design_notes + fit_notes)


def separation(columns: tuple[str, ...], x: Arr, y: Arr) -> list[str]:
    """Columns whose rows above their minimum (or below their maximum) are all churners or
    all stayers: their coefficient runs off to infinity (quasi-complete separation)."""
    notes = []
    for i, col in enumerate(columns):
        if col == "const":
            continue
        for rows, where in ((x[:, i] > x[:, i].min(), "above its lowest value"),
                            (x[:, i] < x[:, i].max(), "below its highest value")):
            k, m = int(y[rows].sum()), int(rows.sum())
            if m and k in (0, m):
                label = col if "=" in col else f"{col} {where}"
                notes.append(f"{label}: {k} churned of {m} training customers, so its odds "
                             "ratio is not identified (separation)")
                break
    return notes


def _logit(y: Arr, x: Arr) -> tuple[Arr, Arr, bool, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # statsmodels' Newton steps, one evaluation of the risks each (cxlens.stats.logit;
            # checked against sm.Logit): 0.6 s a step at 2.6 M rows through statsmodels. From
            # the churn rate's log-odds as the intercept (the design's first column is the
            # constant): two of eight steps fewer at 10 M, the same maximum
            start = np.zeros(x.shape[1])
            rate = float(np.mean(y)) if len(y) else 0.5
            if x.shape[1] and 0 < rate < 1 and np.all(x[:, 0] == 1):
                start[0] = np.log(rate / (1 - rate))
            res = newton_logit(y, x, start=start, maxiter=200)
            ok = res.converged and bool(np.all(np.isfinite(res.cov))) and not caught
            if ok:
                return res.params, res.cov, False, []
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            pass
    # ridge fallback; covariance from the penalised information matrix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, x, family=sm.families.Binomial()).fit_regularized(
            alpha=RIDGE, L1_wt=0.0, maxiter=500)
    params = np.asarray(res.params, dtype=float)
    p = _expit(x @ params)
    info = (x * (p * (1 - p))[:, None]).T @ x + len(y) * RIDGE * np.eye(x.shape[1])
    cov = np.asarray(np.linalg.pinv(info), dtype=np.float64)
    return params, cov, True, ["the plain logistic fit did not converge (separation or a "
                               "singular information matrix): refitted with a small ridge penalty; "
                               "intervals are approximate"]
