"""The four checks. Each judges every segment of a rule for one month and returns a
:class:`Judgement` per segment it could judge (enough answers): breached or not, with the
figure, its n and interval, the limit it was judged against and a sentence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlens import format as fmt
from cxlens.alerts.figures import figures, label
from cxlens.alerts.spec import Rule
from cxlens.dates import add_months
from cxlens.metrics.compile import PERIOD
from cxlens.metrics.sampling import change_p, control_limits, testable
from cxlens.metrics.spec import Metric
from cxlens.stats._arrays import z_value
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.store.base import Warehouse

#: control: fewer baseline months with data than this and the month is not judged.
MIN_BASELINE = 6


@dataclass(frozen=True)
class Judgement:
    rule: str
    check: str
    metric: str
    segment: str
    month: dt.date  # the month judged (first day)
    window: str  # the months the figure covers
    breached: bool
    value: float
    n: int
    ci_low: float
    ci_high: float
    limit: float | None  # threshold, target or control limit crossed (display units)
    p_value: float | None
    message: str
    change: float | None = None  # drift: figure now − figure before, with its 95 % interval
    change_low: float | None = None
    change_high: float | None = None


def _fmt(metric: Metric, x: object) -> str:
    """A figure as the dashboard writes it: "72.3 %", "9 min 10 s", "+23.4 points"."""
    return fmt.figure(x, metric.unit.value)


def _ci(metric: Metric, low: object, high: object) -> str:
    return f"95 % CI {fmt.interval(low, high, metric.unit.value)}"


def _min_n(rule: Rule, metric: Metric) -> int:
    return rule.min_sample or metric.min_sample


def _point(rule: Rule, metric: Metric, wh: Warehouse, month: dt.date) -> pd.DataFrame:
    frame = figures(wh, metric, rule.by, rule.where, month, add_months(month, 1))
    return frame[frame["n"] >= max(_min_n(rule, metric), 1)]


def threshold(wh: Warehouse, rule: Rule, metric: Metric, month: dt.date) -> list[Judgement]:
    out = []
    for _, r in _point(rule, metric, wh, month).iterrows():
        v = float(r["value"])
        low = rule.below is not None and v < rule.below
        high = rule.above is not None and v > rule.above
        limit = rule.below if low or (not high and rule.below is not None) else rule.above
        side = "below" if low else "above"
        msg = (f"{r['segment']}: {metric.label} {_fmt(metric, v)} in {month:%Y-%m} "
               f"({_ci(metric, r['ci_low'], r['ci_high'])}, n {fmt.count(r['n'])}) "
               f"is {side} the threshold {_fmt(metric, float(limit or 0))}")
        out.append(Judgement(rule.name, "threshold", metric.full_name, r["segment"], month,
                             label(month), low or high, v, int(r["n"]), float(r["ci_low"]),
                             float(r["ci_high"]), limit, None, msg))
    return out


def sla(wh: Warehouse, rule: Rule, metric: Metric, month: dt.date) -> list[Judgement]:
    target = float(rule.target or 0)
    low_bad = bool(metric.higher_is_better)
    out = []
    for _, r in _point(rule, metric, wh, month).iterrows():
        v, lo, hi = float(r["value"]), float(r["ci_low"]), float(r["ci_high"])
        judged = (hi if low_bad else lo) if rule.miss == "confidence" else v
        missed = judged < target if low_bad else judged > target
        how = "the whole 95 % interval" if rule.miss == "confidence" else "the figure"
        msg = (f"{r['segment']}: {metric.label} {_fmt(metric, v)} in {month:%Y-%m} "
               f"({_ci(metric, lo, hi)}, n {fmt.count(r['n'])}) "
               f"{'misses' if missed else 'meets'} the target {_fmt(metric, target)}"
               + (f" ({how} is on the wrong side)" if missed else ""))
        out.append(Judgement(rule.name, "sla", metric.full_name, r["segment"], month,
                             label(month), missed, v, int(r["n"]), lo, hi, target, None, msg))
    return out


def control(wh: Warehouse, rule: Rule, metric: Metric, month: dt.date) -> list[Judgement]:
    """Laney p′ for shares (limits from the baseline months' k/n), ±sigmas·SE around the
    baseline's n-weighted mean for everything with a standard error."""
    frame = figures(wh, metric, rule.by, rule.where, add_months(month, -rule.baseline_months),
                    add_months(month, 1), monthly=True)
    out = []
    for segment, part in frame.groupby("segment", sort=True):
        now = part[part[PERIOD] == month]
        base = part[(part[PERIOD] < month) & (part["n"] > 0)].sort_values(PERIOD)
        if now.empty or int(now["n"].iloc[0]) < _min_n(rule, metric) or \
                len(base) < MIN_BASELINE:
            continue
        r = now.iloc[0]
        v, n = float(r["value"]), int(r["n"])
        # the baseline months, then the month judged: limits learnt from the former only
        rows = pd.concat([base, now.iloc[:1]], ignore_index=True)
        lim = control_limits(rows, metric, baseline=np.arange(len(rows)) < len(base),
                             sigmas=rule.sigmas)
        centre, low, high = lim.centre, float(lim.low[-1]), float(lim.high[-1])
        how = f"{lim.method} limits"
        if not (np.isfinite(low) and np.isfinite(high)):
            continue
        bad_low = metric.higher_is_better
        below, above = v < low, v > high
        breached = (below if bad_low else above) if bad_low is not None else (below or above)
        limit = low if (below or (not above and bad_low)) else high
        msg = (f"{segment}: {metric.label} {_fmt(metric, v)} in {month:%Y-%m} "
               f"({_ci(metric, r['ci_low'], r['ci_high'])}, n {fmt.count(n)}) is "
               f"{'outside' if (below or above) else 'inside'} its {how} "
               f"{fmt.interval(low, high, metric.unit.value)} around {_fmt(metric, centre)} "
               f"(the {len(base)} months before)")
        out.append(Judgement(rule.name, "control", metric.full_name, str(segment), month,
                             label(month), bool(breached), v, n, float(r["ci_low"]),
                             float(r["ci_high"]), float(limit), None, msg))
    return out


def drift(wh: Warehouse, rule: Rule, metric: Metric, month: dt.date) -> list[Judgement]:
    """The last ``months`` months against the ``months`` before them; BH across segments."""
    if not testable(metric):
        return []
    k = rule.months
    start = add_months(month, 1 - k)
    now = figures(wh, metric, rule.by, rule.where, start, add_months(month, 1))
    before = figures(wh, metric, rule.by, rule.where, add_months(start, -k), start)
    both = now.merge(before, on="segment", suffixes=("", "_before"))
    m = _min_n(rule, metric)
    both = both[(both["n"] >= m) & (both["n_before"] >= m)].reset_index(drop=True)
    if both.empty:
        return []
    prior = both[[c for c in both.columns if c.endswith("_before")]]
    prior.columns = [c.removesuffix("_before") for c in prior.columns]
    p = change_p(metric, prior, both)
    q, _ = benjamini_hochberg(p, rule.alpha)
    change = both["value"].to_numpy(float) - both["value_before"].to_numpy(float)
    se = np.sqrt(both["var"].to_numpy(float) + both["var_before"].to_numpy(float))
    z = z_value(0.95)
    bad_low = metric.higher_is_better
    win, win_before = label(start, month), label(add_months(start, -k), add_months(start, -1))
    out = []
    for i in range(len(both)):
        r = both.iloc[i]
        d = float(change[i])
        worse = (d < 0 if bad_low else d > 0) if bad_low is not None else True
        breached = bool(q[i] <= rule.alpha and worse and abs(d) >= rule.min_change)
        u = metric.unit.value
        msg = (f"{r['segment']}: {metric.label} {_fmt(metric, r['value'])} in {win} "
               f"(n {fmt.count(r['n'])}) vs {_fmt(metric, r['value_before'])} in {win_before} "
               f"(n {fmt.count(r['n_before'])}): {fmt.signed(d, u)} (95 % CI "
               f"{fmt.signed(d - z * se[i], u)} to {fmt.signed(d + z * se[i], u)}), "
               f"p {fmt.p_short(p[i])}, BH q {fmt.p_short(q[i])}")
        out.append(Judgement(rule.name, "drift", metric.full_name, r["segment"], month, win,
                             breached, float(r["value"]), int(r["n"]), float(r["ci_low"]),
                             float(r["ci_high"]), float(r["value_before"]), float(p[i]), msg,
                             d, d - z * float(se[i]), d + z * float(se[i])))
    return out


CHECKS = {"threshold": threshold, "sla": sla, "control": control, "drift": drift}
