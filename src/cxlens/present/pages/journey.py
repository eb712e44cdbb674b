"""The customer journey page: the five phases with their metrics."""

from __future__ import annotations

import pandas as pd

from cxlens.errors import CxlensError
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.spec import Phase
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages._common import figure, metric_frame


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
