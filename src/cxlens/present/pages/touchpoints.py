"""The touchpoints page: contact volume and service KPIs by channel, calls per agent."""

from __future__ import annotations

from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import metric_frame

TOUCHPOINT_KPIS = ("fcr", "aht", "asa", "service_level", "abandonment_rate",
                   "first_response_time", "first_response_time:p90", "first_resolution_time",
                   "first_resolution_time:p90", "reopen_rate", "escalation_rate")


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


