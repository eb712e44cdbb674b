"""The initiative impact page: each initiative's before/after change and, for a scoped one,
the difference-in-differences against the rest, with p and Benjamini–Hochberg q."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.format import count, decimal, p_number, p_value
from cxlens.insights import impact as impact_lib
from cxlens.metrics.catalogue import resolve
from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import company_wide, control, fig, option, rows_of

IMPACT_METRICS = ("csat", "fcr", "ces", "nps:relational")
#: The page reads no filter (each initiative has its own windows and scope).
USES: dict[str, tuple[str, ...]] = {"impact": ()}

def impact(ctx: PageCtx) -> Page:
    """Every initiative's before/after change of one metric (option ``metric``) and, for a
    scoped initiative, the difference-in-differences against the rest of the data, with
    p-values and Benjamini–Hochberg q-values across the initiatives."""
    company_wide(ctx, "Initiative impact")
    name = option(ctx, "metric", "csat", IMPACT_METRICS)
    metric = resolve(name)
    table = impact_lib.impacts(ctx.wh, name)
    page = Page("impact", f"Initiative impact on {metric.label}")
    page.tables["initiatives"] = table
    page.extra |= {"metric": name, "uses": list(USES["impact"]), "open": ["initiatives"],
                   "controls": [
        control("metric", "Metric", name, [(m, resolve(m).label) for m in IMPACT_METRICS])]}
    if table.empty:
        page.notes.append("The warehouse has no initiatives: import them into the "
                          "initiatives table (cxlens import initiatives FILE).")
        return page
    unit = metric.unit.value
    moved = "points" if unit in ("percent", "points") else unit
    # each figure in the metric's unit as the cards write it ("82.3 %", "+4.2"), not "82.29"
    ends = ("", "_ci_low", "_ci_high")
    table.attrs["units"] = dict.fromkeys((f"{figure}{end}" for figure in (
        "before", "after", "control_before", "control_after") for end in ends), unit)
    table.attrs["changes"] = dict.fromkeys((f"{figure}{end}" for figure in (
        "change", "control_change", "did") for end in ends), unit)
    rows = []
    for r in rows_of(table):
        key = r["initiative_id"]
        for part, label, u in (("before", "before", unit), ("after", "after", unit),
                               ("change", "change", moved), ("did", "DiD", moved)):
            if part in r and not pd.isna(r[part]):
                page.figures.append(fig(f"{part}:{key}", f"{r['name']}: {label}", u, r[part],
                                        r[f"{part}_n"], r[f"{part}_ci_low"],
                                        r[f"{part}_ci_high"], r["flag"]))
                if part in ("change", "did"):
                    # what the row is first: a chart cuts long labels at their end, and
                    # "Empathy training at Acme BP…" read the same for the change and DiD
                    rows.append({"label": f"{label[:1].upper()}{label[1:]}: {r['name']}",
                                 "value": r[part],
                                 "ci_low": r[f"{part}_ci_low"],
                                 "ci_high": r[f"{part}_ci_high"], "n": r[f"{part}_n"],
                                 "flag": r["flag"]})
    page.charts.append(Chart("changes", f"Change and difference-in-differences of "
                             f"{metric.label} (95 % interval)",
                             charts.intervals(pd.DataFrame(rows), "label", moved), "initiatives"))
    page.extra["findings"] = [_impact_sentence(r, metric.label, moved) for r in rows_of(table)]
    page.notes.append(
        "Each initiative: 3 months before its start against the 3 months from it, in its "
        "scope; a scoped initiative also against everything outside the scope "
        "(difference-in-differences, which assumes both would have moved alike). p: the "
        "metric's test; q: Benjamini–Hochberg across the initiatives. cxlens impact measures "
        "other windows, metrics and controls.")
    return page


def _impact_sentence(r: dict[str, Any], label: str, unit: str) -> str:
    def diff(part: str) -> str:
        return (f"{decimal(r[part], 1, True)} {unit} (95 % "
                f"{decimal(r[f'{part}_ci_low'], 1, True)} to "
                f"{decimal(r[f'{part}_ci_high'], 1, True)}, {p_value(r[f'{part}_p'])}, "
                f"q {p_number(r[f'{part}_q'])}, n = {count(r[f'{part}_n'])})")

    start = pd.Timestamp(r["started_at"]).date()
    head = (f"{r['name']} ({r['initiative_id']}, from {start}, scope: "
            f"{r['scope'] or 'everything'}): ")
    if pd.isna(r["change"]):
        return (head + f"no {label} figure before or after the start (n = "
                f"{int(r['before_n'])} before, {int(r['after_n'])} after).")
    text = head + f"{label} changed {diff('change')}"
    if "did" in r and not pd.isna(r["did"]):
        text += (f"; against the rest ({r['control']}) the difference-in-differences is "
                 f"{diff('did')}")
    flag = f" [{str(r['flag']).replace('_', ' ')}]" if r["flag"] else ""
    return text + flag + "."
