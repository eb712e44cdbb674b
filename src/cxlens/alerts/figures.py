"""The figures alert checks judge: a metric by segment (and month) over a window, through the
metric layer, with the sufficient statistics kept next to each figure for the tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cxlens.alerts import segments
from cxlens.dates import add_months, utc
from cxlens.metrics.compile import PERIOD
from cxlens.metrics.definition import Definition
from cxlens.metrics.engine import for_dialect
from cxlens.metrics.spec import Metric
from cxlens.store.base import Warehouse


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def judged_month(as_of: dt.date) -> dt.date:
    """The last complete calendar month before ``as_of`` (its first day)."""
    return add_months(month_start(as_of), -1)


def label(first: dt.date, last: dt.date | None = None) -> str:
    """'2026-05' or '2026-05..2026-07' (months, inclusive)."""
    one = f"{first:%Y-%m}"
    return one if last is None or last == first else f"{one}..{last:%Y-%m}"


def figures(wh: Warehouse, metric: Metric, by: tuple[str, ...], where: str | None,
            first: dt.date, after: dt.date, monthly: bool = False) -> pd.DataFrame:
    """One row per segment (per month when ``monthly``) from ``first`` up to ``after``
    (exclusive): ``segment``, the dimensions, ``period``, the raw statistics, then ``value``,
    ``n``, ``ci_low``, ``ci_high``, ``flag`` and ``var`` (display units²). Rows of segments
    with a missing dimension value are dropped (nobody to alert)."""
    out = Definition(metric, for_dialect(wh.dialect)).figures(
        wh, by=by, grain="month" if monthly else None, start=utc(first), end=utc(after),
        where=where)
    if out.empty:
        return pd.DataFrame(columns=["segment", *by, PERIOD, "value", "n", "ci_low", "ci_high",
                                     "flag", "var"])
    if by:
        out = out.dropna(subset=list(by)).reset_index(drop=True)
    out.insert(0, "segment", [segments.label(by, [r[d] for d in by])
                              for _, r in out.iterrows()] if len(out) else [])
    if monthly:
        out[PERIOD] = pd.to_datetime(out[PERIOD]).dt.date
    out["n"] = out["n"].fillna(0).astype(np.int64)
    return out
