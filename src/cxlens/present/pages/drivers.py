"""The key drivers page: Johnson's relative weights of CSAT or relational NPS with bootstrap
intervals, signed effects and the importance × performance quadrant. It shows what
``insights.drivers`` returns for the page's options — the table unchanged (JSON twin, CSV),
the headline figures as cards with n and interval — and states the resamples it used."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.casemix import period
from cxlens.errors import CxlensError
from cxlens.insights import drivers as driver_lib
from cxlens.metrics.catalogue import resolve
from cxlens.present import charts
from cxlens.present.charts import quadrant_chart
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import control, fig, option, percent_frame, rows_of

#: Bootstrap resamples of the key-driver intervals on the dashboard and in the report.
DRIVER_RESAMPLES = 100
#: Per-segment weight charts drawn at most (the table has every segment).
SEGMENT_CHARTS = 6
#: The filters the page reads (URL names); the others are not offered and not applied.
USES = {"drivers": ("from", "to", "vendor", "site", "channel", "category", "product", "team",
                    "agent_id")}  # interaction attributes (driver_lib.SEGMENTABLE), no grain
BY_CHOICES = ("vendor", "site", "team", "channel", "category", "product", "priority",
              "language")


# -- key drivers ------------------------------------------------------------------------------
def drivers(ctx: PageCtx, resamples: int = DRIVER_RESAMPLES) -> Page:
    """Johnson's relative weights of CSAT or relational NPS (option ``outcome``), overall or
    per segment (option ``by``), within the page's filters (a vendor viewer: their vendor's
    answers), with bootstrap intervals, signed effects and the importance × performance
    quadrant."""
    outcome = option(ctx, "outcome", "csat", tuple(driver_lib.OUTCOMES))
    by = option(ctx, "by", "", ("", *BY_CHOICES)) or None
    label = resolve(driver_lib.OUTCOMES[outcome]).label
    only = {d: v for d, v in ctx.filters.chosen().items() if d in driver_lib.SEGMENTABLE}
    page = Page("drivers", f"Key drivers of {label}" + (f" by {by}" if by else ""))
    page.extra |= {"outcome": outcome, "by": by, "resamples": resamples, "only": only,
                   "uses": list(USES["drivers"]), "open": ["drivers"], "controls": [
                       control("outcome", "Outcome", outcome,
                               [(k, resolve(m).label) for k, m in driver_lib.OUTCOMES.items()]),
                       control("by", "By", by, [("", "all answers"),
                                                *[(c, c) for c in BY_CHOICES]])]}
    try:
        first, after = period(ctx.wh, ctx.filters.start, ctx.filters.end)
        table = driver_lib.drivers(ctx.wh, outcome, first, after, by=by, resamples=resamples,
                                   only=only or None)
    except CxlensError as exc:  # no answers in this period and scope: said on the page
        page.notes.append(f"{exc.message} ({exc.hint}).")
        return page
    page.extra |= {"from": first.isoformat(), "to": (after - dt.timedelta(days=1)).isoformat()}
    page.tables["drivers"] = table
    for segment, part in table.groupby("segment", sort=False):
        head = part.iloc[0]
        where = "" if segment == "all" else f", {segment}"
        page.figures.append(fig(f"r2:{segment}", f"R² (variance explained{where})", "statistic",
                                head["r2"], head["n"], head["r2_ci_low"], head["r2_ci_high"],
                                head["flag"]))
        if by is None:
            _factor_figures(page, part[part["factor"].notna()])
    rated = table[table["share"].notna()]
    if len(rated):
        title = "Importance × performance" + (f" by {by}" if by else "")
        page.charts.append(Chart("quadrant", title,
                                 quadrant_chart(table, title, by), "drivers"))
    for segment, part in list(rated.groupby("segment", sort=False))[:SEGMENT_CHARTS]:
        title = "Share of R² with 95 % interval" + ("" if segment == "all"
                                                     else f": {by} {segment}")
        page.charts.append(Chart(f"weights_{len(page.charts)}", title,
                                 charts.intervals(percent_frame(part, "share"), "label",
                                                  "share of R² (%)"), "drivers"))
    page.extra["findings"] = _fix_first(table)
    page.notes += _driver_notes(ctx, outcome, by, first, after, resamples, table)
    return page


def _factor_figures(page: Page, part: pd.DataFrame) -> None:
    """Each factor's share of R², and the signed effect of each yes/no factor."""
    for r in rows_of(part):
        page.figures.append(fig(f"share:{r['factor']}", f"{r['label']}: share of R²",
                                "percent", 100 * r["share"], r["n"], 100 * r["share_ci_low"],
                                100 * r["share_ci_high"], r["flag"]))
    for r in rows_of(part[part["effect"].notna()]):
        page.figures.append(fig(f"effect:{r['factor']}",
                                f"{r['label']}: with − without (0–100)", "points", r["effect"],
                                r["n"], r["effect_ci_low"], r["effect_ci_high"], r["flag"]))


def _fix_first(table: pd.DataFrame) -> list[str]:
    out = []
    for r in rows_of(table[table["quadrant"] == driver_lib.FIX_FIRST]):
        where = "" if r["segment"] == "all" else f" ({r['segment']})"
        out.append(f"Fix first{where}: {r['label']} — {100 * r['share']:.0f} % of the "
                   f"explained variance (95 % {100 * r['share_ci_low']:.0f}–"
                   f"{100 * r['share_ci_high']:.0f} %), in its good state "
                   f"{r['performance']:.0f} % of the time, below the median of the rated "
                   f"factors; n = {int(r['n']):,}.")
    return out


def _driver_notes(ctx: PageCtx, outcome: str, by: str | None, first: dt.date, after: dt.date,
                  resamples: int, table: pd.DataFrame) -> list[str]:
    last = after - dt.timedelta(days=1)
    notes = [f"Answers {first} – {last}; relative weights split R² among the factors "
             f"(share = weight ÷ R²); 95 % intervals from {resamples} bootstrap resamples "
             "(seeded). Effect: mean outcome (0–100) with the factor minus without it, not "
             "adjusted for the others; beta: the standardised coefficient."]
    if outcome == "nps":
        notes.append("NPS answers are relational: each is joined to the customer's last "
                     f"contact in the {driver_lib.WINDOW_DAYS} days before answering; vendor, "
                     "site and the other filters are those of that contact.")
    if ctx.filters.segment:
        notes.append("Key drivers cannot be filtered by customer segment: shown for all "
                     "segments.")
    small = sorted(set(table.loc[table["flag"] == "small sample", "segment"]))
    if small:
        notes.append(f"Fewer than {driver_lib.MIN_SAMPLE} answers (small sample, read with "
                     f"care): {', '.join(map(str, small))}.")
    if by and table["segment"].nunique() > SEGMENT_CHARTS:
        notes.append(f"Weight charts for the first {SEGMENT_CHARTS} segments; the table has "
                     "all of them.")
    return notes


