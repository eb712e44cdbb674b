"""The churn model and its evaluation: DeLong against the brute-force definition, calibration
figures on simulated risks, and the IBM Telco check (published churn rates, the 11 blank
TotalCharges, holdout AUC and calibration of a logistic model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlens.insights.churn import holdout, stratified_split
from cxlens.insights.churn.evaluate import calibration, delong, evaluate
from tests.insights.datasets import TELCO_CATEGORICAL, TELCO_NUMERIC, telco


def test_delong_matches_its_definition() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(60) < 0.4
    score = np.round(rng.normal(y * 0.8, 1.0), 1)  # rounded: ties count one half
    pos, neg = score[y], score[~y]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))
    auc, got_se = delong(y, score)
    assert auc == pytest.approx(psi.mean()) and got_se == pytest.approx(se)
    u = stats.mannwhitneyu(pos, neg).statistic
    assert auc == pytest.approx(u / (len(pos) * len(neg)))


def test_calibration_of_simulated_risks() -> None:
    rng = np.random.default_rng(2)
    p = rng.uniform(0.02, 0.9, 20_000)
    y = (rng.random(len(p)) < p).astype(float)
    good = evaluate(y, p)
    assert good.calibration_slope.ci_low < 1 < good.calibration_slope.ci_high
    assert good.calibration_intercept.ci_low < 0 < good.calibration_intercept.ci_high
    assert good.brier.value < good.brier_reference
    assert good.deciles["n"].sum() == len(p) and len(good.deciles) == 10
    assert np.abs(good.deciles["observed"] - good.deciles["predicted"]).max() < 0.03
    logit = np.log(p / (1 - p))
    extreme = 1 / (1 + np.exp(-2 * logit))  # over-confident: slope about 1/2
    slope, _ = calibration(y, extreme)
    assert slope.value == pytest.approx(0.5, abs=0.05)


def test_calibration_is_the_binomial_glm() -> None:
    """The calibration fits (statsmodels' Logit by Newton since issue 18) give the binomial
    GLMs' figures they replaced: slope and intercept-in-the-large with their Wald intervals."""
    import statsmodels.api as sm

    rng = np.random.default_rng(4)
    p = rng.uniform(0.01, 0.6, 30_000)
    y = (rng.random(len(p)) < np.clip(1.3 * p - 0.05, 0, 1)).astype(float)
    lp = np.log(p / (1 - p))
    slope, intercept = calibration(y, p)
    z = stats.norm.ppf(0.975)
    glm = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit(tol=1e-13)
    b, se = glm.params[1], glm.bse[1]
    assert (slope.value, slope.ci_low, slope.ci_high) == pytest.approx(
        (b, b - z * se, b + z * se), rel=1e-9)
    off = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit(
        tol=1e-13)
    b, se = off.params[0], off.bse[0]
    assert (intercept.value, intercept.ci_low, intercept.ci_high) == pytest.approx(
        (b, b - z * se, b + z * se), rel=1e-9)
    assert slope.value > 1.05 and slope.n == intercept.n == len(y)  # not a trivial case
    # constant risks: no slope to estimate, NaN rather than a number
    flat, _ = calibration(y, np.full(len(y), 0.2))
    assert np.isnan(flat.value) and np.isnan(flat.ci_low)


def test_stratified_split() -> None:
    y = pd.Series([1] * 100 + [0] * 300)
    test = stratified_split(y, 0.3, seed=5)
    assert (test.sum(), y[test].sum()) == (120, 30)
    assert test.equals(stratified_split(y, 0.3, seed=5))
    assert not test.equals(stratified_split(y, 0.3, seed=6))


def test_telco_published_figures() -> None:
    t = telco()
    assert len(t) == 7043 and t["churned"].sum() == 1869
    assert round(100 * t["churned"].mean(), 2) == 26.54
    by = t.groupby("Contract")["churned"].mean().mul(100).round(2)
    assert by.to_dict() == {"Month-to-month": 42.71, "One year": 11.27, "Two year": 2.83}
    assert round(t["tenure"].mean(), 2) == 32.37
    assert round(t["MonthlyCharges"].mean(), 2) == 64.76
    blank = t["TotalCharges"].isna()
    assert blank.sum() == 11 and (t.loc[blank, "tenure"] == 0).all()
    assert t.loc[blank, "churned"].sum() == 0


def test_telco_holdout() -> None:
    h = holdout(telco(), "churned", TELCO_NUMERIC, TELCO_CATEGORICAL, test_share=0.3, seed=7)
    # the blank TotalCharges are left out with the reason, never filled in silently
    assert "11 rows left out: TotalCharges is blank or not a number" in h.notes
    assert h.train_n + h.test_n == 7043 - 11 and h.test_n == 2110
    assert any("No internet service" in n for n in h.notes)  # collinear columns named
    e = h.evaluation
    assert 0.83 <= e.auc.value <= 0.87 and e.auc.ci_low < e.auc.value < e.auc.ci_high
    assert e.auc.ci_high - e.auc.ci_low < 0.05 and e.auc.n == 2110
    assert e.brier.value < 0.75 * e.brier_reference and 0.12 < e.brier.value < 0.15
    assert 0.85 < e.calibration_slope.value < 1.2
    assert e.calibration_slope.ci_low < 1 < e.calibration_slope.ci_high
    assert e.calibration_intercept.ci_low < 0 < e.calibration_intercept.ci_high
    d = e.deciles
    assert d["observed"].iloc[0] < 0.05 and d["observed"].iloc[-1] > 0.6
    assert stats.spearmanr(d["predicted"], d["observed"]).statistic > 0.9
    odds = h.model.coefficients().set_index("feature")
    assert odds.loc["Contract=Two year", "ci_high"] < 1  # against month-to-month
    assert not h.model.penalised
    for seed in (1, 2, 3):  # the range holds for other splits too
        other = holdout(telco(), "churned", TELCO_NUMERIC, TELCO_CATEGORICAL, seed=seed)
        assert 0.83 <= other.evaluation.auc.value <= 0.87


def _kept_by_lstsq(x: np.ndarray, tol: float = 1e-8) -> list[int]:
    """The oracle: column j is kept when its least-squares residual on the kept columns
    before it (scipy's lstsq) is more than ``tol`` of its norm."""
    from scipy import linalg

    keep: list[int] = []
    for j in range(x.shape[1]):
        col = x[:, j]
        if keep:
            coef = linalg.lstsq(x[:, keep], col)[0]
            rest = np.linalg.norm(col - x[:, keep] @ coef)
        else:
            rest = np.linalg.norm(col)
        if np.linalg.norm(col) > 0 and rest > tol * np.linalg.norm(col):
            keep.append(j)
    return keep


@pytest.mark.parametrize("case", ["random", "close", "duplicate", "sum", "zero"])
def test_independent_columns_as_least_squares_finds_them(case: str) -> None:
    """The eigenvalue shortcut (clearly independent columns, kept without the column-by-column
    check) and the check itself keep the columns scipy's least squares says are not linear
    combinations of those before them."""
    from cxlens.insights.churn.model import CLEARLY_INDEPENDENT, independent

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(5000), rng.normal(size=(5000, 5)),
                         (rng.random(5000) < 0.3).astype(float)])
    if case == "close":  # nearly a copy, but 10⁻³ apart: kept, through the shortcut
        x = np.column_stack([x, x[:, 2] + 1e-3 * rng.normal(size=5000)])
    elif case == "duplicate":
        x = np.column_stack([x[:, :4], x[:, 2], x[:, 4:]])
    elif case == "sum":  # the intercept minus a dummy: "No internet service" in Telco
        x = np.column_stack([x, 1.0 - x[:, 6]])
    elif case == "zero":
        x = np.column_stack([x, np.zeros(5000)])
    x = np.asfortranarray(x)
    expected = _kept_by_lstsq(x)
    assert independent(x) == expected
    dropped = {"random": 0, "close": 0, "duplicate": 1, "sum": 1, "zero": 1}[case]
    assert len(expected) == x.shape[1] - dropped
    if case in ("random", "close"):  # the shortcut's own condition holds
        norms = np.linalg.norm(x, axis=0)
        values = np.linalg.eigvalsh(x.T @ x / np.outer(norms, norms))
        assert values[0] > CLEARLY_INDEPENDENT * values[-1]
