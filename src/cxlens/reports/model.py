"""The CX report as data: the sections a director reads, built from the dashboard's page
data (the same figures, the same scope rules) plus the executive summary's plain-language
changes, control limits and benchmark bands. ``html.py`` renders it; nothing here renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from cxlens.metrics.catalogue import resolve
from cxlens.metrics.query import compare, leaderboard
from cxlens.metrics.spec import Unit
from cxlens.reports import insights
from cxlens.stats.control import p_chart, se_chart
from cxlens.store.base import Warehouse
from cxlens.web import charts, views, views_more
from cxlens.web.accounts import User
from cxlens.web.filters import Filters, where
from cxlens.web.render import number
from cxlens.web.views import Chart, Ctx, Page

SUMMARY = ("nps:relational", "csat", "ces", "fcr")
Z95 = 1.959963984540054


@dataclass
class Report:
    title: str
    scope: str
    generated: str
    filters: Filters
    summary: Page
    sentences: list[str]
    sections: list[Page] = field(default_factory=list)
    definitions: list[dict[str, str]] = field(default_factory=list)


def benchmarks() -> dict[str, Any]:
    text = resources.files("cxlens.reports").joinpath("benchmarks.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def control_limits(frame: pd.DataFrame, unit: str) -> pd.DataFrame | None:
    """p-chart limits for percentages, ±3 SE (from the 95 % interval) for the rest."""
    part = frame[frame["n"] > 0]
    if len(part) < 3:
        return None
    if unit == Unit.PERCENT.value:
        centre, low, high = p_chart(part["value"] / 100, part["n"])
        centre, low, high = 100 * centre, 100 * low, 100 * high
    else:
        se = (part["ci_high"].astype(float) - part["ci_low"].astype(float)) / (2 * Z95)
        centre, low, high = se_chart(part["value"], se, part["n"])
    return pd.DataFrame({"period": part["period"].to_numpy(), "lcl": low, "ucl": high,
                         "centre": centre})


def change_sentence(ctx: Ctx, name: str) -> str | None:
    """The latest period against the one before, said plainly with its test."""
    metric = resolve(name)
    text, _ = where(metric, ctx.filters)
    frame = compare(name, grain=ctx.filters.grain, start=ctx.filters.start,
                    end=ctx.filters.end, where=text, db=ctx.wh)
    frame = frame[frame["previous_value"].notna() & frame["value"].notna()]
    if frame.empty:
        return None
    row = frame.iloc[-1]
    unit = metric.unit.value
    move = "rose" if row["change"] > 0 else "fell" if row["change"] < 0 else "did not change"
    gap = number(abs(row["change"]), "points" if unit == "percent" else unit).lstrip("+")
    gap = f"{gap} points" if unit in ("percent", "points") else gap
    when = (f"from {number(row['previous_value'], unit)} in {_period(row['previous_period'])} "
            f"to {number(row['value'], unit)} in {_period(row['period'])}")
    p = row["p_value"]
    if pd.isna(p):
        verdict = "no significance test applies to this figure"
    elif row["significant"]:
        verdict = f"a statistically significant change (p = {p:.3f}, {row['test']})"
    else:
        verdict = (f"not a statistically significant change (p = {p:.2f}, {row['test']}): "
                   "it may be noise")
    return f"{metric.label} {move} {gap} {when}, n = {int(row['n']):,}; {verdict}."


def _period(value: Any) -> str:
    return pd.Timestamp(value).strftime("%B %Y")


def build_report(wh: Warehouse, filters: Filters, vendor: str | None = None) -> Report:
    user = User("report", "vendor", vendor) if vendor else User("report", "analyst")
    filters = filters.scoped(user)
    ctx = Ctx(wh, user, filters)
    bands = benchmarks()
    summary = views.Page("summary", "Executive summary")
    totals, _ = views.metric_frame(ctx, list(SUMMARY))
    totals = totals[totals["n"] > 0] if vendor else totals
    trend, _ = views.metric_frame(ctx, list(totals["metric"]), grain=filters.grain)
    summary.tables["trend"] = trend
    sentences = []
    for _, row in totals.iterrows():
        metric = resolve(row["metric"])
        summary.figures.append(views.figure(row, metric, []))
        part = trend[trend["metric"] == row["metric"]]
        limits = control_limits(part, metric.unit.value)
        summary.charts.append(Chart(
            f"summary_{metric.name}", f"{metric.label} by {filters.grain}: 95 % interval "
            "(band), control limits (dashed)",
            charts.trend(part, metric.label, limits, bands.get(metric.name)), "trend"))
        sentence = change_sentence(ctx, row["metric"])
        if sentence:
            sentences.append(sentence)
    sections = [views_more.touchpoints(ctx), views_more.journey(ctx)]
    by_vendor = views.vendors(Ctx(wh, user, filters, {"level": "vendor"}))
    by_site = views.vendors(Ctx(wh, user, filters, {"level": "site"}))
    by_site.links.clear()
    by_vendor.links.clear()
    sections += [by_vendor, by_site, _csat_by_category(ctx), _leaderboard(ctx),
                 *insights.sections(ctx, vendor), views.verbatims(ctx, limit=40)]
    used = {str(m) for page in [summary, *sections] for t in page.tables.values()
            if "metric" in t for m in t["metric"].dropna().unique()}
    definitions = [{"metric": n, "label": resolve(n).label,
                    "definition": resolve(n).description} for n in sorted(used)]
    scope = f"vendor {vendor} only" if vendor else "all vendors"
    return Report(title="Customer experience report", scope=scope,
                  generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  filters=filters, summary=summary, sentences=sentences, sections=sections,
                  definitions=definitions)


def _csat_by_category(ctx: Ctx) -> Page:
    page = Page("csat_by_category", "CSAT by ticket type")
    frame, _ = views.metric_frame(ctx, ["csat"], dims=("category",))
    page.tables["csat_by_category"] = frame
    if len(frame):
        page.charts.append(Chart("csat_category", "CSAT by ticket type (a good average can "
                                 "hide a bad category)",
                                 charts.intervals(frame, "category", "CSAT (%)"),
                                 "csat_by_category"))
    return page


def _leaderboard(ctx: Ctx, top: int = 15) -> Page:
    """Agents ranked by CSAT shrunk towards the average, so three lucky answers cannot top
    it; raw figure and n beside it."""
    page = Page("leaderboard", "Agent leaderboard (CSAT, shrunk)")
    text, _ = where(resolve("csat"), ctx.filters)
    board = leaderboard("csat", by=["agent_id"], start=ctx.filters.start,
                        end=ctx.filters.end, where=text, db=ctx.wh)
    board = board[board["n"] > 0].sort_values("rank")
    cols = ["rank", "agent_id", "shrunk", "shrunk_low", "shrunk_high", "value", "n", "raw_rank"]
    shown = pd.concat([board.head(top), board.tail(top)]).drop_duplicates()[cols]
    page.tables["leaderboard"] = shown.rename(columns={
        "shrunk": "CSAT shrunk (%)", "shrunk_low": "low", "shrunk_high": "high",
        "value": "CSAT raw (%)", "raw_rank": "raw rank"})
    page.notes.append(f"Top and bottom {top} of {len(board)} agents by shrunk CSAT "
                      "(empirical Bayes: small samples are pulled towards the average).")
    return page
