"""CLV from the two fitted models on CDNOW: parameters with bootstrap intervals, the CLV formula
worked by hand for one customer, the aggregate, and the refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.insights import InsufficientData
from cxlens.insights.clv import MONTH_DAYS, bgnbd, customer_value, gamma_gamma
from tests.insights.datasets import cdnow_with_spend


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return cdnow_with_spend()


def test_parameters_aggregate_and_intervals(cdnow: pd.DataFrame) -> None:
    v = customer_value(cdnow, horizon_months=12, discount=0.01, margin=0.3, resamples=20,
                       seed=1, top=5)
    p = v.parameters.set_index("parameter")
    assert p["value"].round(2).tolist() == [0.24, 4.41, 0.79, 2.43, 6.25, 3.74, 15.45]
    assert p["n"].tolist() == [2357] * 4 + [946] * 3
    assert (p["ci_low"] < p["value"]).all() and (p["value"] < p["ci_high"]).all()
    assert v.resamples == 20 and not v.notes
    assert v.total.n == 2357 and v.total.ci_low < v.total.value < v.total.ci_high
    assert v.total.value == pytest.approx(v.customers["clv"].sum())
    assert v.mean.value == pytest.approx(v.total.value / 2357)
    assert v.correlation.n == 946 and abs(v.correlation.value) < 0.3
    # the top customers, most valuable first, each with intervals and their orders as n
    assert list(v.top.index) == list(v.customers["clv"].nlargest(5).index)
    for name in ("p_alive", "expected_purchases", "expected_spend", "clv"):
        assert (v.top[f"{name}_ci_low"] <= v.top[f"{name}_ci_high"]).all()
    assert (v.top["clv_ci_low"] < v.top["clv"]).all() and (v.top["clv"] < v.top["clv_ci_high"]).all()
    # seeded: the same seed gives the same intervals, another seed others
    again = customer_value(cdnow, margin=0.3, resamples=20, seed=1, top=5)
    other = customer_value(cdnow, margin=0.3, resamples=20, seed=2, top=5)
    assert again.total == v.total and other.total.ci_low != v.total.ci_low


def test_clv_formula_by_hand(cdnow: pd.DataFrame) -> None:
    v = customer_value(cdnow, horizon_months=3, discount=0.02, margin=0.25, resamples=0)
    one = cdnow.loc[1]  # x = 2, t_x = 30.43, T = 38.86, mean repeat spend 22.35
    month = MONTH_DAYS / 7  # weeks
    cum = [0.0] + [float(bgnbd.expected_purchases(v.purchases, k * month, 2, 30.43, 38.86))
                   for k in (1, 2, 3)]
    spend = float(gamma_gamma.expected_spend(v.spend, 2, 22.35))
    hand = sum(0.25 * spend * (cum[k] - cum[k - 1]) / 1.02**k for k in (1, 2, 3))
    got = v.customers.loc[1]
    assert one["frequency"] == 2 and got["clv"] == pytest.approx(hand, rel=1e-9)
    assert got["expected_purchases"] == pytest.approx(cum[3])
    assert got["p_alive"] == pytest.approx(float(bgnbd.p_alive(v.purchases, 2, 30.43, 38.86)))
    # no resamples: figures without intervals, never invented ones
    assert np.isnan(v.total.ci_low) and v.resamples == 0
    # margin and discount act as they should
    flat = customer_value(cdnow, horizon_months=3, discount=0.0, margin=0.5, resamples=0)
    assert flat.customers.loc[1, "clv"] == pytest.approx(0.5 * spend * cum[3])
    none = customer_value(cdnow, resamples=2, top=0)
    assert none.top.empty and none.resamples == 2


def test_refusals(cdnow: pd.DataFrame) -> None:
    with pytest.raises(InsufficientData) as small:
        customer_value(cdnow.head(40), resamples=0)
    assert "too few" in small.value.message and small.value.hint
    with pytest.raises(ConfigError):
        customer_value(cdnow, discount=-0.1, resamples=0)
    with pytest.raises(ConfigError):
        customer_value(cdnow, unit="months", resamples=0)
