"""The CX report as data: the sections a director reads, built from the dashboard's page
data (the same figures, the same scope rules) plus the executive summary's plain-language
changes, control limits and benchmark bands. ``html.py`` renders it; nothing here renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from cxlens.accounts.users import User
from cxlens.errors import NotFound
from cxlens.format import number
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.definition import definition
from cxlens.metrics.query import MissingData, compare, leaderboard, parse_time
from cxlens.metrics.rank import TooFewSegments
from cxlens.metrics.result import COLUMNS
from cxlens.metrics.sampling import control_limits as control_limits_of
from cxlens.metrics.spec import Metric
from cxlens.periods import words
from cxlens.present import charts
from cxlens.present.filters import Filters, where
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages import journey, overview, touchpoints, vendors, verbatims
from cxlens.present.pages._common import figure, metric_frame
from cxlens.reports import insights
from cxlens.reports import moved as moved_section
from cxlens.reports.sections import Progress, more, sections_for
from cxlens.store.base import Warehouse

SUMMARY = ("nps:relational", "csat", "ces", "fcr")


@dataclass
class Report:
    title: str
    scope: str
    generated: str
    filters: Filters
    summary: Page
    sentences: list[str]
    #: The period the cover names: the dates asked for, else the first to the last month of
    #: the summary's figures.
    period: str = "all data"
    sections: list[Page] = field(default_factory=list)
    definitions: list[dict[str, str]] = field(default_factory=list)


def benchmarks() -> dict[str, Any]:
    text = resources.files("cxlens.reports").joinpath("benchmarks.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def trend(ctx: PageCtx, names: list[str]) -> pd.DataFrame:
    """Each metric by period with its standard error ``se`` (the metric layer's, from the
    sufficient statistics: the same as the alerts use) and those statistics beside it."""
    frames = []
    for name in names:
        d = definition(name, ctx.wh)
        text, _ = where(d.metric, ctx.filters)
        frames.append(d.figures(ctx.wh, grain=ctx.filters.grain,
                                start=parse_time(ctx.filters.start),
                                end=parse_time(ctx.filters.end, end=True), where=text))
    if not frames:
        return pd.DataFrame(columns=[*COLUMNS, "se"])
    return pd.concat(frames, ignore_index=True)


def control_limits(frame: pd.DataFrame, metric: Metric) -> pd.DataFrame | None:
    """Control limits of one metric's trend (``trend``'s rows) drawn as the control-chart
    alerts draw them: Laney p′ for shares, ±3 true SE for the rest; every period shown is
    the baseline."""
    part = frame[frame["n"] > 0]
    if len(part) < 3:
        return None
    lim = control_limits_of(part, metric)
    return pd.DataFrame({"period": part["period"].to_numpy(), "lcl": lim.low,
                         "ucl": lim.high, "centre": lim.centre})


def change_sentence(ctx: PageCtx, name: str) -> str | None:
    """The latest period against the one before, said plainly with its test."""
    metric = resolve(name)
    text, _ = where(metric, ctx.filters)
    try:
        frame = compare(name, grain=ctx.filters.grain, start=ctx.filters.start,
                        end=ctx.filters.end, where=text, db=ctx.wh)
    except MissingData:
        return None  # the figure itself is flagged, with the missing column and the fix
    tested = int(frame["p_value"].notna().sum())  # the changes the FDR correction spans
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
        verdict = (f"a statistically significant change "
                   f"({_tested(p, row['q_value'], tested, 3)}; {row['test']})")
    else:
        verdict = (f"not a statistically significant change "
                   f"({_tested(p, row['q_value'], tested, 2)}; {row['test']}): it may be noise")
    return f"{metric.label} {move} {gap} {when}, n = {int(row['n']):,}; {verdict}."


def _tested(p: float, q: float, tested: int, digits: int) -> str:
    """The figures the verdict rests on: the verdict is q ≤ 0.05 (Benjamini–Hochberg across
    every period-on-period change of the trend), so q is printed whenever it differs from p,
    with how many changes it corrects for; a lone change has q = p."""
    if tested <= 1:
        return f"p = {p:.{digits}f}"
    return (f"p = {p:.{digits}f}, q = {q:.{digits}f} after correcting for the {tested} "
            "changes tested")


def _period(value: Any) -> str:
    return pd.Timestamp(value).strftime("%B %Y")


#: A report needs at least one of these: contacts, answers, mentions or orders.
REPORTED = ("interactions", "survey_responses", "mentions", "orders")


def build_report(wh: Warehouse, filters: Filters, vendor: str | None = None,
                 progress: Progress | None = None) -> Report:
    """The report for ``filters`` and ``vendor`` (None: every vendor), computed section by
    section in the order of :data:`~cxlens.reports.sections.SECTIONS`; ``progress`` is told
    before each one (the dashboard's progress page and the CLI's bar show it)."""
    if not any(wh.scalar(f"SELECT count(*) FROM {t}") for t in REPORTED):
        raise NotFound(f"the warehouse {wh.url} holds no contacts, survey answers, mentions "
                       "or orders: there is nothing to report on",
                       "import your exports first (cxlens import interactions FILE "
                       "--mapping ..., docs/import.md), or build the demo (cxlens demo)")
    user = User("report", "vendor", vendor) if vendor else User("report", "analyst")
    filters = filters.scoped(user)
    ctx = PageCtx(wh, user, filters)
    steps = sections_for(vendor)
    builders = _builders(ctx, vendor)
    sections: list[Page] = []
    for done, step in enumerate(steps):
        if progress is not None:
            progress(step, done, len(steps))
        if step.name == "summary":  # the first: the cover's period comes from its trend
            summary, sentences, trend_all = _summary(ctx, vendor)
        else:
            sections.append(builders[step.name]())
    used = {str(m) for page in [summary, *sections] for t in page.tables.values()
            if "metric" in t for m in t["metric"].dropna().unique()}
    definitions = [{"metric": n, "label": resolve(n).label,
                    "definition": resolve(n).description} for n in sorted(used)]
    scope = f"vendor {vendor} only" if vendor else "all vendors"
    return Report(title="Customer experience report", scope=scope,
                  generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  filters=filters, summary=summary, sentences=sentences, sections=sections,
                  definitions=definitions, period=_covered(filters, trend_all))


def _builders(ctx: PageCtx, vendor: str | None) -> dict[str, Callable[[], Page]]:
    """Each section's builder by its name in :data:`~cxlens.reports.sections.SECTIONS`."""
    def level(name: str) -> Page:
        page = vendors.by_level(PageCtx(ctx.wh, ctx.user, ctx.filters, {"level": name}))
        page.links.clear()
        return page

    out: dict[str, Callable[[], Page]] = {
        "moved": lambda: moved_section.section(ctx),
        "touchpoints": lambda: touchpoints.touchpoints(ctx),
        "journey": lambda: journey.journey(ctx),
        "scorecard": lambda: _scorecard(ctx),
        "vendors": lambda: level("vendor"), "sites": lambda: level("site"),
        "csat_by_category": lambda: _csat_by_category(ctx),
        "leaderboard": lambda: _leaderboard(ctx), "verbatims": lambda: _verbatims(ctx)}
    for name in insights.NAMES:
        out[name] = partial(insights.section, name, ctx, vendor)
    return out


def _summary(ctx: PageCtx, vendor: str | None) -> tuple[Page, list[str], pd.DataFrame]:
    """The executive summary: headline figures, their trends with control limits and
    benchmark bands, and each change said plainly; with the trend it spans."""
    bands = benchmarks()
    summary = Page("summary", "Executive summary")
    totals, _ = metric_frame(ctx, list(SUMMARY))
    totals = totals[totals["n"] > 0] if vendor else totals
    trend_all = trend(ctx, list(totals["metric"]))
    summary.tables["trend"] = trend_all[[*COLUMNS, "se"]]
    sentences = []
    for _, row in totals.iterrows():
        metric = resolve(row["metric"])
        summary.figures.append(figure(row, metric, []))
        part = trend_all[trend_all["metric"] == row["metric"]]
        limits = control_limits(part, metric)
        summary.charts.append(Chart(
            f"summary_{metric.name}", f"{metric.label} by {ctx.filters.grain}: 95 % interval "
            "(band), control limits (dashed)",
            charts.trend(part, metric.label, limits, bands.get(metric.name)), "trend"))
        sentence = change_sentence(ctx, row["metric"])
        if sentence:
            sentences.append(sentence)
    cur = overview.period(ctx, trend_all)  # the overview's period, changes, targets
    summary.extra["period"] = words(cur) if cur else None
    at, recent = overview.focus(ctx, trend_all)
    summary.extra["headlines"] = overview.headlines(
        at, summary, recent, named=at is not ctx) if recent else {}
    return summary, sentences, trend_all


def _covered(filters: Filters, frame: pd.DataFrame) -> str:
    if filters.start or filters.end:
        return f"{filters.start or 'the first data'} to {filters.end or 'the latest data'}"
    periods = frame.loc[frame["n"] > 0, "period"]
    if periods.empty:
        return "all data"
    return f"{_period(periods.min())} to {_period(periods.max())}"


def _verbatims(ctx: PageCtx, top: int = 40) -> Page:
    """The most recent ``top`` comments, and how many more the period holds."""
    page = verbatims.verbatims(ctx, limit=2**62)
    frame = page.tables["comments"]
    page.tables["comments"] = frame.head(top)
    if len(frame) > top:
        more(page, "comments", f"and {len(frame) - top:,} more comments (older ones): "
             "the dashboard's Voice of the customer page lists them all.")
    return page


def _scorecard(ctx: PageCtx) -> Page:
    """The dashboard's scorecard grid by vendor (every vendor's column, in groups that fit
    the page; no links: a printed page has nowhere to go)."""
    page = Page("scorecard", "Vendor scorecard")
    grid = vendors.scorecard_grid(PageCtx(ctx.wh, ctx.user, ctx.filters, {"by": "vendor"}),
                                 links=False)
    if grid is None:
        page.notes.append("No scorecard: no contract with KPIs is saved.")
    else:
        page.extra["grid"] = grid
    return page


def _csat_by_category(ctx: PageCtx) -> Page:
    page = Page("csat_by_category", "CSAT by ticket type")
    frame, _ = metric_frame(ctx, ["csat"], dims=("category",))
    page.tables["csat_by_category"] = frame
    if len(frame):
        page.charts.append(Chart("csat_category", "CSAT by ticket type (a good average can "
                                 "hide a bad category)",
                                 charts.intervals(frame, "category", "CSAT (%)"),
                                 "csat_by_category"))
    return page


def _leaderboard(ctx: PageCtx, top: int = 15) -> Page:
    """Agents ranked by CSAT shrunk towards the average, so three lucky answers cannot top
    it; raw figure and n beside it."""
    page = Page("leaderboard", "Agent leaderboard (CSAT, shrunk)")
    text, _ = where(resolve("csat"), ctx.filters)
    try:
        board = leaderboard("csat", by=["agent_id"], start=ctx.filters.start,
                            end=ctx.filters.end, where=text, db=ctx.wh)
    except TooFewSegments:
        page.notes.append("No leaderboard: fewer than two agents have CSAT answers in this "
                          "period, so there is nobody to rank.")
        return page
    board = board[board["n"] > 0].sort_values("rank")
    cols = ["rank", "agent_id", "shrunk", "shrunk_low", "shrunk_high", "value", "n", "raw_rank"]
    shown = pd.concat([board.head(top), board.tail(top)]).drop_duplicates()[cols]
    page.tables["leaderboard"] = shown.rename(columns={
        "shrunk": "CSAT shrunk (%)", "shrunk_low": "low", "shrunk_high": "high",
        "value": "CSAT raw (%)", "raw_rank": "raw rank"})
    which = f"Top and bottom {top} of" if len(board) > len(shown) else "All"
    page.notes.append(f"{which} {len(board)} agents by shrunk CSAT "
                      "(empirical Bayes: small samples are pulled towards the average).")
    if len(board) > len(shown):
        more(page, "leaderboard", f"and {len(board) - len(shown):,} more agents, ranked "
             f"{top + 1}–{len(board) - top}, between the top {top} and the bottom {top}.")
    return page
