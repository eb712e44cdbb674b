"""cxlens clv / churn-risk: probabilistic customer lifetime value and churn-risk scores."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.output import Format, FormatOption, console, emit, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.dates import parse_day

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.insights import Figure
    from cxlens.insights.churn.warehouse import ChurnRisk
    from cxlens.insights.clv import CurrencyValue

AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Last day of data to use (YYYY-MM-DD), included; default: the latest.")]
TopOption = Annotated[int, typer.Option("--top", min=0, help="Customers to list.")]
CUSTOMER_FIGURES = ("p_alive", "expected_purchases", "expected_spend", "clv")


def _figure(f: Figure, **extra: Any) -> dict[str, Any]:
    return f.as_dict() | extra


def _num(v: Any) -> float | None:
    import pandas as pd

    return None if v is None or pd.isna(v) else float(v)


def _fig(value: Any, low: Any, high: Any, n: Any) -> dict[str, Any]:
    return {"value": _num(value), "ci_low": _num(low), "ci_high": _num(high), "n": int(n)}


def clv_report(values: list[CurrencyValue], as_of: dt.date, options: dict[str, Any]
               ) -> dict[str, Any]:
    """The JSON document of ``cxlens clv``: every figure with n and a 95 % interval."""
    out: dict[str, Any] = {"as_of": as_of.isoformat(), **options, "currencies": []}
    for c in values:
        item: dict[str, Any] = {"currency": c.currency, "customers": c.customers,
                                "repeat_buyers": c.repeat_buyers, "orders": c.orders}
        v = c.value
        if v is None:
            out["currencies"].append(item | {"skipped": c.skipped})
            continue
        item["parameters"] = [
            {"model": r.model, "parameter": r.parameter} | _fig(r.value, r.ci_low, r.ci_high, r.n)
            for r in v.parameters.itertuples()]
        item["frequency_spend_correlation"] = _figure(v.correlation, method="Pearson, Fisher z")
        item["aggregate_clv"] = _figure(v.total)
        item["mean_clv"] = _figure(v.mean)
        item["bootstrap_resamples"] = v.resamples
        item["top_customers"] = [
            {"customer_id": str(idx), "orders": int(row["orders"]),
             "frequency": int(row["frequency"]), "recency": float(row["recency"]),
             "T": float(row["T"]), "monetary": float(row["monetary"]),
             **{f: _fig(row[f], row[f"{f}_ci_low"], row[f"{f}_ci_high"], row["orders"])
                for f in CUSTOMER_FIGURES}}
            for idx, row in v.top.iterrows()]
        item["notes"] = v.notes
        out["currencies"].append(item)
    return out


def clv_rows(report: dict[str, Any]) -> pd.DataFrame:
    """Long table of every figure (for CSV): currency, figure, customer, value, interval, n."""
    import pandas as pd

    rows = []
    for c in report["currencies"]:
        if "skipped" in c:
            continue
        for p in c["parameters"]:
            rows.append({"currency": c["currency"], "figure": f"{p['model']}.{p['parameter']}",
                         "customer_id": None} | {k: p[k] for k in ("value", "ci_low", "ci_high",
                                                                   "n")})
        for name in ("frequency_spend_correlation", "aggregate_clv", "mean_clv"):
            rows.append({"currency": c["currency"], "figure": name, "customer_id": None}
                        | {k: c[name][k] for k in ("value", "ci_low", "ci_high", "n")})
        for cust in c["top_customers"]:
            for f in CUSTOMER_FIGURES:
                rows.append({"currency": c["currency"], "figure": f,
                             "customer_id": cust["customer_id"]} | cust[f])
    return pd.DataFrame(rows, columns=["currency", "figure", "customer_id", "value", "ci_low",
                                       "ci_high", "n"])


def _interval(d: dict[str, Any], digits: int) -> str:
    if d["ci_low"] is None:
        return ""
    return f"{d['ci_low']:,.{digits}f} – {d['ci_high']:,.{digits}f}"


def _table_clv(report: dict[str, Any]) -> None:
    import pandas as pd

    for c in report["currencies"]:
        head = (f"{c['currency']}: {c['customers']:,} customers, {c['repeat_buyers']:,} repeat "
                f"buyers, {c['orders']:,} orders")
        if "skipped" in c:
            console.print(f"{head} — skipped: {c['skipped']}", highlight=False)
            continue
        figs = [{"figure": f"{p['model']} {p['parameter']}", "value": f"{p['value']:.4g}",
                 "95% CI": _interval(p, 3), "n": p["n"]} for p in c["parameters"]]
        for name, digits in (("frequency_spend_correlation", 3), ("aggregate_clv", 0),
                             ("mean_clv", 2)):
            d = c[name]
            figs.append({"figure": name.replace("_", " "),
                         "value": "" if d["value"] is None else f"{d['value']:,.{digits}f}",
                         "95% CI": _interval(d, digits), "n": d["n"]})
        emit(pd.DataFrame(figs), Format.table,
             f"{head} — CLV over {report['horizon_months']} months in {c['currency']}")
        top = [{"customer_id": t["customer_id"], "orders": t["orders"],
                "P(alive)": f"{t['p_alive']['value']:.2f}",
                "purchases": f"{t['expected_purchases']['value']:.2f}",
                "spend": f"{t['expected_spend']['value']:,.2f}",
                "CLV": f"{t['clv']['value']:,.2f}", "CLV 95% CI": _interval(t["clv"], 2)}
               for t in c["top_customers"]]
        if top:
            emit(pd.DataFrame(top), Format.table, f"most valuable customers ({c['currency']})")
        for note in c["notes"]:
            console.print(f"note: {note}", highlight=False)


def churn_report(r: ChurnRisk, top: int) -> dict[str, Any]:
    """The JSON document of ``cxlens churn-risk``."""
    e = r.evaluation
    ev = {name: _figure(f) for name, f in e.figures().items()}
    ev["auc"]["method"] = "DeLong"
    ev["brier"]["reference"] = e.brier_reference
    coef = r.model.coefficients()
    features = [c for c in r.scores.columns
                if c not in ("customer_id", "risk", "ci_low", "ci_high", "n")]
    return {
        "as_of": r.as_of.isoformat(), "horizon_days": r.horizon_days,
        "window_days": r.window_days,
        "train": {"cutoff": r.train.cutoff.isoformat(), "customers": r.train.customers,
                  "churned": r.train.churned},
        "holdout": {"cutoff": r.test.cutoff.isoformat(), "customers": r.test.customers,
                    "churned": r.test.churned},
        "evaluation": ev,
        "calibration_table": [
            {"decile": int(d["decile"]), "n": int(d["n"]), "churned": int(d["churned"]),
             "predicted": float(d["predicted"]),
             "observed": _fig(d["observed"], d["ci_low"], d["ci_high"], d["n"])}
            for d in e.deciles.to_dict("records")],
        "odds_ratios": [
            {"feature": c.feature} | _fig(c.odds_ratio, c.ci_low, c.ci_high, c.n)
            | {"p_value": _num(c.p_value)} for c in coef.itertuples()],
        "scored_customers": len(r.scores),
        "top_customers": [
            {"customer_id": row["customer_id"],
             "risk": _fig(row["risk"], row["ci_low"], row["ci_high"], row["n"])}
            | {f: (row[f] if isinstance(row[f], str) else _num(row[f])) for f in features}
            for _, row in r.scores.head(top).iterrows()],
        "notes": r.notes,
    }


def churn_rows(report: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    rows = [{"figure": k, "customer_id": None} | {x: v[x] for x in ("value", "ci_low",
                                                                    "ci_high", "n")}
            for k, v in report["evaluation"].items()]
    rows += [{"figure": f"odds_ratio.{o['feature']}", "customer_id": None}
             | {x: o[x] for x in ("value", "ci_low", "ci_high", "n")}
             for o in report["odds_ratios"]]
    rows += [{"figure": "risk", "customer_id": c["customer_id"]} | c["risk"]
             for c in report["top_customers"]]
    return pd.DataFrame(rows, columns=["figure", "customer_id", "value", "ci_low", "ci_high",
                                       "n"])


def _table_churn(rep: dict[str, Any]) -> None:
    import pandas as pd

    ev = rep["evaluation"]
    title = (f"churn within {rep['horizon_days']} days — trained on customers at risk on "
             f"{rep['train']['cutoff']} ({rep['train']['churned']} of "
             f"{rep['train']['customers']} churned), evaluated on {rep['holdout']['cutoff']} "
             f"({rep['holdout']['churned']} of {rep['holdout']['customers']})")
    figs = [{"figure": k.replace("_", " "), "value": f"{v['value']:.3f}",
             "95% CI": _interval(v, 3), "n": v["n"]} for k, v in ev.items()
            if v["value"] is not None]
    figs.append({"figure": "brier if predicting the rate", "value":
                 f"{ev['brier']['reference']:.3f}", "95% CI": "", "n": ev["brier"]["n"]})
    emit(pd.DataFrame(figs), Format.table, title)
    emit(pd.DataFrame([{"decile": d["decile"], "n": d["n"],
                        "predicted": f"{d['predicted']:.3f}",
                        "observed": f"{d['observed']['value']:.3f}",
                        "95% CI": _interval(d["observed"], 3)}
                       for d in rep["calibration_table"]]), Format.table,
         "calibration on the holdout, by decile of predicted risk")
    emit(pd.DataFrame([{"feature": o["feature"], "odds ratio": f"{o['value']:.3f}",
                        "95% CI": _interval(o, 3), "n": o["n"]}
                       for o in rep["odds_ratios"]]), Format.table,
         "odds ratios (numeric features per SD) of the scoring model")
    top = [{"customer_id": c["customer_id"], "risk": f"{c['risk']['value']:.3f}",
            "95% CI": _interval(c["risk"], 3), "segment": c.get("segment"),
            "tenure (y)": f"{c['tenure_years']:.1f}"} for c in rep["top_customers"]]
    if top:
        emit(pd.DataFrame(top), Format.table,
             f"riskiest customers of {rep['scored_customers']:,} on {rep['as_of']}")
    for note in rep["notes"]:
        console.print(f"note: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("clv")
    def clv_cmd(
        as_of: AsOfOption = None,
        horizon_months: Annotated[int, typer.Option(
            "--horizon-months", min=1, help="Months of future purchases to value.")] = 12,
        discount: Annotated[float, typer.Option(
            "--discount", min=0.0, help="Monthly discount rate (0.01 = 1 % a month).")] = 0.01,
        margin: Annotated[float, typer.Option(
            "--margin", min=0.0, help="Share of spend that is profit (1.0 = revenue).")] = 1.0,
        unit: Annotated[str, typer.Option(
            "--unit", help="Period of the models' parameters: weeks or days.")] = "weeks",
        resamples: Annotated[int, typer.Option(
            "--resamples", min=0, help="Bootstrap resamples for the intervals.")] = 200,
        seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 7,
        top: TopOption = 10,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Customer lifetime value per order currency: BG/NBD (how many more purchases) ×
        Gamma-Gamma (worth how much each), fitted on completed orders up to --as-of, with
        bootstrap intervals for the parameters, the aggregate CLV and the top customers."""
        from cxlens.insights.clv import warehouse_value
        from cxlens.insights.clv.summary import latest_order_day, unit_days

        unit_days(unit)
        with open_warehouse(db) as wh:
            day = parse_day(as_of, "--as-of") or latest_order_day(wh)
            values = warehouse_value(wh, day, unit, horizon_months=horizon_months,
                                     discount=discount, margin=margin, resamples=resamples,
                                     seed=seed, top=top)
        options = {"unit": unit, "horizon_months": horizon_months, "discount": discount,
                   "margin": margin, "resamples": resamples, "seed": seed}
        report = clv_report(values, day, options)
        if fmt is Format.json:
            emit_json(report)
        elif fmt is Format.csv:
            clv_rows(report).to_csv(sys.stdout, index=False)
        else:
            _table_clv(report)

    @app.command("churn-risk")
    def churn_cmd(
        as_of: AsOfOption = None,
        horizon_days: Annotated[int, typer.Option(
            "--horizon-days", min=1, help="Churn within this many days is predicted.")] = 90,
        window_days: Annotated[int, typer.Option(
            "--window-days", min=1, help="Days of support and order history used.")] = 90,
        top: TopOption = 20,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Churn-risk scores from tenure, segment, support history, last NPS/CSAT and orders:
        a logistic model evaluated on a time-based holdout (AUC with DeLong interval, Brier
        score, calibration slope, intercept and deciles), then the riskiest customers."""
        from cxlens.insights.churn.warehouse import churn_risk

        with open_warehouse(db) as wh:
            result = churn_risk(wh, parse_day(as_of, "--as-of"), horizon_days, window_days)
        report = churn_report(result, top)
        if fmt is Format.json:
            emit_json(report)
        elif fmt is Format.csv:
            churn_rows(report).to_csv(sys.stdout, index=False)
        else:
            _table_churn(report)
