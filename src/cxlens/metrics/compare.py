"""Period-over-period change per segment, with a significance test for each change and
Benjamini–Hochberg control of the false-discovery rate across all of them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.metrics.compile import PERIOD, Request
from cxlens.metrics.result import finalize, number
from cxlens.metrics.spec import Kind, Metric
from cxlens.stats.change import mean_change, nps_change, proportion_change
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.stats.nps import nps_variance

TESTS = {
    Kind.SHARE: "two-proportion z test",
    Kind.SHARE_DIFFERENCE: "NPS z test (−1/0/+1 variances)",
    Kind.MEAN: "Welch t test",
    Kind.DURATION: "Welch t test",
}


def compare(raw: pd.DataFrame, metric: Metric, req: Request, alpha: float = 0.05,
            ) -> pd.DataFrame:
    """Each segment's figure against its previous period. ``raw`` are the statistics by
    ``req.dims`` and period."""
    if not req.grain:
        raise ConfigError("compare needs periods to compare", "add --grain month (or week, "
                          "quarter, ...)")
    test = TESTS.get(metric.kind) if metric.quantile is None else None
    final = finalize(raw, metric, req)
    stats = pd.concat([final, raw.drop(columns=[c for c in final.columns if c in raw])], axis=1)
    dims = list(req.dims)
    stats = stats.sort_values([*dims, PERIOD], kind="stable")
    prev = stats.groupby(dims, dropna=False).shift(1) if dims else stats.shift(1)
    z, p = _test(metric, stats, prev)
    out = stats[[*dims, PERIOD, "metric"]].copy()
    out["previous_period"] = prev[PERIOD]
    out["value"], out["previous_value"] = stats["value"], prev["value"]
    out["change"] = stats["value"] - prev["value"]
    out["n"], out["previous_n"] = stats["n"], prev["n"].astype("Int64")
    out["statistic"] = z  # z (shares, NPS) or Welch t (means)
    out["p_value"] = p
    q, significant = benjamini_hochberg(p, alpha)
    out["q_value"] = q
    out["significant"] = significant
    out["test"] = test or "none (no closed-form test for medians, totals or counts)"
    out = out[out["previous_period"].notna()]
    return out.reset_index(drop=True)


def _test(metric: Metric, cur: pd.DataFrame, prev: pd.DataFrame) -> tuple[np.ndarray, ...]:
    n1, n2 = number(prev, "n", 0.0), number(cur, "n", 0.0)
    nan = np.full(len(cur), np.nan)
    if metric.quantile is not None:
        return nan, nan
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric.kind is Kind.SHARE:
            return tuple(proportion_change(number(prev, "k"), n1, number(cur, "k"), n2))
        if metric.kind is Kind.SHARE_DIFFERENCE:
            v1 = nps_variance(number(prev, "pos"), number(prev, "neg"), n1)
            v2 = nps_variance(number(cur, "pos"), number(cur, "neg"), n2)
            return tuple(nps_change(number(prev, "value"), v1, n1, number(cur, "value"), v2, n2))
        if metric.kind in (Kind.MEAN, Kind.DURATION):
            return tuple(mean_change(n1, number(prev, "mean"), number(prev, "sd"),
                                     n2, number(cur, "mean"), number(cur, "sd")))
    return nan, nan
