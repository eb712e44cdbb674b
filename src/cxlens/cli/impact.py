"""cxlens impact: an initiative's measured effect (before/after and
difference-in-differences)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.figures import in_units
from cxlens.cli.output import Format, FormatOption, console, emit, emit_result
from cxlens.cli.warehouse import DbOption, open_warehouse

if TYPE_CHECKING:
    import pandas as pd

IMPACT_SHOWN = ["metric", "before", "before_n", "after", "after_n", "change", "change_ci_low",
                "change_ci_high", "change_p", "control_change", "did", "did_ci_low",
                "did_ci_high", "did_p", "did_q", "flag"]
FIGURES = ("before", "after", "change", "control_before", "control_after", "control_change",
           "did")


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v.item() if hasattr(v, "item") else v


def impact_json(table: Any) -> dict[str, Any]:
    """Nested JSON: each figure with its value, n and interval (and p, q for differences)."""
    results = []
    for r in table.to_dict("records"):
        item: dict[str, Any] = {"metric": r["metric"], "unit": r["unit"], "test": r["test"],
                                "flag": r["flag"] or None}
        for name in FIGURES:
            if name not in r:
                continue
            fig = {"value": _clean(r[name]), "n": _clean(r[f"{name}_n"]),
                   "ci_low": _clean(r[f"{name}_ci_low"]),
                   "ci_high": _clean(r[f"{name}_ci_high"])}
            for extra in ("se", "p", "q", "significant"):
                if f"{name}_{extra}" in r:
                    fig[extra] = _clean(r[f"{name}_{extra}"])
            item[name] = fig
        results.append(item)
    return {**table.attrs, "results": results}


def register(app: typer.Typer) -> None:
    @app.command("impact")
    def impact_cmd(
        initiative: Annotated[str, typer.Argument(help="Initiative id or name.")],
        metric: Annotated[list[str] | None, typer.Option(
            "--metric", help="Metric to measure (repeatable; default csat). Shares, NPS-like "
                             "figures and means.")] = None,
        before_months: Annotated[int, typer.Option(
            help="Baseline: this many months before the start.")] = 3,
        after_months: Annotated[str, typer.Option(
            help="After window: N months from the start, or A..B months after it (skips a "
                 "ramp-up of A months).")] = "3",
        control: Annotated[str | None, typer.Option(
            help="Control group filter for the difference-in-differences, e.g. "
                 "\"vendor = 'in-house'\"; default: everything outside the scope.")] = None,
        where: Annotated[str | None, typer.Option(
            help="Extra filter applied to every group.")] = None,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """An initiative's impact on each metric: baseline before the start vs the window
        after it (values, n, 95 % intervals, change and test), and — when the initiative has
        a scope — the difference-in-differences against a control group, with
        Benjamini–Hochberg q-values across metrics."""
        from cxlens.insights.impact import DEFAULT_METRICS, impact

        with open_warehouse(db) as wh:
            table = impact(wh, initiative, metrics=tuple(metric or DEFAULT_METRICS),
                           before_months=before_months, after=after_months, control=control,
                           where=where)
        emit_result(fmt, as_json=lambda: impact_json(table), as_csv=lambda: table,
                    as_table=lambda: _tables(table))


def _tables(table: pd.DataFrame) -> None:
    attrs = table.attrs
    init, win = attrs["initiative"], attrs["windows"]
    shown = in_units(table[[c for c in IMPACT_SHOWN if c in table]].round(
        {c: 4 for c in IMPACT_SHOWN if c.endswith(("_p", "_q"))}), ("before", "after"),
        ("change", "change_ci_low", "change_ci_high", "control_change", "did", "did_ci_low",
         "did_ci_high"))
    emit(shown, Format.table, f"{init['initiative_id']} {init['name']}")
    console.print(f"before {win['before_start'][:10]} – {win['before_end'][:10]} (excl.), "
                  f"after {win['after_start'][:10]} – {win['after_end'][:10]} (excl.)",
                  highlight=False)
    console.print(f"scope: {init['scope'] or 'everything'}; control: "
                  f"{attrs['control'] or 'none'}"
                  + (f" ({attrs['control_kind']})" if attrs["control"] else ""),
                  highlight=False)
    for note in attrs["notes"]:
        console.print(f"note: {note}", highlight=False)
