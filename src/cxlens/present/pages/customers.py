"""The customers page: customer lifetime value per order currency (BG/NBD × Gamma-Gamma, the
parameters and the most valuable customers with bootstrap intervals) and churn risk (the
model's out-of-time holdout evaluation and the riskiest customers). About every vendor's
customers, so not for vendor viewers."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.errors import CxlensError
from cxlens.format import Unit
from cxlens.insights.churn.snapshot import churn_risk_snapshot
from cxlens.insights.churn.warehouse import ChurnRisk, churn_risk
from cxlens.insights.clv import CurrencyValue, warehouse_value
from cxlens.insights.clv.summary import latest_order_day
from cxlens.present import charts
from cxlens.present.model import Chart, Page, PageCtx
from cxlens.present.pages._common import company_wide, control, fig, option

#: Bootstrap resamples of the CLV intervals on the dashboard and in the report (each refits
#: both models; ``cxlens clv`` defaults to 200).
CLV_RESAMPLES = 20
CLV_OPTIONS: dict[str, Any] = {"horizon_months": 12, "discount": 0.01, "margin": 1.0,
                               "seed": 7}
TOP_VALUE = 10
TOP_RISK = 20
#: Churn holdouts (option ``holdout``): a later period, or a random share of one snapshot.
HOLDOUTS = ("time", "snapshot")
USES: dict[str, tuple[str, ...]] = {"customers": ()}
CUSTOMER_FIGURES = ("p_alive", "expected_purchases", "expected_spend", "clv")


def customers(ctx: PageCtx, resamples: int = CLV_RESAMPLES) -> Page:
    """CLV and churn risk with the library's defaults (as ``cxlens clv`` and ``cxlens
    churn-risk`` without options, but ``resamples`` bootstrap resamples); a part the data
    cannot support says why instead."""
    company_wide(ctx, "Customer value and churn risk")
    holdout = option(ctx, "holdout", "time", HOLDOUTS)
    page = Page("customers", "Customers: lifetime value and churn risk")
    page.extra |= {"uses": list(USES["customers"]), "findings": [],
                   "open": ["clv_parameters", "churn_evaluation"], "controls": [
                       control("holdout", "Churn holdout", holdout,
                               [("time", "a later period"),
                                ("snapshot", "random (one snapshot)")])]}
    try:
        day = latest_order_day(ctx.wh)
        values = warehouse_value(ctx.wh, day, "weeks", resamples=resamples, top=TOP_VALUE,
                                 **CLV_OPTIONS)
    except CxlensError as exc:
        page.notes.append(f"Customer lifetime value: {exc.message} ({exc.hint}).")
    else:
        clv_part(page, values)
        page.extra["clv"] = {"as_of": day.isoformat(), "unit": "weeks",
                             "resamples": resamples, "top": TOP_VALUE, **CLV_OPTIONS}
    try:
        risk = (churn_risk_snapshot(ctx.wh) if holdout == "snapshot"
                else churn_risk(ctx.wh, top=TOP_RISK))
    except CxlensError as exc:
        page.notes.append(f"Churn risk: {exc.message} ({exc.hint}).")
    else:
        churn_part(page, risk)
    return page


def clv_part(page: Page, values: list[CurrencyValue]) -> None:
    summary, params, top = [], [], []
    horizon = CLV_OPTIONS["horizon_months"]
    for c in values:
        row: dict[str, Any] = {"currency": c.currency, "customers": c.customers,
                               "repeat_buyers": c.repeat_buyers, "orders": c.orders,
                               "skipped": c.skipped or None}
        v = c.value
        if v is None:
            page.notes.append(f"CLV in {c.currency} not computed: {c.skipped.rstrip('.')}.")
            summary.append(row)
            continue
        for name, f in (("mean_clv", v.mean), ("total_clv", v.total),
                        ("frequency_spend_correlation", v.correlation)):
            row |= {name: f.value, f"{name}_ci_low": f.ci_low, f"{name}_ci_high": f.ci_high,
                    f"{name}_n": f.n}
        summary.append(row | {"resamples": v.resamples})
        page.figures.append(fig(f"mean_clv:{c.currency}", f"Mean CLV per customer, "
                                f"{c.currency} ({horizon} months)", "currency", v.mean.value,
                                v.mean.n, v.mean.ci_low, v.mean.ci_high))
        params.append(v.parameters.assign(currency=c.currency))
        best = v.top.reset_index().rename(columns={v.top.index.name or "index": "customer_id"})
        best["customer_id"] = best["customer_id"].astype(str)
        top.append(best.assign(currency=c.currency, n=best["orders"]))
        page.notes += [f"CLV in {c.currency}: {n.rstrip('.')}." for n in v.notes]
        chart = pd.DataFrame({"customer_id": best["customer_id"], "value": best["clv"],
                              "ci_low": best["clv_ci_low"], "ci_high": best["clv_ci_high"],
                              "n": best["orders"], "flag": None})
        page.charts.append(Chart(f"clv_{c.currency}", f"Most valuable customers, CLV in "
                                 f"{c.currency} over {horizon} months (95 % interval)",
                                 charts.intervals(chart, "customer_id", f"CLV ({c.currency})"),
                                 "clv_top"))
    page.tables["clv"] = pd.DataFrame(summary)
    if params:
        cols = ["currency", "model", "parameter", "value", "ci_low", "ci_high", "n"]
        page.tables["clv_parameters"] = pd.concat(params, ignore_index=True)[cols]
        first = ["currency", "customer_id", "orders", "n"]
        frame = pd.concat(top, ignore_index=True)
        page.tables["clv_top"] = frame[first + [c for c in frame.columns if c not in first]]
    used = next((c.value.resamples for c in values if c.value is not None), 0)
    page.notes.append(
        f"CLV: BG/NBD purchases × Gamma-Gamma spend per order currency, fitted on completed "
        f"orders; {horizon} months ahead, discounted {100 * CLV_OPTIONS['discount']:.0f} % a "
        f"month, margin {CLV_OPTIONS['margin']:.0%}; 95 % intervals from "
        f"{used} bootstrap resamples of the customers (cxlens clv uses 200); a customer's n "
        "is their orders.")


def churn_part(page: Page, r: ChurnRisk) -> None:
    e = r.evaluation
    within = f" within {r.horizon_days} days" if r.mode == "time" else ""
    labels = {"auc": ("AUC on the holdout (0.5: no better than chance)", "statistic", 1.0),
              "brier": ("Brier score on the holdout", "statistic", 1.0),
              "calibration_slope": ("Calibration slope (1 ideal)", "statistic", 1.0),
              "calibration_intercept": ("Calibration intercept (0 ideal)", "statistic", 1.0),
              "churn_rate": (f"Churned{within} (holdout)", "percent", 100.0)}
    rows = []
    for name, f in e.figures().items():
        label, unit, scale = labels[name]
        page.figures.append(fig(f"churn:{name}", label, unit, scale * f.value, f.n,
                                scale * f.ci_low, scale * f.ci_high))
        rows.append({"figure": label, "value": f.value, "ci_low": f.ci_low,
                     "ci_high": f.ci_high, "n": f.n})
    page.tables["churn_evaluation"] = pd.DataFrame(rows)
    page.tables["churn_calibration"] = e.deciles
    page.tables["churn_odds_ratios"] = r.model.coefficients()
    page.charts.append(Chart("calibration", "Calibration on the holdout: observed churn by "
                             "decile of predicted risk (95 % interval), diagonal = calibrated",
                             charts.calibration(e.deciles, "observed churn"),
                             "churn_calibration"))
    if r.verdict:  # a model no better than chance names nobody
        page.extra["findings"].append(
            f"Churn risk: {r.verdict}, so no customer is listed as at risk; more history "
            "(a longer --horizon-days) or features that relate to churn are needed first.")
    else:
        top = r.scores.head(TOP_RISK)
        page.tables["churn_top"] = top
        page.extra["churn_scored"] = r.at_risk
        chart = pd.DataFrame({"customer_id": top["customer_id"], "value": top["risk"],
                              "ci_low": top["ci_low"], "ci_high": top["ci_high"],
                              "n": top["n"], "flag": None})
        page.charts.append(Chart("risk", f"Riskiest {TOP_RISK} customers: P(churn{within}), "
                                 "95 % interval",
                                 charts.intervals(chart, "customer_id", "churn risk",
                                                  Unit.SHARE),
                                 "churn_top"))
    if r.mode == "snapshot":
        how = (f"Churn risk: a logistic model evaluated on {r.holdout} ({r.train.customers:,} "
               f"customers, {r.train.churned:,} churned; holdout {r.test.customers:,}, "
               f"{r.test.churned:,} churned), then refitted on everybody and used to score the "
               f"{r.at_risk:,} customers who had not churned on {r.as_of}: associations at the "
               "snapshot, not a forecast.")
    else:
        how = (f"Churn risk: a logistic model trained on the {r.train.customers:,} customers at "
               f"risk on {r.train.cutoff} ({r.train.churned:,} churned within "
               f"{r.horizon_days} days), evaluated on the {r.test.customers:,} at risk on "
               f"{r.test.cutoff} ({r.test.churned:,} churned), then refitted there and used to "
               f"score the {r.at_risk:,} customers at risk on {r.as_of}.")
    page.notes.append(
        f"{how} Brier score of always predicting the holdout's churn rate: "
        f"{e.brier_reference:.4f}. A customer's n is the customers the scoring model was "
        "fitted on.")
    page.notes += [f"Churn risk: {n.rstrip('.')}." for n in r.notes]
    page.extra["churn"] = {"as_of": r.as_of.isoformat(), "horizon_days": r.horizon_days,
                           "window_days": r.window_days, "top": TOP_RISK,
                           "verdict": r.verdict, "holdout": r.mode}
