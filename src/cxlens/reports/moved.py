"""The report's "What moved it" section: for each headline metric whose change is significant
(its interval leaves out 0) — or, when none is, the two that moved most against their noise —
the sentence, the mix-and-rate chart and the segments that moved it most, the rest counted
("and 12 more segments"), never cut silently. Each is the dashboard's /moved page for that
metric (the same periods, split and scope); a vendor's report splits by ticket type within
their own contacts, the company's by ticket type × vendor."""

from __future__ import annotations

from cxlens.present import moved as words
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages.moved import DEFAULT_BY, moved_page
from cxlens.reports.sections import more

#: The headline metrics read (those of the executive summary).
METRICS = ("csat", "nps:relational", "ces", "fcr")
#: Shown when no change is significant.
FALLBACK = 2
#: Segments listed per metric, the largest contributions first.
TOP = 10


def section(ctx: PageCtx) -> Page:
    """One page: a sentence, a chart and a table per metric shown."""

    vendor = ctx.user.role == "vendor"
    pages = []
    for name in METRICS:
        by = DEFAULT_BY.get(name) or ("category" if vendor else "category,vendor")
        page = moved_page(PageCtx(ctx.wh, ctx.user, ctx.filters, {"metric": name, "by": by}))
        if "segments" in page.tables:
            pages.append(page)
    significant = [p for p in pages if p.extra["significant"]]
    out = Page("moved", "What moved it")
    chosen = significant or sorted(pages, key=_z, reverse=True)[:FALLBACK]
    if not chosen:
        out.notes.append("No headline metric has answers in both periods compared: nothing "
                         "to split.")
        return out
    if not significant:
        out.notes.append(f"No headline change is statistically significant; the {len(chosen)} "
                         "that moved most against their noise are split below.")
    for page in chosen:
        metric = str(page.extra["metric"])
        out.extra.setdefault("findings", []).extend(page.extra["findings"])
        chart = page.charts[0]
        chart.name, chart.table = f"moved_{_key(metric)}", _key(metric)
        out.charts.append(chart)
        table = page.tables["segments"]
        order = table["contribution"].abs().sort_values(ascending=False, kind="stable").index
        shown = table.loc[order].head(TOP)
        out.tables[_key(metric)] = words.compact(shown, tuple(str(page.extra["by"]).split(",")),
                                                 str(page.extra["unit"]),
                                                 str(page.extra["label"]))
        out.extra.setdefault("captions", {})[_key(metric)] = (
            f"{page.title.removeprefix('What moved ')}: the segments by the size of their "
            f"contribution" + (f" (the {TOP} largest)" if len(table) > TOP else ""))
        if len(table) > TOP:
            more(out, _key(metric), f"and {len(table) - TOP:,} more segments, whose "
                 f"contributions are smaller: the dashboard's What moved page "
                 f"(/moved?metric={metric}) lists all {len(table):,}.")
    out.notes.append(
        "Each change compares the report's period (without dates: the latest month) with the "
        "period of equal length before it. Mix is the part from more or fewer answers in a "
        "segment (counted against the average), rate the part from a better or worse figure "
        "within it; they add up to the change. 95 % intervals (delta method); a segment "
        "below the metric's minimum sample is flagged small (hollow bars).")
    return out


def _z(page: Page) -> float:
    t = page.extra["totals"]["change"]
    return abs(t["value"]) / t["se"] if t["se"] > 0 else 0.0


def _key(metric: str) -> str:
    return metric.replace(":", "_")
