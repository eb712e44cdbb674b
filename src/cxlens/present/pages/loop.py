"""The closed-loop page (figures from the metric layer): follow-up speed, overdue cases and
recovery by owner and vendor, and root causes by vendor, category and product over time."""

from __future__ import annotations

from cxlens.metrics.catalogue import resolve
from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import figure, metric_frame

LOOP_KPIS = ("followup_cases", "followup_within", "followup_within:h48", "time_to_followup",
             "overdue_case_rate", "recovery_rate")


def loop(ctx: PageCtx) -> Page:
    page = Page("loop", "Closed loop")
    total, cannot = metric_frame(ctx, list(LOOP_KPIS))
    page.figures = [figure(r, resolve(r["metric"]), cannot.get(r["metric"], []))
                    for _, r in total.iterrows()]
    for dim in ("owner", "vendor"):
        frame, _ = metric_frame(ctx, list(LOOP_KPIS[1:]), dims=(dim,))
        page.tables[f"by_{dim}"] = frame
    causes, _ = metric_frame(ctx, ["followup_cases"], dims=("root_cause", "vendor"))
    page.tables["root_causes_by_vendor"] = causes
    cats, _ = metric_frame(ctx, ["followup_cases"], dims=("root_cause", "category"))
    page.tables["root_causes_by_category"] = cats
    prods, _ = metric_frame(ctx, ["followup_cases"], dims=("root_cause", "product"))
    page.tables["root_causes_by_product"] = prods
    trend, _ = metric_frame(ctx, ["followup_cases"], dims=("root_cause",), grain="month")
    page.tables["root_causes_by_month"] = trend
    within, _ = metric_frame(ctx, ["followup_within"], dims=("vendor",))
    if len(within):
        page.charts.append(Chart("within", "Followed up within 24 h, by vendor",
                                 charts.intervals(within, "vendor", "Within 24 h"), "by_vendor"))
    page.links.append(("Open the case list", "/cases"))
    return page
