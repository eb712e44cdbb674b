"""The "What moved" page: a headline metric's change between the filtered period and the one
before it (or the same period a year earlier), split into mix — more or fewer of each
category, channel or vendor — and rate — better or worse within each — with intervals.

The arithmetic is :func:`cxlens.insights.moved.moved`, the words and the table are
:mod:`cxlens.present.moved` (the report's section and ``cxlens moved`` read it the same way);
this module picks the periods and segments from the URL and applies the viewer's scope."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.errors import CxlensError
from cxlens.format import confidence
from cxlens.insights.moved import FLAGS, Moved, latest_month, moved
from cxlens.metrics import relations
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.spec import Metric
from cxlens.periods import Period, parse_period, period_of
from cxlens.periods import words as when
from cxlens.present import charts
from cxlens.present import moved as words
from cxlens.present.filters import BAR, visible, where
from cxlens.present.model import Chart, Figure, Page, PageCtx
from cxlens.present.pages._common import control, option
from cxlens.present.scope import limited

#: The metrics offered (the overview's headline figures that split into mix and rate, and
#: AHT); any other mean or share of the catalogue can be asked for by its id in the URL.
METRICS = ("csat", "nps:relational", "ces", "fcr", "aht")
#: Single dimensions offered, then crosses, each kept when the metric's rows carry it.
DIMENSIONS = ("category", "channel", "vendor", "site", "team", "product", "segment",
              "priority", "language")
CROSSES = ("category,vendor", "category,channel", "channel,vendor")
#: The split shown first where "category" is not the useful one: relational NPS answers are
#: about the customer, not a contact, so they carry the customer's segment and no category.
DEFAULT_BY = {"nps:relational": "segment"}
REFERENCES = {"previous": "the previous period of equal length",
              "last_year": "the same period last year"}
#: Segments drawn at most (the table has every one).
CHART_SEGMENTS = 12
#: Small segments named in the note (the table flags every one).
SMALL_NAMED = 6
USES = {"moved": ("from", "to", *BAR)}


def by_choices(metric: Metric, ctx: PageCtx) -> list[str]:
    """The splits this metric's rows allow, for this viewer: a vendor viewer sees one vendor,
    so splitting by vendor says nothing to them and is not offered."""
    have = set(relations.columns(metric.source))
    ok = [d for d in DIMENSIONS if d in have]
    ok += [c for c in CROSSES if all(d in have for d in c.split(","))]
    if limited(ctx.user):
        ok = [c for c in ok if "vendor" not in c.split(",")]
    return ok


def periods(ctx: PageCtx, name: str, where_text: str | None, reference: str,
            ) -> tuple[Period, Period]:
    """The filtered period (from/to; without them the month of the latest answer) and the
    one it is compared with."""
    f = ctx.filters
    if f.start or f.end:
        last = dt.date.fromisoformat(f.end) if f.end else \
            latest_month(ctx.wh, name, where_text).end - dt.timedelta(days=1)
        first = dt.date.fromisoformat(f.start) if f.start else last.replace(day=1)
        after = parse_period(f"{first.isoformat()}..{last.isoformat()}", "from")
        if after.months:  # whole months read as such: "2026-05", "2026-Q2"
            after = period_of(after.start, after.months)
    else:
        after = latest_month(ctx.wh, name, where_text)
    return (after.year_before() if reference == "last_year" else after.previous()), after


def moved_page(ctx: PageCtx) -> Page:
    """The page: cards (before, after, change, mix, rate), the sentence, the contributions
    chart and every segment's table; what cannot be shown is said on the page."""
    name = ctx.options.get("metric") or "csat"
    metric = resolve(name)  # an unknown id: 404 with the names that exist
    reference = option(ctx, "reference", "previous", tuple(REFERENCES))
    page = Page("moved", f"What moved {metric.label}")
    choices = by_choices(metric, ctx)
    asked = ctx.options.get("by") or ""
    first = DEFAULT_BY.get(metric.full_name, "category")
    by = asked if asked in choices else (first if first in choices else (choices or [""])[0])
    offered = list(METRICS) + ([] if name in METRICS else [name])
    page.extra |= {"metric": metric.full_name, "by": by, "reference": reference,
                   "uses": list(USES["moved"]), "open": ["segments"], "controls": [
                       control("metric", "Metric", name,
                               [(m, resolve(m).label) for m in offered]),
                       control("by", "Split by", by,
                               [(c, c.replace(",", " × ")) for c in choices]),
                       control("reference", "Compared with", reference,
                               list(REFERENCES.items()))]}
    if asked and asked != by:
        page.notes.append(_refused_split(ctx, asked, by))
    if not visible(metric, ctx.user) or not by:
        page.notes.append(f"{metric.label} is not measured on rows that carry "
                          f"{'a vendor' if not visible(metric, ctx.user) else 'a segment'}: "
                          "pick another metric.")
        return page
    text, cannot = where(metric, ctx.filters)
    try:
        before, after = periods(ctx, name, text, reference)
        m = moved(ctx.wh, name, by=by.split(","), before=before, after=after, where=text)
    except CxlensError as exc:  # no answers, a median, overlapping periods: said on the page
        page.notes.append(f"{exc.message} ({exc.hint}).")
        return page
    page.title = (f"What moved {metric.label}: {when(m.before, short=True)} → "
                  f"{when(m.after, short=True)}")
    fill(page, m)
    if cannot:
        page.notes.append(f"{metric.label} cannot be filtered by {', '.join(cannot)}: shown "
                          "for all of them.")
    if limited(ctx.user):
        page.notes.append(f"Your view is {ctx.user.vendor}'s contacts only: the split is "
                          "within them.")
    return page


def _refused_split(ctx: PageCtx, asked: str, by: str) -> str:
    said = asked.replace(",", " × ")
    if limited(ctx.user) and "vendor" in asked.split(","):
        return (f"You see {ctx.user.vendor} only, so a split by {said} has one vendor and "
                f"explains nothing: split by {by.replace(',', ' × ')} (or channel, site, "
                "team) instead.")
    return f"{said} is not a split of these rows: shown by {by.replace(',', ' × ')}."


def fill(page: Page, m: Moved) -> None:
    """The cards, the sentence, the chart, the table and the notes of a decomposed change."""
    r, t = m.result, m.totals()
    n0, n1 = (int(m.segments[c].sum()) for c in ("n_before", "n_after"))
    moves = words.change_unit(m.unit)
    secs = " (s)" if m.unit == "seconds" else ""
    page.figures += [
        _card(f"before:{m.metric}", f"{m.label}, {when(m.before, short=True)}", m.unit,
              r.before, n0, *m.before_ci),
        _card(f"after:{m.metric}", f"{m.label}, {when(m.after, short=True)}", m.unit,
              r.after, n1, *m.after_ci),
        *[_card(f"{part}:{m.metric}", f"{title}{secs}", moves, t[part]["value"], n0 + n1,
                t[part]["ci_low"], t[part]["ci_high"])
          for part, title in (("change", "Change"), ("mix", "Mix: more or fewer of each"),
                              ("rate", "Rate: better or worse within each"))]]
    page.extra |= {"findings": [words.headline(m)], "label": m.label, "unit": m.unit,
                   "before": _period(m.before), "after": _period(m.after),
                   "confidence": m.confidence, "significant": words.significant(m),
                   "totals": t}
    page.tables["segments"] = words.table(m)
    parts = words.contributions(m)
    shown = parts[parts["segment"].isin(
        ["All", *list(dict.fromkeys(parts["segment"]))[1:CHART_SEGMENTS + 1]])]
    unit = "points" if moves == "points" else "s" if m.unit == "seconds" else m.unit
    page.charts.append(Chart(
        "contributions", f"What moved {m.label}: mix and rate by "
        f"{' × '.join(m.by)} ({confidence(m.confidence)} interval)",
        charts.contributions(shown, f"change of {m.label} ({unit})"), "segments"))
    segments = len(m.segments)
    page.notes.append(
        f"{m.label} in {when(m.after, short=True)} against {when(m.before, short=True)}, "
        f"split by "
        f"{' × '.join(m.by)}: mix is the part of the change from more or fewer answers in "
        "each segment (counted against the average), rate the part from a better or worse "
        f"figure within it; they add up to the change. {confidence(m.confidence)} intervals "
        "(delta method). docs/moved.md has the arithmetic.")
    if segments > CHART_SEGMENTS:
        page.notes.append(f"The chart shows the {CHART_SEGMENTS} segments that moved the "
                          f"figure most; the table has all {segments}.")
    small = [words.segment_label(row, m.by) for _, row in m.segments.iterrows()
             if "small" in row["flag"].split(",")]
    if small:
        rest = f" and {len(small) - SMALL_NAMED:,} more" if len(small) > SMALL_NAMED else ""
        page.notes.append(f"Small samples (hollow bars, flagged in the table: "
                          f"{FLAGS['small']}): {', '.join(small[:SMALL_NAMED])}{rest}.")
    page.notes += [n for n in m.notes if not n.startswith("small:")]


def _card(key: str, label: str, unit: str, value: float, n: int, low: float | None = None,
          high: float | None = None) -> Figure:
    def num(v: float | None) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    return Figure(metric=key, label=label, unit=unit, higher_is_better=None, value=num(value),
                  n=n, ci_low=num(low), ci_high=num(high), flag=None)


def _period(p: Period) -> dict[str, str]:
    return {"label": p.label, "from": p.start.isoformat(),
            "to": (p.end - dt.timedelta(days=1)).isoformat()}
