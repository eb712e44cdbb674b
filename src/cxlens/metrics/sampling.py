"""Sampling variance of a figure and the test of a change, from the warehouse's sufficient
statistics (the ``raw`` frames of :func:`cxlens.metrics.query.statistics`), vectorised over
segments. Initiative impact and the drift alerts both use these, so "is this change real?" has
one answer.

- Shares: Var = p(1 − p)/n; change tested with the pooled two-proportion z test.
- NPS-like (share difference): Var = (p + d − (p − d)²)/n; the NPS z test.
- Means and durations: Var = sd²/n; Welch's t test.
- Medians and percentiles: the order-statistic (Siddiqui) variance of
  :func:`cxlens.stats.quantile.quantile_se`; ratios: the delta method; counts: Poisson (n).
  Sums of a complete log have no sampling variance (NaN).

Variances are in display units² (percentage points² for percentages). They are the true
variances of the figures, never rebuilt from an interval's width (wrong for t, order-statistic,
Poisson and clipped intervals); the report's standard errors and the alerts' control limits
both come from :func:`variance`. Only shares, NPS-like figures and means have a change test
here: :func:`testable` says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlens.metrics.result import number
from cxlens.metrics.spec import Kind, Metric, Unit
from cxlens.stats._arrays import Floats
from cxlens.stats.change import mean_change, nps_change, proportion_change
from cxlens.stats.control import Limits, limits
from cxlens.stats.nps import nps_variance
from cxlens.stats.quantile import quantile_se
from cxlens.stats.ratio import ratio_variance

#: Metric kinds with a closed-form variance, and the test used for a change.
TESTS = {
    Kind.SHARE: "two-proportion z test",
    Kind.SHARE_DIFFERENCE: "NPS z test (−1/0/+1 variances)",
    Kind.MEAN: "Welch t test",
    Kind.DURATION: "Welch t test",
}


def testable(metric: Metric) -> bool:
    """Whether the metric has a closed-form variance and change test here."""
    return metric.kind in TESTS and metric.quantile is None and not metric.per


def scale(metric: Metric) -> float:
    return 100.0 if metric.unit is Unit.PERCENT else 1.0


def variance(raw: pd.DataFrame, metric: Metric) -> Floats:
    """Variance of each row's figure in display units² (NaN without data)."""
    n = number(raw, "n", 0.0)
    s = scale(metric)
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric.quantile is not None:
            out = s**2 * quantile_se(n, metric.quantile, number(raw, "ci_lo"),
                                     number(raw, "ci_hi")) ** 2
        elif metric.kind is Kind.SHARE:
            p = number(raw, "k", 0.0) / n
            out = s**2 * p * (1 - p) / n
        elif metric.kind is Kind.SHARE_DIFFERENCE:
            out = 100.0**2 * nps_variance(number(raw, "pos", 0.0), number(raw, "neg", 0.0),
                                          n) / n
        elif metric.kind is Kind.RATIO:
            out = s**2 * ratio_variance(n, number(raw, "mean_x"), number(raw, "mean_y"),
                                        number(raw, "var_x"), number(raw, "var_y"),
                                        number(raw, "cov_xy"))
        elif metric.kind in (Kind.COUNT, Kind.DISTINCT_COUNT):
            out = n.copy()
        elif metric.kind is Kind.SUM:
            out = np.full(n.shape, np.nan)
        else:
            out = np.where(n > 1, number(raw, "sd") ** 2 / n, np.nan)
    return np.where(n > 0, out, np.nan).astype(float)


def standard_error(raw: pd.DataFrame, metric: Metric) -> Floats:
    """√:func:`variance`: each row's standard error in display units."""
    return np.sqrt(variance(raw, metric))


def change_p(metric: Metric, before: pd.DataFrame, after: pd.DataFrame) -> Floats:
    """Two-sided p-value of after vs before, row by row (rows aligned), by the metric's kind.
    ``before`` and ``after`` carry the raw statistics plus the finished figure in ``value``
    (needed for NPS)."""
    n1, n2 = number(before, "n", 0.0), number(after, "n", 0.0)
    if metric.kind is Kind.SHARE:
        _, p = proportion_change(number(before, "k", 0.0), n1, number(after, "k", 0.0), n2)
    elif metric.kind is Kind.SHARE_DIFFERENCE:
        v1 = nps_variance(number(before, "pos", 0.0), number(before, "neg", 0.0), n1)
        v2 = nps_variance(number(after, "pos", 0.0), number(after, "neg", 0.0), n2)
        _, p = nps_change(number(before, "value"), v1, n1, number(after, "value"), v2, n2)
    else:
        _, p = mean_change(n1, number(before, "mean"), number(before, "sd"),
                           n2, number(after, "mean"), number(after, "sd"))
    return np.asarray(p, dtype=float)


def control_limits(frame: pd.DataFrame, metric: Metric, *, baseline: Any = None,
                   sigmas: float = 3.0) -> Limits:
    """Control limits for ``frame``'s periods (raw statistics with the figure in ``value``,
    display units) by :func:`cxlens.stats.control.limits`: Laney p′ from the successes of a
    share counted over rows, ±sigmas·SE from :func:`standard_error` for everything else. The
    report's trend charts and the control-chart alerts both call this."""
    n = number(frame, "n", 0.0)
    if metric.kind is Kind.SHARE and metric.per is None and metric.quantile is None:
        return limits(number(frame, "value"), n, k=number(frame, "k", 0.0), baseline=baseline,
                      sigmas=sigmas, scale=scale(metric))
    return limits(number(frame, "value"), n, standard_error(frame, metric), baseline=baseline,
                  sigmas=sigmas)
