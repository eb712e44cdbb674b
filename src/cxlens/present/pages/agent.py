"""One agent's page (``agent_id`` filter): their figures by period, their CSAT rank among all
agents and their complexity-adjusted figures against their team (case mix)."""

from __future__ import annotations

import datetime as dt

from cxlens.casemix import CHERRY_PICKING, period
from cxlens.casemix.shared import agents_table
from cxlens.errors import NotFound
from cxlens.format import figure as in_words
from cxlens.format import metric_unit
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.query import leaderboard
from cxlens.present import charts
from cxlens.present.filters import where
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import figure, metric_frame
from cxlens.present.scope import limited, only_theirs
from cxlens.qa.reviews import agent_segments
from cxlens.store.shared import shared

AGENT_KPIS = ("csat", "fcr", "aht", "first_response_time", "reopen_rate", "escalation_rate",
              "calls_handled", "contact_volume")


def agent(ctx: PageCtx) -> Page:
    """One agent (``agent_id`` filter): their figures by period, and where they stand among
    all agents on CSAT once small samples are shrunk towards the average."""
    agent_id = ctx.filters.agent_id
    if not agent_id:
        raise NotFound("no agent chosen", "open an agent from the vendors page, or add "
                       "?agent_id=… to the address")
    # a vendor viewer opens only an agent who worked for their vendor (no SQL here: the
    # agent's segments are the domain's, the rule is present.scope's)
    if limited(ctx.user) and not only_theirs(ctx.user, agent_segments(ctx.wh, agent_id),
                                             lambda segment: segment[0]):
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
        label, unit = resolve(str(row.metric)).label, metric_unit(str(row.metric))
        page.notes.append(
            f"Flagged for cherry-picking on {label}: raw {in_words(row.raw, unit)} against the "
            f"team's {in_words(row.team_raw, unit)}, but on the same contacts "
            f"{row.vs_team:.2f}× the team "
            f"({row.vs_team_ci_low:.2f}–{row.vs_team_ci_high:.2f}, n = {row.n}); their "
            f"ticket mix differs from the team's (Jensen–Shannon {row.mix_js:.2f} bits).")
