"""Churn risk on one snapshot of the customers (cross-sectional): IBM Telco imported with the
example mapping, checked against statsmodels and scipy called directly on the raw CSV with the
same split; the time-based mode's refusal that points here; and a model no better than chance
that lists nobody."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from dateutil.relativedelta import relativedelta
from scipy import stats
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.ingest.pipeline import import_files
from cxlens.insights import InsufficientData
from cxlens.insights.churn import stratified_split
from cxlens.insights.churn.snapshot import churn_risk_snapshot
from cxlens.insights.churn.warehouse import churn_risk
from cxlens.store.base import Warehouse
from tests.insights.datasets import TELCO

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SNAPSHOT = dt.date(2018, 1, 31)  # the mapping's churn date
runner = CliRunner()


def _telco(wh: Warehouse) -> None:
    done = import_files(wh, "customers", [TELCO], mapping=EXAMPLES / "telco-customers.yaml")
    assert done.loaded == 7043


def test_time_based_mode_points_to_the_snapshot_mode(duck: Warehouse) -> None:
    _telco(duck)
    with pytest.raises(InsufficientData) as refused:
        churn_risk(duck)
    # the mapping derives acquired_at from tenure, but every churn is on the snapshot day
    assert "all 1,869 churned customers churned on the same day" in refused.value.message
    assert "cxlens churn-risk --snapshot" in refused.value.hint


def test_telco_snapshot_matches_statsmodels_on_the_same_split(duck: Warehouse) -> None:
    _telco(duck)
    r = churn_risk_snapshot(duck, test_share=0.3, seed=7)
    assert r.mode == "snapshot" and r.as_of == SNAPSHOT
    # the same model by hand: the raw CSV, the mapping's three columns dummy-coded against
    # the commonest level and tenure in years at the start of the day after the snapshot
    # (acquired = 31 Jan 2018 less `tenure` calendar months), the warehouse's order (by
    # customer id), the same seeded split
    raw = pd.read_csv(TELCO).sort_values("customerID").reset_index(drop=True)
    y = (raw["Churn"] == "Yes").astype(int)
    day_after = dt.datetime(2018, 2, 1)
    years = [(day_after - (dt.datetime(2018, 1, 31) - relativedelta(months=int(m))))
             .total_seconds() / (365.25 * 86400) for m in raw["tenure"]]
    x = pd.DataFrame({"const": 1.0, "tenure": years,
                      "two year": (raw["Contract"] == "Two year").astype(float),
                      "one year": (raw["Contract"] == "One year").astype(float),
                      "senior": raw["SeniorCitizen"].astype(float),
                      "female": (raw["gender"] == "Female").astype(float)})
    test = stratified_split(y, 0.3, 7).to_numpy()
    fitted = sm.Logit(y[~test], x[~test]).fit(disp=0)
    p = fitted.predict(x[test]).to_numpy()
    yt = y[test].to_numpy()
    u = stats.mannwhitneyu(p[yt == 1], p[yt == 0]).statistic
    e = r.evaluation
    assert (r.train.customers, r.test.customers) == ((~test).sum(), test.sum())
    assert (r.test.churned, e.auc.n) == (yt.sum(), 2113)
    assert e.auc.value == pytest.approx(u / (yt.sum() * (1 - yt).sum()), abs=1e-9)
    assert e.brier.value == pytest.approx(np.mean((p - yt) ** 2), abs=1e-9)
    assert 0.76 < e.auc.ci_low < e.auc.value < e.auc.ci_high < 0.81  # 0.785 (0.765–0.806)
    # the scoring model is refitted on everybody and lists the customers who stayed
    everyone = sm.Logit(y, x).fit(disp=0)
    coefficients = r.model.coefficients().set_index("feature")
    odds = coefficients["odds_ratio"]
    assert odds["segment=two year"] == pytest.approx(np.exp(everyone.params["two year"]))
    assert odds["age_group=65+"] == pytest.approx(np.exp(everyone.params["senior"]))
    assert r.verdict is None and r.at_risk == 7043 - 1869 == len(r.scores)
    assert set(r.scores["segment"].head(10)) == {"month-to-month"}
    # numeric features are standardised: per_unit is the odds ratio per year of tenure
    per_year = coefficients.loc["tenure_years", "per_unit"]
    assert per_year == pytest.approx(np.exp(everyone.params["tenure"]), rel=1e-6)
    assert not any("tenure_years" in note for note in r.notes)


def test_telco_snapshot_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "telco.duckdb")
    with store.connect(db) as wh:
        _telco(wh)
    refused = runner.invoke(app, ["churn-risk", "--db", db])
    assert refused.exit_code == 2 and "--snapshot" in refused.output
    done = runner.invoke(app, ["churn-risk", "--db", db, "--snapshot", "--top", "3",
                               "--format", "json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["mode"] == "snapshot" and doc["verdict"] is None
    assert doc["evaluation"]["auc"]["n"] == 2113 and doc["scored_customers"] == 7043 - 1869
    assert len(doc["top_customers"]) == 3 and "seed 7" in doc["holdout_design"]


def _no_signal(wh: Warehouse, n: int = 1200) -> None:
    """Customers whose churn is a coin flip independent of every feature they have: segment
    and the support contacts are drawn separately from the churn flag."""
    rng = np.random.default_rng(11)
    churned = rng.random(n) < 0.3
    segment = rng.choice(["consumer", "smb", "enterprise"], n)
    at = dt.datetime(2026, 3, 31, tzinfo=dt.UTC)
    wh.insert_rows("customers", ["customer_id", "acquired_at", "churned_at", "segment"], [
        (f"C{i:04d}", at - dt.timedelta(days=int(rng.integers(30, 900))),
         at if churned[i] else None, str(segment[i])) for i in range(n)])
    contacts = rng.poisson(1.0, n)
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "channel", "created_at"], [
        (f"I{i:04d}-{k}", f"C{i:04d}", "email", at - dt.timedelta(days=1 + k))
        for i in range(n) for k in range(int(contacts[i]))])


def test_a_model_no_better_than_chance_lists_nobody(wh: Warehouse) -> None:
    _no_signal(wh)
    r = churn_risk_snapshot(wh, dt.date(2026, 3, 31))
    a = r.evaluation.auc
    assert a.ci_low < 0.5 < a.ci_high  # the features carry no signal
    assert r.scores.empty and r.at_risk > 0
    assert r.verdict == (f"this model ranks customers no better than chance on the holdout: "
                         f"AUC {a.value:.2f} ({a.ci_low:.2f}–{a.ci_high:.2f}), n = {a.n:,}")


def test_one_churn_day_is_a_snapshot_too(duck: Warehouse) -> None:
    _no_signal(duck, 200)  # everybody who left, left on 31 March 2026
    with pytest.raises(InsufficientData) as refused:
        churn_risk(duck)
    churned = duck.scalar("SELECT count(churned_at) FROM customers")
    assert f"all {churned:,} churned customers churned on the same day" in refused.value.message
    assert "--snapshot" in refused.value.hint
