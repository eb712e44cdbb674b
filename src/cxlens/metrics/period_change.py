"""A figure's change between two named periods (the overview's "on Feb 2025" and "on March
2024"), with the interval of the change and the metric's own two-sample test.

The figures and their sampling variances are :meth:`Definition.figures`' (each table read
once for all its metrics), the test from
:func:`cxlens.metrics.sampling.change_p` (two-proportion z for shares, the NPS z test, Welch's
t for means): the same answer to "is this change real?" as the alerts and initiative impact.
The interval is change ± z·√(var₀ + var₁), the periods independent samples. A period without
an answer has no figure: its change is None, never 0. Several changes read together get
Benjamini–Hochberg q-values (:func:`corrected`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from cxlens.dates import utc
from cxlens.metrics.compile import Request
from cxlens.metrics.definition import with_statistics
from cxlens.metrics.query import all_statistics
from cxlens.metrics.result import number
from cxlens.metrics.sampling import change_p, testable
from cxlens.metrics.spec import Metric
from cxlens.periods import Period
from cxlens.stats._arrays import z_value
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.store.base import Warehouse


@dataclass(frozen=True)
class PeriodChange:
    """``after`` against ``before``: each figure and n, the change in the figure's units, its
    interval and p (None where a period has no data or the metric has no test), and q once
    :func:`corrected` has read it with the others."""

    metric: str
    before: Period
    after: Period
    value_before: float | None
    n_before: int
    value_after: float | None
    n_after: int
    change: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    q: float | None = None
    tested: int = 1  # how many changes q corrects for


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def figures(wh: Warehouse, metrics: Sequence[Metric], period: Period,
            where: str | None = None) -> list[pd.DataFrame]:
    """Each metric's one figure over ``period`` with its statistics and variance (no row, or
    n = 0, when the period has no answer), the metrics of one table read in one scan."""
    req = Request(start=utc(period.start), end=utc(period.end), where=where or None)
    return [with_statistics(raw, m, req)
            for m, raw in zip(metrics, all_statistics(wh, list(metrics), req), strict=True)]


def _figure(frame: pd.DataFrame) -> tuple[float | None, int]:
    n = int(number(frame, "n", 0.0).sum()) if len(frame) else 0
    return (_finite(float(number(frame, "value")[0])) if n else None), n


def change(metric: Metric, before: Period, after: Period, f0: pd.DataFrame,
           f1: pd.DataFrame, confidence: float = 0.95) -> PeriodChange:
    """``metric``'s figure ``f1`` over ``after`` against ``f0`` over ``before`` (frames of
    :func:`figures`)."""
    (v0, n0), (v1, n1) = _figure(f0), _figure(f1)
    empty = PeriodChange(metric.full_name, before, after, v0, n0, v1, n1, None, None, None,
                         None)
    if v0 is None or v1 is None:
        return empty
    delta = v1 - v0
    se = math.sqrt(float(number(f0, "var")[0]) + float(number(f1, "var")[0]))
    p = _finite(float(change_p(metric, f0, f1)[0])) if testable(metric) else None
    z = z_value(confidence)
    low, high = (delta - z * se, delta + z * se) if math.isfinite(se) else (None, None)
    return replace(empty, change=delta, ci_low=low, ci_high=high, p=p)


def corrected(changes: Sequence[PeriodChange]) -> list[PeriodChange]:
    """The changes with Benjamini–Hochberg q-values across those that were tested."""
    p = [c.p if c.p is not None else math.nan for c in changes]
    q, _ = benjamini_hochberg(p)
    tested = sum(c.p is not None for c in changes)
    return [replace(c, q=_finite(float(qv)), tested=tested) if c.p is not None else c
            for c, qv in zip(changes, q, strict=True)]
