"""The survey programmes and closed-loop pages (figures from the metric layer; see ``views``
for the page model): response rates per programme, channel and vendor, why invitations were
suppressed, follow-up speed, overdue cases and recovery by owner and vendor, and root causes
by vendor, category and product over time."""

from __future__ import annotations

from cxlens.metrics.catalogue import resolve
from cxlens.present import charts
from cxlens.web.views import Chart, Page, PageCtx, figure, metric_frame

LOOP_KPIS = ("followup_cases", "followup_within", "followup_within:h48", "time_to_followup",
             "overdue_case_rate", "recovery_rate")


def surveys(ctx: PageCtx) -> Page:
    page = Page("surveys", "Survey programmes")
    total, cannot = metric_frame(ctx, ["response_rate", "response_rate:sent"])
    page.figures = [figure(r, resolve(r["metric"]), cannot.get(r["metric"], []))
                    for _, r in total.iterrows()]
    for dim in ("programme", "survey_channel", "vendor"):
        frame, _ = metric_frame(ctx, ["response_rate"], dims=(dim,))
        page.tables[f"response_rate_by_{dim}"] = frame
        if dim == "programme" and len(frame):
            page.charts.append(Chart("by_programme", "Response rate by programme",
                                     charts.intervals(frame, dim, "Response rate"),
                                     "response_rate_by_programme"))
    suppressed, _ = metric_frame(ctx, ["invitations_suppressed"], dims=("suppressed_by",))
    page.tables["suppressed"] = suppressed
    page.links.append(("Programme definitions", "/programmes"))
    page.notes.append("Suppressed invitations were never sent: a contact-frequency rule "
                      "(suppressed_by) stopped them; they are in neither side of the rate.")
    return page


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
