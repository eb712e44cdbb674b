"""cxlens churn-risk: churn-risk scores evaluated on a time-based holdout (or, for one
snapshot of the customers, a stratified random one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.figures import figure_json, interval_json, interval_text, plain_number
from cxlens.cli.options import AsOfOption, TopOption
from cxlens.cli.output import Format, FormatOption, console, emit, emit_result
from cxlens.cli.progress import working
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.dates import parse_day

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.insights.churn.warehouse import ChurnRisk


def churn_report(r: ChurnRisk, top: int) -> dict[str, Any]:
    """The JSON document of ``cxlens churn-risk``."""
    e = r.evaluation
    ev = {name: figure_json(f) for name, f in e.figures().items()}
    ev["auc"]["method"] = "DeLong"
    ev["brier"]["reference"] = e.brier_reference
    coef = r.model.coefficients()
    features = [c for c in r.scores.columns
                if c not in ("customer_id", "risk", "ci_low", "ci_high", "n")]
    return {
        "as_of": r.as_of.isoformat(), "mode": r.mode, "holdout_design": r.holdout,
        "horizon_days": r.horizon_days if r.mode == "time" else None,
        "window_days": r.window_days,
        "verdict": r.verdict,
        "train": {"cutoff": r.train.cutoff.isoformat(), "customers": r.train.customers,
                  "churned": r.train.churned},
        "holdout": {"cutoff": r.test.cutoff.isoformat(), "customers": r.test.customers,
                    "churned": r.test.churned},
        "evaluation": ev,
        "calibration_table": [
            {"decile": int(d["decile"]), "n": int(d["n"]), "churned": int(d["churned"]),
             "predicted": float(d["predicted"]),
             "observed": interval_json(d["observed"], d["ci_low"], d["ci_high"], d["n"])}
            for d in e.deciles.to_dict("records")],
        "odds_ratios": [
            {"feature": c.feature} | interval_json(c.odds_ratio, c.ci_low, c.ci_high, c.n)
            | {"p_value": plain_number(c.p_value)} for c in coef.itertuples()],
        "scored_customers": r.at_risk,
        "top_customers": [
            {"customer_id": row["customer_id"],
             "risk": interval_json(row["risk"], row["ci_low"], row["ci_high"], row["n"])}
            | {f: (row[f] if isinstance(row[f], str) else plain_number(row[f])) for f in features}
            for _, row in r.scores.head(top).iterrows()],
        "notes": r.notes,
    }


def _years(v: float | None) -> str:
    return "" if v is None else f"{v:.1f}"


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
    what = (f"churn within {rep['horizon_days']} days" if rep["mode"] == "time"
            else f"churned by the snapshot of {rep['as_of']}")
    title = (f"{what} — {rep['holdout_design']}: trained on {rep['train']['customers']} "
             f"({rep['train']['churned']} churned), evaluated on "
             f"{rep['holdout']['customers']} ({rep['holdout']['churned']} churned)")
    figs = [{"figure": k.replace("_", " "), "value": f"{v['value']:.3f}",
             "95 % CI": interval_text(v, 3), "n": v["n"]} for k, v in ev.items()
            if v["value"] is not None]
    figs.append({"figure": "brier if predicting the rate", "value":
                 f"{ev['brier']['reference']:.3f}", "95 % CI": "", "n": ev["brier"]["n"]})
    emit(pd.DataFrame(figs), Format.table, title)
    emit(pd.DataFrame([{"decile": d["decile"], "n": d["n"],
                        "predicted": f"{d['predicted']:.3f}",
                        "observed": f"{d['observed']['value']:.3f}",
                        "95 % CI": interval_text(d["observed"], 3)}
                       for d in rep["calibration_table"]]), Format.table,
         "calibration on the holdout, by decile of predicted risk")
    emit(pd.DataFrame([{"feature": o["feature"], "odds ratio": f"{o['value']:.3f}",
                        "95 % CI": interval_text(o, 3), "n": o["n"]}
                       for o in rep["odds_ratios"]]), Format.table,
         "odds ratios (numeric features per SD) of the scoring model")
    top = [{"customer_id": c["customer_id"], "risk": f"{c['risk']['value']:.3f}",
            "95 % CI": interval_text(c["risk"], 3), "segment": c.get("segment"),
            "tenure (y)": _years(c["tenure_years"])} for c in rep["top_customers"]]
    if rep["verdict"]:
        console.print(f"{rep['verdict'][:1].upper()}{rep['verdict'][1:]}: no riskiest "
                      f"customers are listed (of {rep['scored_customers']:,} at risk).",
                      highlight=False)
    elif top:
        emit(pd.DataFrame(top), Format.table,
             f"riskiest customers of {rep['scored_customers']:,} on {rep['as_of']}")
    for note in rep["notes"]:
        console.print(f"note: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("churn-risk")
    def churn_cmd(
        as_of: AsOfOption = None,
        horizon_days: Annotated[int, typer.Option(
            "--horizon-days", min=1, help="Churn within this many days is predicted.")] = 90,
        window_days: Annotated[int, typer.Option(
            "--window-days", min=1, help="Days of support and order history used.")] = 90,
        snapshot: Annotated[bool, typer.Option(
            "--snapshot", help="Cross-sectional: the customers are one snapshot (a churned "
                               "flag, no history, e.g. IBM Telco); hold out a stratified "
                               "random share of them instead of a later period.")] = False,
        test_share: Annotated[float, typer.Option(
            "--test-share", min=0.05, max=0.95,
            help="With --snapshot: share of the customers held out.")] = 0.3,
        seed: Annotated[int, typer.Option(
            "--seed", help="With --snapshot: seed of the random holdout.")] = 7,
        top: TopOption = 20,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Churn-risk scores from tenure, segment, support history, last NPS/CSAT and orders:
        a logistic model evaluated on a time-based holdout (or, with --snapshot, a stratified
        random one) — AUC with DeLong interval, Brier score, calibration slope, intercept and
        deciles — then the riskiest customers, unless the model ranks no better than chance."""
        from cxlens.insights.churn.snapshot import churn_risk_snapshot
        from cxlens.insights.churn.warehouse import churn_risk

        day = parse_day(as_of, "--as-of")
        design = "a stratified random holdout" if snapshot else "a time-based holdout"
        with (open_warehouse(db) as wh,
              working(f"fitting and evaluating the churn model on {design}")):
            result = (churn_risk_snapshot(wh, day, window_days, test_share, seed) if snapshot
                      else churn_risk(wh, day, horizon_days, window_days, top=top))
        report = churn_report(result, top)
        emit_result(fmt, as_json=lambda: report, as_csv=lambda: churn_rows(report),
                    as_table=lambda: _table_churn(report))
