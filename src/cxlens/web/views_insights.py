"""The insight pages: key drivers, support-cohort NPS and initiative impact (see ``views`` for
the page model; customers are in ``views_customers``). Each page shows what its library
function returns for the page's options — the tables unchanged (JSON twin, CSV), the headline
figures as cards with n and interval — and states the bootstrap resamples it used."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from cxlens.casemix import period
from cxlens.errors import CxlensError, NotFound, did_you_mean
from cxlens.insights import cohorts as cohort_lib
from cxlens.insights import drivers as driver_lib
from cxlens.insights import impact as impact_lib
from cxlens.metrics.catalogue import resolve
from cxlens.present import charts
from cxlens.present.charts import quadrant_chart
from cxlens.present.format import count, decimal, p_number, p_value
from cxlens.web.security import Forbidden
from cxlens.web.views import Chart, Figure, Page, PageCtx

#: Bootstrap resamples of the key-driver intervals on the dashboard and in the report.
DRIVER_RESAMPLES = 100
#: Per-segment weight charts drawn at most (the table has every segment).
SEGMENT_CHARTS = 6
IMPACT_METRICS = ("csat", "fcr", "ces", "nps:relational")
#: The filters each page reads (URL names); the others are not offered and not applied.
USES = {
    "drivers": ("from", "to", "vendor", "site", "channel", "category", "product", "team",
                "agent_id"),  # interaction attributes (driver_lib.SEGMENTABLE), no grain
    "cohorts": ("from", "to"),
    "impact": (),
}
BY_CHOICES = ("vendor", "site", "team", "channel", "category", "product", "priority",
              "language")


def company_wide(ctx: PageCtx, what: str) -> None:
    """Refuse a vendor viewer a page about every vendor's customers (403)."""
    if ctx.user.role == "vendor":
        raise Forbidden(f"{what} is about all customers, not one vendor's",
                        "it is for the CX team's admins and analysts; your vendor's figures "
                        "are on the overview, vendors and key-drivers pages")


def option(ctx: PageCtx, name: str, default: str, choices: tuple[str, ...]) -> str:
    value = ctx.options.get(name) or default
    if value not in choices:
        raise NotFound(f"no {name} {value!r}.{did_you_mean(value, choices)}",
                       f"{name}: {', '.join(choices)}")
    return value


def control(name: str, label: str, value: str | None,
            choices: list[tuple[str, str]]) -> dict[str, Any]:
    """A page option offered beside the filters: a select of (value, text) choices."""
    return {"name": name, "label": label, "value": value or "", "choices": choices}


def fig(key: str, label: str, unit: str, value: Any, n: Any, low: Any, high: Any,
        flag: Any = None) -> Figure:
    """A card: the value with its 95 % interval and n (missing numbers as None)."""
    def num(v: Any) -> float | None:
        value = charts.plain(v)
        return None if value is None else float(value)

    return Figure(metric=key, label=label, unit=unit, higher_is_better=None, value=num(value),
                  n=int(n) if n is not None and not pd.isna(n) else 0, ci_low=num(low),
                  ci_high=num(high), flag=str(flag) if flag else None)


def rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def percent_frame(part: pd.DataFrame, col: str) -> pd.DataFrame:
    """``col`` (a share, 0–1) and its interval in % with label, n and flag (for
    ``charts.intervals``, whose axis says %)."""
    return pd.DataFrame({"label": part["label"], "value": 100 * part[col],
                         "ci_low": 100 * part[f"{col}_ci_low"],
                         "ci_high": 100 * part[f"{col}_ci_high"], "n": part["n"],
                         "flag": part["flag"]})


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


# -- support-cohort NPS ------------------------------------------------------------------------
def cohorts(ctx: PageCtx) -> Page:
    """Relational NPS by support history in the 90 days before answering, each cohort's gap
    to the reference cohort (option ``reference``) and the sentence that sums it up."""
    company_wide(ctx, "Support-cohort NPS")
    names = (*cohort_lib.COHORTS, *cohort_lib.COMBINED)
    reference = option(ctx, "reference", cohort_lib.REFERENCE, names)
    page = Page("cohorts", "Relational NPS by support history")
    page.extra |= {"reference": reference, "open": ["cohorts"], "uses": list(USES["cohorts"]),
                   "controls": [control("reference", "Compared with", reference,
                                        [(c, c) for c in names])]}
    try:
        table = cohort_lib.cohort_nps(ctx.wh, ctx.filters.start, ctx.filters.end,
                                      reference=reference)
    except CxlensError as exc:  # no contacts or no answers: said on the page
        page.notes.append(f"{exc.message} ({exc.hint}).")
        return page
    page.tables["cohorts"] = table
    ref_n = int(table.loc[table["cohort"] == reference, "n"].iloc[0])
    for r in rows_of(table):
        page.figures.append(fig(f"nps:{r['cohort']}", f"NPS: {r['description']}", "points",
                                r["nps"], r["n"], r["nps_ci_low"], r["nps_ci_high"], r["flag"]))
    for r in rows_of(table[table["cohort"] != reference]):
        page.figures.append(fig(f"gap:{r['cohort']}", f"Gap: {r['cohort']} − {reference}",
                                "points", r["gap"], int(r["n"]) + ref_n, r["gap_ci_low"],
                                r["gap_ci_high"], r["flag"]))
    shown = table.rename(columns={"cohort": "label"})
    page.charts.append(Chart("nps", "Relational NPS by support history (95 % interval)",
                             charts.intervals(_values(shown, "nps"), "label", "NPS"),
                             "cohorts"))
    page.charts.append(Chart("gaps", f"Gap to {reference} in NPS points (95 % interval)",
                             charts.intervals(_values(shown[shown["label"] != reference],
                                                      "gap"), "label", "NPS points"),
                             "cohorts"))
    page.extra["findings"] = [_sentence(cohort_lib.headline(table))]
    a = table.attrs
    page.notes.append(
        f"Relational NPS answers {a['from']} – {a['to']}, each put in one cohort by the "
        f"customer's contacts in the {a['window_days']} days before answering (the worst "
        f"experience wins: {', '.join(cohort_lib.COHORTS)}); zero_reopens combines the last "
        "three. Gaps: difference to the reference with a Wald interval, the NPS z test and "
        "Benjamini–Hochberg q-values (table). Cohorts under 50 answers are flagged.")
    page.extra |= {"period": {"from": a["from"], "to": a["to"]},
                   "window_days": a["window_days"]}
    return page


def _values(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    return pd.DataFrame({"label": frame["label"], "value": frame[col],
                         "ci_low": frame[f"{col}_ci_low"], "ci_high": frame[f"{col}_ci_high"],
                         "n": frame["n"], "flag": frame["flag"]})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# -- initiative impact ------------------------------------------------------------------------
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
                    rows.append({"label": f"{r['name']} ({label})", "value": r[part],
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
