"""The survey programmes page: response rates per programme, channel and vendor, and why
invitations were suppressed (figures from the metric layer)."""

from __future__ import annotations

from cxlens.metrics.catalogue import resolve
from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import figure, metric_frame


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
