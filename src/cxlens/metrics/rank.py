"""Leaderboards that small samples cannot top: empirical-Bayes shrinkage of each segment's
figure towards what all segments share, shown beside the raw figure.

Shares use a beta-binomial prior fitted by maximum likelihood; means use a normal prior whose
between-segment variance is estimated by the method of moments. Ranks are by the shrunk value,
within each period, best first (by the metric's direction).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.metrics.compile import PERIOD, Request
from cxlens.metrics.result import finalize, number
from cxlens.metrics.spec import Kind, Metric, Unit
from cxlens.stats.shrinkage import fit_beta_binomial, shrink


def rankable(metric: Metric, req: Request) -> None:
    """Refuse what a leaderboard cannot shrink (before any query runs)."""
    if metric.kind not in (Kind.SHARE, Kind.MEAN) or metric.quantile is not None:
        raise ConfigError(f"--rank works on share and mean metrics; {metric.full_name} is a "
                          f"{metric.kind.value}",
                          "rank by a share (csat, fcr, ...) or a mean (aht, ces, csat:mean)")
    if not req.dims:
        raise ConfigError("--rank needs segments to rank", "add e.g. --by agent_id")


def rank(raw: pd.DataFrame, metric: Metric, req: Request) -> pd.DataFrame:
    """The figures of ``req`` with shrunk value, its interval and ranks (raw and shrunk)."""
    rankable(metric, req)
    final = finalize(raw, metric, req)
    parts = []
    keys = [PERIOD] if PERIOD in final and final[PERIOD].notna().any() else []
    groups = final.groupby(keys, dropna=False) if keys else [((), final)]
    for _, part in groups:
        part = part.copy()
        sub = raw.loc[part.index]
        if metric.kind is Kind.SHARE:
            post, low, high = _shares(sub)
            scale = 100.0 if metric.unit is Unit.PERCENT else 1.0
        else:
            post, low, high = _means(sub)
            scale = 1.0
        part["shrunk"], part["shrunk_low"], part["shrunk_high"] = post * scale, low * scale, \
            high * scale
        best_high = metric.higher_is_better is not False
        part["rank"] = part["shrunk"].rank(ascending=not best_high, method="min").astype("Int64")
        part["raw_rank"] = part["value"].rank(ascending=not best_high,
                                              method="min").astype("Int64")
        parts.append(part)
    out = pd.concat(parts)
    return out.sort_values([*keys, "rank"], kind="stable").reset_index(drop=True)


class TooFewSegments(ConfigError):
    """Fewer than two segments with data: nothing to shrink towards, nothing to rank."""

    code = "too_few_segments"


def _shares(raw: pd.DataFrame) -> tuple[np.ndarray, ...]:
    k, n = number(raw, "k", 0.0), number(raw, "n", 0.0)
    if (n > 0).sum() < 2:
        raise TooFewSegments("shrinkage needs at least two segments with data",
                          "rank over a longer period or a coarser grain")
    post, low, high = shrink(k, n, fit_beta_binomial(k, n))
    return np.asarray(post), np.asarray(low), np.asarray(high)


def _means(raw: pd.DataFrame) -> tuple[np.ndarray, ...]:
    n, mean, sd = number(raw, "n", 0.0), number(raw, "mean"), number(raw, "sd")
    ok = (n > 1) & np.isfinite(mean) & np.isfinite(sd)
    if ok.sum() < 2:
        raise TooFewSegments("shrinkage needs at least two segments with data",
                          "rank over a longer period or a coarser grain")
    se2 = np.where(ok, sd**2 / np.maximum(n, 1), np.nan)
    grand = float(np.average(mean[ok], weights=n[ok]))
    tau2 = max(float(np.var(mean[ok], ddof=1) - np.nanmean(se2[ok])), 1e-12)
    weight = tau2 / (tau2 + se2)
    post = np.where(ok, grand + weight * (mean - grand), np.nan)
    half = 1.959963984540054 * np.sqrt(weight * se2)
    return post, post - half, post + half
