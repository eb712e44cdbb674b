"""Mix and rate: why an overall mean or share changed between two periods.

An overall figure R = Σ_s w_s·r_s is a weighted mean of its segments' figures r_s, with w_s
the segment's share of the population (n_s / N). Between period 0 and period 1 its change
splits symmetrically (Kitagawa; the "shift-share" of economics) into

    mix  = Σ_s (w1_s − w0_s)·(r0_s + r1_s)/2     more or fewer of each segment
    rate = Σ_s (r1_s − r0_s)·(w0_s + w1_s)/2     better or worse within each segment

and mix + rate = R1 − R0 exactly (no residual, no order of the two effects).

A segment's own mix contribution is measured against the overall average,
(w1_s − w0_s)·(r̄_s − R̄) with r̄_s = (r0_s + r1_s)/2 and R̄ = (R0 + R1)/2: the shares change by
Σ_s (w1_s − w0_s) = 0, so the total is the same, but the sign then says what people mean —
more of a below-average segment pulls the figure down. A segment present in one period only
takes the other period's figure as its own (its rate change is 0): all of its contribution is
mix.

Intervals are by the delta method, the periods independent: in each period the rates vary
with their sampling variances (``var``, from :func:`cxlens.metrics.sampling.variance`) and the
weights as multinomial shares of the period's N, Cov(w) = (diag w − w·wᵀ)/N. For a gradient g
over the weights that term is the weighted variance of g over the segments, divided by N.
A segment whose variance is undefined (one answer of a mean) borrows its period's pooled
per-answer variance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cxlens.stats._arrays import Floats, arr


@dataclass(frozen=True)
class Decomposition:
    """The change of an overall figure, its mix and rate totals and each segment's part.
    Per-segment arrays are aligned with the inputs; every ``*_se`` is a delta-method
    standard error in the figures' units."""

    before: float
    after: float
    change: float
    mix: float
    rate: float
    change_se: float
    mix_se: float
    rate_se: float
    w0: Floats  # each segment's share of the population, 0 when absent
    w1: Floats
    seg_mix: Floats
    seg_rate: Floats
    seg_mix_se: Floats
    seg_rate_se: Floats


def _pooled(n: Floats, v: Floats) -> Floats:
    """Variances with the undefined ones (present segments only) filled from the period's
    pooled per-answer variance Σ n²·v / Σ n."""
    ok = (n > 0) & np.isfinite(v)
    if not ok.any():
        return np.where(n > 0, np.nan, 0.0)
    if ok[n > 0].all():
        return np.where(n > 0, v, 0.0)
    per_answer = float((n[ok] ** 2 * v[ok]).sum() / n[ok].sum())
    with np.errstate(divide="ignore"):
        return np.where(n > 0, np.where(ok, v, per_answer / n), 0.0)


def _variance(g_r: Floats, v: Floats, g_w: Floats, w: Floats, total: float) -> Floats:
    """Per output row: Σ_j g_r²·v + (Σ_j w·g_w² − (Σ_j w·g_w)²)/N for one period."""
    if total <= 0:
        return np.zeros(g_r.shape[0])
    rates = (g_r**2 * v).sum(axis=1)
    mean = (g_w * w).sum(axis=1)
    weights = np.clip((g_w**2 * w).sum(axis=1) - mean**2, 0, None) / total
    out: Floats = rates + weights
    return out


def decompose(n0: Any, r0: Any, v0: Any, n1: Any, r1: Any, v1: Any) -> Decomposition:
    """The mix/rate decomposition of segments with counts ``n``, figures ``r`` and sampling
    variances ``v`` of their figures in periods 0 and 1 (aligned arrays; n = 0 where a
    segment is absent, its r and v ignored)."""
    n0_, n1_ = np.nan_to_num(arr(n0)), np.nan_to_num(arr(n1))
    if n0_.sum() <= 0 or n1_.sum() <= 0:
        raise ValueError("both periods need at least one answer to decompose a change")
    here0, here1 = n0_ > 0, n1_ > 0
    # an absent segment takes the other period's figure: its rate change is 0
    r0_ = np.where(here0, arr(r0), np.where(here1, arr(r1), 0.0))
    r1_ = np.where(here1, arr(r1), r0_)
    v0_, v1_ = _pooled(n0_, arr(v0)), _pooled(n1_, arr(v1))
    big0, big1 = float(n0_.sum()), float(n1_.sum())
    w0, w1 = n0_ / big0, n1_ / big1
    before, after = float(w0 @ r0_), float(w1 @ r1_)
    d, rbar, wbar, level = w1 - w0, (r0_ + r1_) / 2, (w0 + w1) / 2, (before + after) / 2
    seg_mix, seg_rate = d * (rbar - level), (r1_ - r0_) * wbar

    # gradients of the 2S per-segment parts (rows) by w0, w1, r0, r1 (columns)
    eye = np.eye(len(d))
    g_w0 = np.vstack([-eye * (rbar - level) - np.outer(d, r0_) / 2, eye * (r1_ - r0_) / 2])
    g_w1 = np.vstack([eye * (rbar - level) - np.outer(d, r1_) / 2, eye * (r1_ - r0_) / 2])
    g_r0 = np.vstack([eye * d / 2 - np.outer(d, w0) / 2, -eye * wbar])
    g_r1 = np.vstack([eye * d / 2 - np.outer(d, w1) / 2, eye * wbar])
    # a figure borrowed from the other period moves with it
    g_r1 = g_r1 + np.where(~here0, g_r0, 0.0)
    g_r0 = g_r0 + np.where(~here1, g_r1, 0.0)
    g_r0, g_r1 = np.where(here0, g_r0, 0.0), np.where(here1, g_r1, 0.0)
    s = len(d)
    # the totals' gradients are sums of the parts'
    sums = np.zeros((3, 2 * s))
    sums[0, :s] = sums[1, s:] = sums[2, :] = 1.0  # mix, rate, change

    def rows(g: Floats) -> Floats:
        out: Floats = np.vstack([g, sums @ g])
        return out

    var = (_variance(rows(g_r0), v0_, rows(g_w0), w0, big0)
           + _variance(rows(g_r1), v1_, rows(g_w1), w1, big1))
    se = np.sqrt(var)
    return Decomposition(
        before=before, after=after, change=after - before, mix=float(seg_mix.sum()),
        rate=float(seg_rate.sum()), mix_se=float(se[2 * s]), rate_se=float(se[2 * s + 1]),
        change_se=float(se[2 * s + 2]), w0=w0, w1=w1, seg_mix=seg_mix, seg_rate=seg_rate,
        seg_mix_se=se[:s], seg_rate_se=se[s:2 * s])
