"""The overview: the period named in words, each headline figure with its change on the
previous period of equal length and on the same period last year (tested, said plainly, q
beside p), its target and status, and a sparkline of its last 12 periods.

The changes are :func:`cxlens.metrics.period_change.period_change` (the metric's own
two-sample test) with Benjamini–Hochberg q across every change on the page; targets and
statuses are :mod:`cxlens.targets`. Without from/to the period is the data's span."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pandas as pd

from cxlens import format as fmt
from cxlens.contracts.store import contracts
from cxlens.dates import add_months
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.definition import definition
from cxlens.metrics.period_change import PeriodChange, change, corrected, figures
from cxlens.periods import Period, days, words, year_before
from cxlens.present import charts
from cxlens.present.filters import where
from cxlens.present.model import Chart, Figure, Page, PageCtx
from cxlens.present.pages._common import figure, metric_frame
from cxlens.present.scope import limited
from cxlens.targets import HEADLINE, status, target

#: How many periods a sparkline shows.
SPARK = 12


def step(day: dt.date, grain: str, count: int) -> dt.date:
    """``day`` moved by ``count`` periods of ``grain``."""
    months = {"month": 1, "quarter": 3, "year": 12}.get(grain)
    if months:
        return add_months(day, months * count)
    return day + dt.timedelta(days=(7 if grain == "week" else 1) * count)


def _seen(trend: pd.DataFrame) -> pd.Series:
    """The periods of ``trend`` with answers."""
    return pd.to_datetime(trend.loc[trend["n"] > 0, "period"]) if len(trend) else pd.Series()


def period(ctx: PageCtx, trend: pd.DataFrame) -> Period | None:
    """The period the figures cover: from/to, a missing side taken from the data (the first
    and last periods with answers); None when there is no data and no dates."""
    seen = _seen(trend)
    first = dt.date.fromisoformat(ctx.filters.start) if ctx.filters.start else (
        seen.min().date() if len(seen) else None)
    last = dt.date.fromisoformat(ctx.filters.end) if ctx.filters.end else (
        step(seen.max().date(), ctx.filters.grain, 1) - dt.timedelta(days=1)
        if len(seen) else None)
    if first is None or last is None or last < first:
        return None
    return days(first, last)


def latest(ctx: PageCtx, trend: pd.DataFrame, today: dt.date | None = None) -> Period | None:
    """The last whole period of the grain with answers (the one before it while it is still
    running): what the changes compare when no dates are chosen, since the data's whole span
    has no previous period of its length. None without data."""
    seen = _seen(trend)
    if not len(seen):
        return None
    grain, first = ctx.filters.grain, seen.max().date()
    if step(first, grain, 1) > (today or dt.datetime.now(dt.UTC).date()):
        first = step(first, grain, -1)
    return days(first, step(first, grain, 1) - dt.timedelta(days=1))


def focus(ctx: PageCtx, trend: pd.DataFrame) -> tuple[PageCtx, Period | None]:
    """The context and period the changes are about: the chosen dates, or without dates the
    latest whole period of the grain (the sentences then name it and give its figure)."""
    if ctx.filters.start or ctx.filters.end:
        return ctx, period(ctx, trend)
    recent = latest(ctx, trend)
    if recent is None:
        return ctx, None
    last = recent.end - dt.timedelta(days=1)
    return dataclasses.replace(ctx, filters=dataclasses.replace(
        ctx.filters, start=recent.start.isoformat(), end=last.isoformat())), recent


def magnitude(value: float, unit: str) -> str:
    """A change's size without its sign, in the figure's units: "3.1 points" for
    percentages and NPS points, "0.2" for a score, "1 min 30 s" for a duration."""
    u = fmt.unit_of(unit)
    if u in (fmt.Unit.PERCENT, fmt.Unit.POINTS):
        return f"{fmt.decimal(abs(value), 1)} points"
    return fmt.number(abs(value), u)


def said(c: PeriodChange, unit: str, what: str) -> str:
    """One change in words: "down 3.1 points on Feb 2025 (95 % interval -4.0 to -2.2;
    p < 0.001)", q beside p when several changes were tested, or "no data for ..."."""
    when = words(c.before, short=True)
    if c.change is None:
        if c.value_after is None:
            return f"no data for this period to compare with {when}"
        side = "the previous period" if what == "previous" else "the same period last year"
        return f"no data for {side} ({when})"
    size = magnitude(c.change, unit)
    if size == magnitude(0.0, unit):  # rounds to nothing: not "up 0.0 points"
        move, size = "unchanged", ""
    else:
        move, size = ("up" if c.change > 0 else "down"), f" {size}"
    test = [f"95 % interval {fmt.change(c.ci_low, unit)} to {fmt.change(c.ci_high, unit)}"]
    if c.p is not None:
        test.append(f"p {fmt.p_number(c.p)}" + (
            f", q {fmt.p_number(c.q)}" if c.q is not None and c.tested > 1 else ""))
    else:
        test.append("no test for this kind of figure")
    return f"{move}{size} on {when} ({'; '.join(test)})"


def sparklines(ctx: PageCtx, page: Page, cur: Period) -> dict[str, dict[str, Any]]:
    """Per figure, the last :data:`SPARK` periods at the grain up to the period's end (one
    query per table), with the text naming the first and last values."""
    grain = ctx.filters.grain
    start = step(cur.end, grain, -SPARK - 1)
    last_day = cur.end - dt.timedelta(days=1)
    window = dataclasses.replace(ctx, filters=dataclasses.replace(
        ctx.filters, start=start.isoformat(), end=last_day.isoformat()))
    frame, _ = metric_frame(window, [f.metric for f in page.figures], grain=grain)
    out = {}
    for f in page.figures:
        part = frame[(frame["metric"] == f.metric) & (frame["n"] > 0)]
        part = part.sort_values("period").tail(SPARK)
        if part.empty:
            continue
        first, last = part.iloc[0], part.iloc[-1]
        label = (f"{f.label} by {grain}, last {len(part)}: "
                 f"{fmt.number(first['value'], f.unit)} in {_when(first['period'], grain)} "
                 f"to {fmt.number(last['value'], f.unit)} in {_when(last['period'], grain)}")
        out[f.metric] = {"spec": charts.sparkline(part, label), "label": label}
    return out


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _when(value: Any, grain: str) -> str:
    ts = pd.Timestamp(value)
    if grain == "month":
        return f"{ts:%b %Y}"
    if grain == "quarter":
        return f"Q{ts.quarter} {ts.year}"
    if grain == "year":
        return f"{ts.year}"
    return f"{ts.day} {ts:%b %Y}"


def _changes(ctx: PageCtx, page: Page, cur: Period) -> list[tuple[Figure, str, PeriodChange]]:
    """Each figure's change on the previous period and (when it does not overlap) the same
    period last year, the metrics sharing a filter read together."""
    comparisons = {"previous": cur.previous(), "year": year_before(cur)}
    if comparisons["year"].end > cur.start:  # a period longer than a year overlaps its own
        del comparisons["year"]
    metrics = {f.metric: definition(f.metric, ctx.wh).metric for f in page.figures}
    groups: dict[str | None, list[str]] = {}
    for name, metric in metrics.items():
        groups.setdefault(where(metric, ctx.filters)[0], []).append(name)
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    for text, names in groups.items():
        chosen = [metrics[n] for n in names]
        for what, p in {"current": cur, **comparisons}.items():
            for name, frame in zip(names, figures(ctx.wh, chosen, p, text), strict=True):
                frames[name, what] = frame
    return [(f, what, change(metrics[f.metric], p, cur, frames[f.metric, what],
                             frames[f.metric, "current"]))
            for f in page.figures for what, p in comparisons.items()]


def headlines(ctx: PageCtx, page: Page, cur: Period, named: bool = False,
              ) -> dict[str, dict[str, Any]]:
    """Per headline figure: its changes (said in words, with the link to what moved it), its
    target and status, and its sparkline. ``named``: ``cur`` is not the page's period (no
    dates chosen: the latest whole period), so each change starts with it and its figure
    ("Sep 2026: 84.1 %, up 2.3 points on Aug 2026 (...)")."""
    pairs = _changes(ctx, page, cur)
    tested = corrected([c for _, _, c in pairs])
    spark = sparklines(ctx, page, cur)
    vendor = ctx.filters.vendor
    saved = contracts(ctx.wh) if vendor else []
    out: dict[str, dict[str, Any]] = {}
    for f in page.figures:
        metric = resolve(f.metric)
        goal = target(ctx.wh, f.metric, metric.higher_is_better is not False, vendor, saved)
        out[f.metric] = {
            "changes": [], "target": dataclasses.asdict(goal) if goal else None,
            "status": status(f.value, f.ci_low, f.ci_high, goal) if goal else None,
            "sparkline": spark.get(f.metric)}
    for (f, what, _), c in zip(pairs, tested, strict=True):
        text = said(c, f.unit, what)
        sep = ", " if c.change is not None else ": "
        if named and c.value_after is not None:  # the change is about the latest period
            text = (f"{words(cur, short=True)}: {fmt.number(c.value_after, f.unit)}"
                    f"{sep if c.change is not None else '; '}{text}")
            sentence = f"{f.label} {text}"
        else:
            sentence = f"{f.label} {fmt.number(f.value, f.unit)}{sep}{text}"
        out[f.metric]["changes"].append({
            "against": "previous period" if what == "previous" else "same period last year",
            "period": words(c.before), "text": text, "sentence": sentence,
            "change": c.change, "ci_low": c.ci_low, "ci_high": c.ci_high, "p": c.p, "q": c.q,
            "n_before": c.n_before, "value_before": c.value_before,
            "href": "/moved?" + ctx.filters.query_string(metric=f.metric)})
    return out


def overview(ctx: PageCtx) -> Page:
    page = Page("overview", "Overview")
    total, cannot = metric_frame(ctx, list(HEADLINE))
    if limited(ctx.user):  # e.g. relational NPS: about no interaction of theirs
        total = total[total["n"] > 0]
    for _, row in total.iterrows():
        page.figures.append(figure(row, resolve(row["metric"]), cannot[row["metric"]]))
    trend_names = [f.metric for f in page.figures if f.metric != "response_rate"]
    trend, _ = metric_frame(ctx, trend_names, grain=ctx.filters.grain)
    page.tables["trend"] = trend
    labels = {f.metric: f.label for f in page.figures}
    for name in trend_names:
        part = trend[trend["metric"] == name]
        if len(part):
            page.charts.append(Chart(f"trend_{name}", f"{labels[name]} by {ctx.filters.grain}",
                                     charts.trend(part, labels[name]), "trend"))
    for name, cols in cannot.items():
        if cols:
            page.notes.append(f"{labels.get(name, name)} cannot be filtered by "
                              f"{', '.join(cols)}: shown for all of them.")
    cur = period(ctx, trend)
    page.extra["period"] = words(cur) if cur else None
    at, recent = focus(ctx, trend)
    page.extra["headlines"] = headlines(at, page, recent, named=at is not ctx) \
        if recent else {}
    return page
