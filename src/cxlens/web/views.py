"""What each dashboard page shows, as data: headline figures, charts and the tables behind
them. The HTML pages, their JSON twins under /api, the CSV downloads and the report all render
these; nothing here renders, and nothing here computes a metric itself (``metrics.query``
does)."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from cxlens.errors import NotFound, did_you_mean
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.compile import Request
from cxlens.metrics.definition import definition
from cxlens.metrics.query import parse_time, run
from cxlens.metrics.spec import Metric
from cxlens.present import charts
from cxlens.present.filters import Filters, visible, where
from cxlens.present.model import Chart as Chart  # the page model, re-exported here
from cxlens.present.model import Figure as Figure
from cxlens.present.model import Page as Page
from cxlens.present.model import PageCtx as PageCtx
from cxlens.present.model import as_json as as_json
from cxlens.targets import HEADLINE as HEADLINE
from cxlens.text.redact import redact

#: Drill path of the vendors page.
LEVELS = ("vendor", "site", "team", "agent_id")
VENDOR_KPIS = ("csat", "fcr", "aht", "asa", "service_level", "first_response_time",
               "first_response_time:p90", "reopen_rate", "escalation_rate", "contact_volume")


def _none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v


def _request(ctx: PageCtx, dims: tuple[str, ...] = (), grain: str | None = None,
             where_text: str | None = None) -> Request:
    return Request(dims=dims, grain=grain, start=parse_time(ctx.filters.start),
                   end=parse_time(ctx.filters.end, end=True), where=where_text)


def metric_frame(ctx: PageCtx, names: list[str], dims: tuple[str, ...] = (),
                 grain: str | None = None, extra: dict[str, str] | None = None,
                 ) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Figures of the visible ``names`` (one query per distinct filter), and for each metric
    the filters that could not apply to it."""
    metrics = {n: resolve(n) for n in names}
    shown = [n for n, m in metrics.items() if visible(m, ctx.user)]
    groups: dict[str | None, list[str]] = {}
    unusable: dict[str, list[str]] = {}
    for name in shown:
        text, cannot = where(metrics[name], ctx.filters, extra)
        unusable[name] = cannot
        groups.setdefault(text, []).append(name)
    frames = [run(ctx.wh, group, _request(ctx, dims, grain, text), {})
              for text, group in groups.items()]
    if not frames:
        return pd.DataFrame(columns=[*dims, "period", "metric", "value", "n", "ci_low",
                                     "ci_high", "flag"]), unusable
    return pd.concat(frames, ignore_index=True), unusable


def figure(row: pd.Series, metric: Metric, cannot: list[str]) -> Figure:
    return Figure(metric=metric.full_name, label=metric.label, unit=metric.unit.value,
                  higher_is_better=metric.higher_is_better, value=_none(row["value"]),
                  n=int(row["n"]), ci_low=_none(row["ci_low"]), ci_high=_none(row["ci_high"]),
                  flag=_none(row["flag"]), note=_none(row.get("note")) or None,
                  not_filterable_by=cannot)


def vendors(ctx: PageCtx) -> Page:
    """KPIs side by side at one level of vendor → site → team → agent (option ``level``),
    within the parent segments chosen so far (``vendor``/``site``/``team`` filters)."""
    level = ctx.options.get("level") or next_level(ctx.filters)
    if level not in LEVELS:
        raise NotFound(f"no level {level!r}.{did_you_mean(level, LEVELS)}",
                       f"levels: {', '.join(LEVELS)}")
    page = Page("vendors", f"Vendors by {level.removesuffix('_id')}")
    frame, _ = metric_frame(ctx, list(VENDOR_KPIS), dims=(level,))
    page.tables["kpis"] = frame
    csat = frame[frame["metric"] == "csat"]
    if len(csat):
        page.charts.append(Chart("csat_by_segment", f"CSAT by {level.removesuffix('_id')}",
                                 charts.intervals(csat, level, "CSAT (%)"), "kpis"))
    deeper = LEVELS.index(level) + 1
    for value in sorted(str(v) for v in frame[level].dropna().unique()):
        if deeper < len(LEVELS):
            page.links.append((value, "/vendors?" + ctx.filters.query_string(
                **{level: value, "level": LEVELS[deeper]})))
        else:  # an agent: their own page
            page.links.append((value, "/agent?" + ctx.filters.query_string(agent_id=value)))
    page.extra["level"] = level
    return page


def next_level(filters: Filters) -> str:
    """The drill-down level after the segments chosen so far."""
    chosen = filters.chosen()
    for level in LEVELS:
        if level not in chosen:
            return level
    return LEVELS[-1]


#: The answers whose "Why?" the verbatims page shows: every answer short of the top — NPS
#: answers not on ``nps``'s positive side (detractors and passives, 0–8) and CSAT answers not
#: meeting ``csat``'s condition (dissatisfied and neutral: below the top two boxes). Passives
#: and neutrals are read deliberately: what keeps a customer from the top is the lesson.
VERBATIM_NPS, VERBATIM_CSAT = "nps", "csat"
VERBATIM_COLUMNS = ("responded_at", "survey", "score", "comment", "vendor", "channel",
                    "category")


def verbatims(ctx: PageCtx, limit: int = 200) -> Page:
    """Detractor and passive "Why?" comments (short of the catalogue's promoters and satisfied
    answers), most recent first, with e-mail addresses, phone and card numbers redacted."""
    page = Page("verbatims", "Voice of the customer")
    nps, csat = definition(VERBATIM_NPS, ctx.wh), definition(VERBATIM_CSAT, ctx.wh)
    text, cannot = where(nps.metric, ctx.filters)
    if cannot:  # never show rows a filter (a vendor viewer's vendor) could not narrow
        raise NotFound(f"comments cannot be filtered by {', '.join(cannot)}",
                       "remove that filter")
    rel = nps.rows(ctx.wh, parse_time(ctx.filters.start), parse_time(ctx.filters.end, end=True),
                   text, columns=VERBATIM_COLUMNS)  # (csat shares the table and time column)
    short = (nps.in_population(rel) & ~nps.positive(rel)) | \
        (csat.in_population(rel) & ~csat.condition(rel))
    rel = rel.filter(rel.comment.notnull() & rel.score.notnull() & short)
    frame = rel.order_by([ibis.desc(nps.time), "response_id"]).select(*VERBATIM_COLUMNS) \
        .limit(int(limit)).to_pandas()
    frame["comment"] = frame["comment"].map(redact)
    page.tables["comments"] = frame
    page.notes.append("Personal data (e-mail addresses, phone and card numbers) is redacted.")
    return page


def catalogue_page(ctx: PageCtx) -> Page:
    page = Page("catalogue", "Metric catalogue")
    rows = [{"metric": m.name, "label": m.label, "unit": m.unit.value,
             "phase": m.phase.value if m.phase else None, "touchpoint": m.touchpoint,
             "definition": m.description, "variants": ", ".join(m.variants)}
            for m in catalogue().values() if visible(m, ctx.user)]
    page.tables["metrics"] = pd.DataFrame(rows)
    return page


records = charts.records
