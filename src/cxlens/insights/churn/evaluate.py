"""How good a churn model is on customers it was not fitted on.

* **Discrimination**: AUC with DeLong's 95 % interval (DeLong, DeLong & Clarke-Pearson 1988,
  in the O(n log n) midrank form of Sun & Xu 2014): AUC = mean of V10, Var = s²(V10)/m +
  s²(V01)/n over the m churners and n others.
* **Calibration**: Brier score (mean squared error of the predicted probability, t interval)
  against the reference p̄(1−p̄) of always predicting the churn rate; calibration slope (logistic
  regression of the outcome on logit(risk): 1 is ideal, < 1 means too extreme predictions) and
  calibration-in-the-large intercept (outcome ~ 1 with logit(risk) as offset: 0 is ideal), both
  with Wald intervals; and a table by decile of predicted risk, observed rate with its Wilson
  interval.

A model whose AUC interval reaches down to 0.5 ranks customers **no better than chance** on
the holdout (:meth:`Evaluation.better_than_chance`): its scores must not be used to list
"riskiest customers", and :meth:`Evaluation.chance_verdict` says so in one sentence.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cxlens.insights import Figure
from cxlens.stats.auc import delong
from cxlens.stats.logit import logit
from cxlens.stats.mean import t_interval
from cxlens.stats.wilson import wilson_interval

Arr = npt.NDArray[np.float64]
Z = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Evaluation:
    churn_rate: Figure
    auc: Figure
    brier: Figure
    brier_reference: float  # p̄(1 − p̄): the Brier score of predicting the churn rate for all
    calibration_slope: Figure
    calibration_intercept: Figure
    deciles: pd.DataFrame  # decile, n, predicted, observed, ci_low, ci_high

    def better_than_chance(self) -> bool:
        """True when the AUC's 95 % interval lies above 0.5 (False when it contains 0.5, lies
        below it, or could not be computed)."""
        low = self.auc.ci_low
        return bool(np.isfinite(low) and low > 0.5)

    def chance_verdict(self) -> str | None:
        """The sentence that says the model ranks no better than chance, or None when it
        does better."""
        if self.better_than_chance():
            return None
        a = self.auc
        if not np.isfinite(a.value):
            return ("this model's ranking could not be judged on the holdout: the AUC needs at "
                    f"least two churned and two staying customers (n = {a.n:,})")
        worse = np.isfinite(a.ci_high) and a.ci_high < 0.5
        return (f"this model ranks customers {'worse than' if worse else 'no better than'} "
                f"chance on the holdout: AUC {a.value:.2f} ({a.ci_low:.2f}–{a.ci_high:.2f}), "
                f"n = {a.n:,}")

    def figures(self) -> dict[str, Figure]:
        return {"churn_rate": self.churn_rate, "auc": self.auc, "brier": self.brier,
                "calibration_slope": self.calibration_slope,
                "calibration_intercept": self.calibration_intercept}


def _logit(p: Arr) -> Arr:
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(q / (1 - q)))


def _wald(params: Arr, se: Arr, i: int, n: int) -> Figure:
    b, s = float(params[i]), float(se[i])
    return Figure(b, b - Z * s, b + Z * s, n)


def calibration(y: Arr, p: Arr) -> tuple[Figure, Figure]:
    """(slope, intercept-in-the-large), each with a Wald 95 % interval: logistic regressions
    by Newton's method (:mod:`cxlens.stats.logit`, statsmodels' Logit steps), the same maximum
    and information matrix as the binomial GLMs they replace, without the GLM's weighted least
    squares (a pseudo-inverse of the n × 2 design every iteration: 9 s of the customers page at
    10 M, 2.6 M holdout customers). A fit that does not converge gives NaN: with constant risks
    there is no slope to estimate (the GLM's pseudo-inverse reported one, narrowly)."""
    n = len(y)
    lp = _logit(p)
    nan = Figure(float("nan"), float("nan"), float("nan"), n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # from a calibrated model (intercept 0, slope 1): fewer steps, the same maximum
            slope_fit = logit(y, np.column_stack([np.ones(n), lp]), start=np.array([0.0, 1.0]))
            slope = (_wald(slope_fit.params, slope_fit.bse, 1, n) if slope_fit.converged
                     else nan)
        except (np.linalg.LinAlgError, ValueError):
            slope = nan
        try:
            icpt_fit = logit(y, np.ones((n, 1)), offset=lp)
            intercept = (_wald(icpt_fit.params, icpt_fit.bse, 0, n) if icpt_fit.converged
                         else nan)
        except (np.linalg.LinAlgError, ValueError):
            intercept = nan
    return slope, intercept


def deciles(y: Arr, p: Arr, groups: int = 10) -> pd.DataFrame:
    """Observed churn by group of predicted risk (deciles; fewer when risks tie)."""
    frame = pd.DataFrame({"y": y, "p": p})
    ranks = frame["p"].rank(method="first")
    frame["decile"] = pd.qcut(ranks, min(groups, len(frame)), labels=False) + 1
    out = frame.groupby("decile").agg(n=("y", "size"), churned=("y", "sum"),
                                      predicted=("p", "mean"), observed=("y", "mean"))
    low, high = wilson_interval(out["churned"], out["n"])
    out["ci_low"], out["ci_high"] = low, high
    out["churned"] = out["churned"].astype(int)
    return out.reset_index()


def evaluate(y: npt.ArrayLike, p: npt.ArrayLike) -> Evaluation:
    """Every figure of a holdout: ``y`` 0/1 outcomes, ``p`` predicted risks."""
    y_, p_ = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    n, k = len(y_), int(y_.sum())
    rate_lo, rate_hi = wilson_interval(k, n)
    auc, se = delong(y_, p_)
    sq = (p_ - y_) ** 2
    b_lo, b_hi = t_interval(n, sq.mean(), sq.std(ddof=1)) if n > 1 else (np.nan, np.nan)
    slope, intercept = calibration(y_, p_)
    rate = k / n if n else float("nan")
    return Evaluation(
        churn_rate=Figure(rate, float(rate_lo), float(rate_hi), n),
        auc=Figure(auc, max(0.0, auc - Z * se), min(1.0, auc + Z * se), n),
        brier=Figure(float(sq.mean()), float(b_lo), float(b_hi), n),
        brier_reference=rate * (1 - rate),
        calibration_slope=slope,
        calibration_intercept=intercept,
        deciles=deciles(y_, p_),
    )
