"""The report's insight sections: key drivers of CSAT, support-cohort NPS, initiative impact
(every initiative listed), customers (CLV and the churn model's evaluation), themes of the
comments and the alerts the dashboard lists. Each is the
dashboard page's data (the same library calls, the same bootstrap resamples), trimmed to what
a printed page holds: headline figures, one chart, and one compact table whose every figure
reads "value (95 % low – high)" beside its n. A vendor's report gets the key drivers of their
own vendor only, and the alerts on their vendor: the others are about every vendor's
customers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from cxlens.alerts import store as alert_store
from cxlens.errors import CxlensError
from cxlens.format import p_short
from cxlens.insights.cohorts import NAMES as COHORT_NAMES
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages import cohorts as cohort_page
from cxlens.present.pages import customers as customer_page
from cxlens.present.pages import drivers as driver_page
from cxlens.present.pages import impact as impact_page
from cxlens.present.pages import themes as theme_page
from cxlens.present.pages._common import rows_of
from cxlens.reports.sections import more
from cxlens.reports.sections import section as titled

#: Sections rendered with their table.
NAMES = ("drivers", "cohorts", "impact", "customers", "themes", "alerts")


def _num(v: Any, digits: int, sign: bool = False) -> str:
    if v is None or pd.isna(v):
        return "–"
    return f"{float(v):{'+' if sign else ''},.{digits}f}"


def ci(v: Any, low: Any, high: Any, digits: int = 1, sign: bool = False,
       scale: float = 1.0) -> str:
    """"value (low – high)", with – for a missing number (alone when the value is)."""
    def s(x: Any) -> Any:
        return None if x is None or pd.isna(x) else scale * float(x)

    if s(v) is None:
        return "–"
    lo, hi = _num(s(low), digits, sign), _num(s(high), digits, sign)
    # as cxlens.format.interval writes it: a dash beside a minus sign reads as two
    dash = " to " if lo.startswith("-") or hi.startswith("-") else " – "
    return f"{_num(s(v), digits, sign)} ({lo}{dash}{hi})"


def _p(v: Any) -> str:
    """A p- or q-value as the dashboard's tables write it ("0.008", "< 0.001"), never
    "2.6e-07" or "0.00062"."""
    return "–" if v is None or pd.isna(v) else p_short(v)


def section(name: str, ctx: PageCtx, vendor: str | None) -> Page:
    """The insight section ``name`` (one of :data:`NAMES`); a section without the data it
    needs (no initiatives, no orders...) says so instead of stopping the report."""
    builders: dict[str, Callable[[PageCtx], Page]] = {
        "drivers": drivers, "cohorts": cohorts, "impact": impact, "customers": customers,
        "themes": themes, "alerts": lambda c: alerts(c, vendor)}
    try:
        return builders[name](ctx)
    except CxlensError as exc:  # e.g. no initiatives or orders: say so, keep the report
        page = Page(name, titled(name).title)
        page.notes.append(f"{exc.message} ({exc.hint}).")
        return page


def drivers(ctx: PageCtx) -> Page:
    page = driver_page.drivers(ctx)
    if "drivers" not in page.tables:
        return page  # nothing to weigh: the page's notes say why
    page.figures = [f for f in page.figures if f.metric.startswith("r2:")]
    page.charts = [c for c in page.charts if c.name == "quadrant"]
    page.tables = {"drivers": drivers_table(page.tables["drivers"])}
    return page


def drivers_table(table: pd.DataFrame) -> pd.DataFrame:
    """Key drivers as people read them (report and CLI): each figure "value (95 % low –
    high)", shares of R² in %, effects in points of the 0–100 outcome, n with separators."""
    return pd.DataFrame([{
        "factor": r["label"], "weight (95 %)": ci(r["weight"], r["weight_ci_low"],
                                                  r["weight_ci_high"], 3),
        "share of R² % (95 %)": ci(r["share"], r["share_ci_low"], r["share_ci_high"], 0,
                                   scale=100),
        "beta (95 %)": ci(r["beta"], r["beta_ci_low"], r["beta_ci_high"], 2, True),
        "with − without, points (95 %)": ci(r["effect"], r["effect_ci_low"],
                                            r["effect_ci_high"], 1, True),
        "performance %": _num(r["performance"], 0), "quadrant": r["quadrant"] or "–",
        "n": f"{int(r['n']):,}", "flag": r["flag"] or ""} for r in rows_of(table)])


def cohorts(ctx: PageCtx) -> Page:
    page = cohort_page.cohorts(ctx)
    if "cohorts" not in page.tables:
        return page  # no relational answers to split: the page's notes say why
    page.figures = []
    page.charts = [c for c in page.charts if c.name == "gaps"]
    page.tables = {"cohorts": pd.DataFrame([{
        "cohort": COHORT_NAMES[r["cohort"]], "customers had": r["description"],
        "n": f"{int(r['n']):,}",
        "NPS (95 %)": ci(r["nps"], r["nps_ci_low"], r["nps_ci_high"], 1, True),
        f"gap to {COHORT_NAMES[page.extra['reference']].lower()} (95 %)": ci(
            r["gap"], r["gap_ci_low"], r["gap_ci_high"], 1, True),
        "p": _p(r["gap_p"]), "q (BH)": _p(r["gap_q"]), "flag": r["flag"]}
        for r in rows_of(page.tables["cohorts"])])}
    return page


def impact(ctx: PageCtx) -> Page:
    page = impact_page.impact(ctx)
    if "initiatives" not in page.tables:
        return page
    page.figures = []
    unit = "points"
    rows = []
    for r in rows_of(page.tables["initiatives"]):
        row = {"initiative": f"{r['initiative_id']} {r['name']}",
               "start": str(pd.Timestamp(r["started_at"]).date()),
               "scope": r["scope"] or "everything"}
        for part, label in (("before", "before"), ("after", "after")):
            row[f"{label} % (95 %)"] = ci(r[part], r[f"{part}_ci_low"], r[f"{part}_ci_high"])
            row[f"{label} n"] = f"{int(r[f'{part}_n']):,}"
        for part, label in (("change", "change"), ("did", "DiD")):
            has = part in r and not pd.isna(r[part])
            row[f"{label}, {unit} (95 %)"] = ci(r[part], r[f"{part}_ci_low"],
                                                r[f"{part}_ci_high"], 1, True) if has else "–"
            row[f"{label} p / q"] = f"{_p(r[f'{part}_p'])} / {_p(r[f'{part}_q'])}" \
                if has else "–"
        rows.append(row | {"flag": r["flag"]})
    page.tables = {"initiatives": pd.DataFrame(rows)}
    return page


def customers(ctx: PageCtx) -> Page:
    page = customer_page.customers(ctx)
    page.charts = [c for c in page.charts if c.name == "calibration"]
    tables: dict[str, pd.DataFrame] = {}
    if "clv" in page.tables:
        tables["clv"] = pd.DataFrame([{
            "currency": r["currency"], "customers": f"{int(r['customers']):,}",
            "repeat buyers": f"{int(r['repeat_buyers']):,}",
            "total CLV (95 %)": ci(r.get("total_clv"), r.get("total_clv_ci_low"),
                                   r.get("total_clv_ci_high"), 0),
            "mean CLV (95 %)": ci(r.get("mean_clv"), r.get("mean_clv_ci_low"),
                                  r.get("mean_clv_ci_high"), 2),
            "n": f"{int(r['customers']):,}", "not computed": r["skipped"] or ""}
            for r in rows_of(page.tables["clv"])])
    if "churn_top" in page.tables:
        top = page.tables["churn_top"].head(10)
        tables["churn_top"] = pd.DataFrame([{
            "riskiest customers": r["customer_id"], "segment": r["segment"],
            "P(churn) % (95 %)": ci(r["risk"], r["ci_low"], r["ci_high"], 1, scale=100)}
            for r in rows_of(top)])
        scored = int(page.extra.get("churn_scored", len(page.tables["churn_top"])))
        more(page, "churn_top", f"and {scored - len(top):,} more customers scored, less at "
             "risk: the dashboard's Customers page lists the 20 riskiest, `cxlens churn-risk` "
             "every one.")
    # (no churn_top when the model ranks no better than chance: the finding says so)
    page.tables = tables
    return page


def themes(ctx: PageCtx) -> Page:
    page = theme_page.themes(ctx)
    page.figures = []
    page.charts = [c for c in page.charts if c.name == "effects"]
    page.tables = {"themes": pd.DataFrame([{
        "theme": r["label"], "comments": f"{int(r['comments']):,}",
        "share % (95 %)": ci(r["share"], r["share_ci_low"], r["share_ci_high"]),
        "effect, points (95 %)": ci(r["effect"], r["effect_ci_low"], r["effect_ci_high"], 1,
                                     True),
        "on": str(r["outcome"] or "–").upper(), "q (BH)": _p(r["q_value"]),
        "n with / without": f"{int(r['n_with'] or 0):,} / {int(r['n_without'] or 0):,}",
        "flag": r["flag"] or ""} for r in rows_of(page.tables["themes"])])}
    return page


def alerts(ctx: PageCtx, vendor: str | None) -> Page:
    """The alerts the dashboard's Alerts page lists for the same scope (a vendor's report:
    their vendor's segments only), open first: a board sees what the dashboard shows."""
    page = Page("alerts", "Alerts")
    frame = alert_store.listing(ctx.wh, vendor=vendor)
    if frame.empty:
        page.notes.append("No alerts: none of the alert rules breached (cxlens alerts check; "
                          "docs/alerts.md).")
        return page
    page.tables = {"alerts": pd.DataFrame([{
        "rule": r["rule"], "check": r["check_kind"], "segment": r["segment"],
        "months": r["first_month"] if r["last_month"] == r["first_month"]
        else f"{r['first_month']} – {r['last_month']}",
        "status": r["status"], "figure (95 %)": ci(r["value"], r["ci_low"], r["ci_high"]),
        "n": f"{int(r['n']):,}", "what": r["message"]} for r in rows_of(frame)])}
    open_ = int((frame["status"] == "open").sum())
    page.notes.append(f"{len(frame):,} alert{'' if len(frame) == 1 else 's'} ({open_:,} open), "
                      "as the dashboard's Alerts page lists them: open first, each breach once "
                      "(docs/alerts.md).")
    return page
