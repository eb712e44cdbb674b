"""cxlens clv: probabilistic customer lifetime value (BG/NBD × Gamma-Gamma)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.figures import figure_json, interval_json, interval_text
from cxlens.cli.options import AsOfOption, TopOption
from cxlens.cli.output import Format, FormatOption, console, emit, emit_result
from cxlens.cli.progress import working
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.dates import parse_day

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.insights.clv import CurrencyValue

CUSTOMER_FIGURES = ("p_alive", "expected_purchases", "expected_spend", "clv")


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
            {"model": r.model, "parameter": r.parameter}
            | interval_json(r.value, r.ci_low, r.ci_high, r.n)
            for r in v.parameters.itertuples()]
        item["frequency_spend_correlation"] = figure_json(v.correlation, method="Pearson, Fisher z")
        item["aggregate_clv"] = figure_json(v.total)
        item["mean_clv"] = figure_json(v.mean)
        item["bootstrap_resamples"] = v.resamples
        item["top_customers"] = [
            {"customer_id": str(idx), "orders": int(row["orders"]),
             "frequency": int(row["frequency"]), "recency": float(row["recency"]),
             "T": float(row["T"]), "monetary": float(row["monetary"]),
             **{f: interval_json(row[f], row[f"{f}_ci_low"], row[f"{f}_ci_high"], row["orders"])
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


def _table_clv(report: dict[str, Any]) -> None:
    import pandas as pd

    for c in report["currencies"]:
        head = (f"{c['currency']}: {c['customers']:,} customers, {c['repeat_buyers']:,} repeat "
                f"buyers, {c['orders']:,} orders")
        if "skipped" in c:
            console.print(f"{head} — skipped: {c['skipped']}", highlight=False)
            continue
        figs = [{"figure": f"{p['model']} {p['parameter']}", "value": f"{p['value']:.4g}",
                 "95 % CI": interval_text(p, 3), "n": p["n"]} for p in c["parameters"]]
        for name, digits in (("frequency_spend_correlation", 3), ("aggregate_clv", 0),
                             ("mean_clv", 2)):
            d = c[name]
            figs.append({"figure": name.replace("_", " "),
                         "value": "" if d["value"] is None else f"{d['value']:,.{digits}f}",
                         "95 % CI": interval_text(d, digits), "n": d["n"]})
        emit(pd.DataFrame(figs), Format.table,
             f"{head} — CLV over {report['horizon_months']} months in {c['currency']}")
        top = [{"customer_id": t["customer_id"], "orders": t["orders"],
                "P(alive)": f"{t['p_alive']['value']:.2f}",
                "purchases": f"{t['expected_purchases']['value']:.2f}",
                "spend": f"{t['expected_spend']['value']:,.2f}",
                "CLV": f"{t['clv']['value']:,.2f}", "CLV 95 % CI": interval_text(t["clv"], 2)}
               for t in c["top_customers"]]
        if top:
            emit(pd.DataFrame(top), Format.table, f"most valuable customers ({c['currency']})")
        for note in c["notes"]:
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
            with working(f"fitting BG/NBD × Gamma-Gamma, {resamples:,} bootstrap resamples"):
                values = warehouse_value(wh, day, unit, horizon_months=horizon_months,
                                         discount=discount, margin=margin,
                                         resamples=resamples, seed=seed, top=top)
        options = {"unit": unit, "horizon_months": horizon_months, "discount": discount,
                   "margin": margin, "resamples": resamples, "seed": seed}
        report = clv_report(values, day, options)
        emit_result(fmt, as_json=lambda: report, as_csv=lambda: clv_rows(report),
                    as_table=lambda: _table_clv(report))
