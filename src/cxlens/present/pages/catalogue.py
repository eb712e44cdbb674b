"""The metric catalogue page: every metric the viewer may see, with its definition."""

from __future__ import annotations

import pandas as pd

from cxlens.metrics.catalogue import catalogue
from cxlens.present.filters import visible
from cxlens.present.model import Page, PageCtx


def catalogue_page(ctx: PageCtx) -> Page:
    page = Page("catalogue", "Metric catalogue")
    rows = [{"metric": m.name, "label": m.label, "unit": m.unit.value,
             "phase": m.phase.value if m.phase else None, "touchpoint": m.touchpoint,
             "definition": m.description, "variants": ", ".join(m.variants)}
            for m in catalogue().values() if visible(m, ctx.user)]
    page.tables["metrics"] = pd.DataFrame(rows)
    return page
