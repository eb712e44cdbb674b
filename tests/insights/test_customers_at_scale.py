"""The customers page's models after the 10 M work (issue 18): the same figures as before.

* The likelihood sums run in one thread (``einsum``) instead of the threaded BLAS, and since
  the second pass on analytic gradients: the fitted log-likelihoods equal a plain per-customer
  re-implementation of the papers' formulas, and on CDNOW (an interior optimum, where the old
  numerical-gradient refits converged) the seeded bootstrap gives the intervals the ``np.dot``
  code gave (literals recorded from commit 0f72b1e) to the optimiser's tolerance.
* The churn windows that are only fitted and evaluated read only the attributes the model
  uses: the model, evaluation and scores equal those of the windows read with every attribute.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.insights.churn.evaluate import evaluate
from cxlens.insights.churn.model import fit as fit_churn
from cxlens.insights.churn.warehouse import (
    ATTRIBUTES,
    CATEGORICAL,
    NUMERIC,
    churn_risk,
    features,
    labelled,
)
from cxlens.insights.clv import bgnbd, customer_value, gamma_gamma
from cxlens.store.base import Warehouse
from tests.insights.datasets import cdnow_with_spend
from tests.insights.likelihoods import bgnbd_loglik, gamma_gamma_loglik

# (x, t_x, T, weight): small enough to check by hand, repeat and one-off buyers, one row
# counted three times as a bootstrap would
ROWS = [(0, 0.0, 10.0, 1), (1, 2.0, 8.0, 3), (3, 6.5, 9.0, 1), (2, 1.0, 12.0, 2),
        (0, 0.0, 4.0, 1), (5, 11.0, 11.5, 1)]


def test_likelihoods_are_the_plain_weighted_sums() -> None:
    x, t_x, T, w = (np.array(c, dtype=float) for c in zip(*ROWS, strict=True))
    m = bgnbd.fit(x, t_x, T, w)
    assert m.finite
    assert m.loglik == pytest.approx(bgnbd_loglik(ROWS, *m.params), rel=1e-12)
    spend = [(1, 20.0, 3), (3, 35.5, 1), (2, 12.25, 2), (5, 41.0, 1), (1, 8.0, 1)]
    sx, sm_, sw = (np.array(c, dtype=float) for c in zip(*spend, strict=True))
    g = gamma_gamma.fit(sx, sm_, sw)
    assert g.finite
    assert g.loglik == pytest.approx(gamma_gamma_loglik(spend, *g.params), rel=1e-12)


def test_bootstrap_intervals_are_those_of_the_blas_code() -> None:
    v = customer_value(cdnow_with_spend(), horizon_months=12, discount=0.01, margin=0.3,
                       resamples=20, seed=1, top=3)
    # recorded from commit 0f72b1e (likelihood sums through np.dot)
    assert v.total.value == pytest.approx(21465.645611356496, rel=1e-7)
    assert (v.total.ci_low, v.total.ci_high) == pytest.approx(
        (20139.28223095045, 22967.25802155215), rel=1e-5)
    np.testing.assert_allclose(v.parameters[["ci_low", "ci_high"]].to_numpy(), [
        [0.22601228444190966, 0.25949563656308716],
        [3.683031977880211, 4.919430658384626],
        [0.6054589304713708, 1.0934818295714401],
        [1.6572288844904202, 3.7467165408985443],
        [4.719207637157824, 8.510479390789568],
        [3.40140336319645, 4.439898663170212],
        [10.517770347954334, 25.040197776747675]], rtol=1e-4)
    np.testing.assert_allclose(v.top[["clv_ci_low", "clv_ci_high"]].to_numpy(), [
        [313.0761079014224, 385.1641408743194],
        [267.2073405698701, 330.12536330418186],
        [256.86622962129223, 320.2673047492809]], rtol=1e-5)


def test_fitted_windows_read_only_the_model_attributes(demo: Warehouse) -> None:
    cut = dt.date(2026, 4, 4)
    lean = labelled(demo, cut, 90, attributes=("segment",))
    full = labelled(demo, cut, 90)
    assert list(lean.columns) == [c for c in full.columns
                                  if c not in set(ATTRIBUTES) - {"segment"}]
    pd.testing.assert_frame_equal(lean, full[lean.columns])
    with pytest.raises(ConfigError, match="no customer attribute email"):
        features(demo, cut, attributes=("segment", "email"))


def test_churn_risk_is_the_all_attributes_definition(demo: Warehouse) -> None:
    r = churn_risk(demo)
    # the definition: both windows read with every attribute, as before the lean read
    train = labelled(demo, r.train.cutoff, 90)
    test = labelled(demo, r.test.cutoff, 90)
    model = fit_churn(train, "churned", NUMERIC, CATEGORICAL)
    final = fit_churn(test, "churned", NUMERIC, CATEGORICAL)
    e = evaluate(test["churned"].to_numpy(dtype=float), model.predict(test))
    assert r.evaluation.figures() == e.figures()
    np.testing.assert_array_equal(r.model.params, final.params)
    np.testing.assert_array_equal(r.model.cov, final.cov)
    now = features(demo, r.as_of + dt.timedelta(days=1))
    risk, _, _ = final.predict_interval(now)
    assert sorted(r.scores["risk"].tolist(), reverse=True) == sorted(risk.tolist(),
                                                                     reverse=True)
    assert set(ATTRIBUTES) <= set(r.scores.columns)  # the scored keep every attribute
