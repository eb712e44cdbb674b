"""The touchpoints, journey and agent pages (see ``views`` for the page model)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.casemix import CHERRY_PICKING, period
from cxlens.casemix.shared import agents_table
from cxlens.errors import CxlensError, NotFound
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.query import leaderboard
from cxlens.metrics.spec import Phase
from cxlens.present import charts
from cxlens.present.filters import where
from cxlens.store.shared import shared
from cxlens.web.views import Chart, Page, PageCtx, figure, metric_frame

TOUCHPOINT_KPIS = ("fcr", "aht", "asa", "service_level", "abandonment_rate",
                   "first_response_time", "first_response_time:p90", "first_resolution_time",
                   "first_resolution_time:p90", "reopen_rate", "escalation_rate")
AGENT_KPIS = ("csat", "fcr", "aht", "first_response_time", "reopen_rate", "escalation_rate",
              "calls_handled", "contact_volume")


def touchpoints(ctx: PageCtx) -> Page:
    page = Page("touchpoints", "Touchpoints")
    volume, _ = metric_frame(ctx, ["contact_volume"], dims=("channel",))
    page.tables["volume"] = volume
    if len(volume):
        page.charts.append(Chart("volume", "Contact volume by channel",
                                 charts.bars(volume, "channel", "Contacts"), "volume"))
    kpis, _ = metric_frame(ctx, list(TOUCHPOINT_KPIS), dims=("channel",))
    page.tables["by_channel"] = kpis
    calls, _ = metric_frame(ctx, ["calls_handled"], dims=("agent_id",))
    page.tables["calls_per_agent"] = calls
    if len(calls):
        top = calls.sort_values("value", ascending=False).head(40)
        page.charts.append(Chart("calls", "Calls handled per agent (top 40)",
                                 charts.bars(top, "agent_id", "Calls handled"),
                                 "calls_per_agent"))
    return page


def journey(ctx: PageCtx) -> Page:
    """The five phases with their metrics; a metric that cannot be one figure (CLV over
    several currencies) is listed with the reason instead."""
    page = Page("journey", "Customer journey")
    rows = []
    for phase in Phase:
        for metric in (m for m in catalogue().values() if m.phase is phase):
            try:
                frame, cannot = metric_frame(ctx, [metric.name])
            except CxlensError as exc:
                page.notes.append(f"{metric.label}: {exc.message} ({exc.hint})")
                continue
            for _, row in frame.iterrows():
                fig = figure(row, resolve(row["metric"]), cannot.get(metric.name, []))
                page.figures.append(fig)
                rows.append({"phase": phase.value, **row.to_dict()})
    page.tables["phases"] = pd.DataFrame(rows)
    page.extra["phases"] = {p.value: [f.metric for f in page.figures
                                      if resolve(f.metric).phase is p] for p in Phase}
    return page


def agent(ctx: PageCtx) -> Page:
    """One agent (``agent_id`` filter): their figures by period, and where they stand among
    all agents on CSAT once small samples are shrunk towards the average."""
    agent_id = ctx.filters.agent_id
    if not agent_id:
        raise NotFound("no agent chosen", "open an agent from the vendors page, or add "
                       "?agent_id=… to the address")
    if ctx.user.role == "vendor" and not ctx.wh.query(
            "SELECT 1 FROM interactions WHERE agent_id = ? AND vendor = ? LIMIT 1",
            [agent_id, ctx.user.vendor]):
        raise NotFound(f"that agent is not one of {ctx.user.vendor}'s agents",
                       "open one of your agents from the vendors page")
    page = Page("agent", f"Agent {agent_id}")
    totals, _ = metric_frame(ctx, list(AGENT_KPIS))
    for _, row in totals.iterrows():
        page.figures.append(figure(row, resolve(row["metric"]), []))
    trend, _ = metric_frame(ctx, list(AGENT_KPIS), grain=ctx.filters.grain)
    page.tables["by_period"] = trend
    csat = trend[trend["metric"] == "csat"]
    if len(csat):
        page.charts.append(Chart("csat", f"CSAT of {agent_id}", charts.trend(csat, "CSAT"),
                                 "by_period"))
    peers = ctx.filters.__class__(start=ctx.filters.start, end=ctx.filters.end,
                                  vendor=ctx.filters.vendor)
    text, _ = where(resolve("csat"), peers)
    board = shared(ctx.wh, ("csat_rank", ctx.filters.start, ctx.filters.end, text),
                   lambda: leaderboard("csat", by=["agent_id"], start=ctx.filters.start,
                                       end=ctx.filters.end, where=text, db=ctx.wh))
    page.tables["csat_rank"] = board[board["agent_id"] == agent_id]
    page.extra["agents_ranked"] = len(board)
    _case_mix(ctx, agent_id, page)
    return page


def _case_mix(ctx: PageCtx, agent_id: str, page: Page) -> None:
    """The agent's complexity-adjusted AHT and CSAT, against their team on the same kind of
    contacts, and the cherry-picking flag (:mod:`cxlens.casemix`)."""
    first, after = period(ctx.wh, ctx.filters.start, ctx.filters.end)
    table = agents_table(ctx.wh, first, after)  # one fit serves every agent page
    own = table[table["agent_id"] == agent_id].reset_index(drop=True)
    page.tables["case_mix"] = own
    page.notes.append(
        f"Case mix {first} – {after - dt.timedelta(days=1)}: each figure is compared with "
        "what the average agent gets on the same kind of contacts (ticket type, channel, "
        "priority, product, language, segment, complexity); vs team > 1 means better than "
        "the team-mates on the same contacts (below 1 for handle time).")
    for row in own[own["flag"] == CHERRY_PICKING].itertuples():
        label = resolve(str(row.metric)).label
        page.notes.append(
            f"Flagged for cherry-picking on {label}: raw {row.raw:.1f} against the team's "
            f"{row.team_raw:.1f}, but on the same contacts {row.vs_team:.2f}× the team "
            f"({row.vs_team_ci_low:.2f}–{row.vs_team_ci_high:.2f}, n = {row.n}); their "
            f"ticket mix differs from the team's (Jensen–Shannon {row.mix_js:.2f} bits).")
