"""cxlens moved: what moved a headline figure between two periods — mix (more or fewer of each
segment) and rate (better or worse within each), with intervals and the top contributors in
words. The arithmetic is :mod:`cxlens.insights.moved`; this module only prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cxlens.cli.options import ParamOption, parse_params
from cxlens.cli.output import Format, FormatOption, console, emit, emit_result, json_records
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.format import confidence, figure, signed
from cxlens.periods import FORMS, in_order, parse_period

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.insights.moved import Moved

def moved_json(m: Moved, top: int) -> dict[str, Any]:
    """The whole result: periods, figures, totals with intervals, the top contributors (with
    their sentence) and every segment."""
    from cxlens.present.moved import contributor  # pandas: not at start
    r = m.result
    contributors = m.contributors(top)
    records = json_records(contributors)
    for rec, (_, row) in zip(records, contributors.iterrows(), strict=True):
        rec["text"] = contributor(row, m)
    return {"metric": m.metric, "label": m.label, "unit": m.unit, "by": list(m.by),
            "confidence": m.confidence,
            "before": {"period": m.before.label, "start": m.before.start.isoformat(),
                       "end": m.before.end.isoformat(), "value": r.before},
            "after": {"period": m.after.label, "start": m.after.start.isoformat(),
                      "end": m.after.end.isoformat(), "value": r.after},
            **m.totals(), "contributors": records, "segments": json_records(m.segments),
            "notes": m.notes}


def _table(m: Moved, top: int) -> None:
    from cxlens.present.moved import contributor, interval_text  # pandas: not at start
    r, t = m.result, m.totals()
    console.print(f"{m.label} {m.before.label} → {m.after.label}: "
                  f"{figure(r.before, m.unit)} → {figure(r.after, m.unit)}, "
                  f"{signed(r.change, m.unit)} ({confidence(m.confidence)} interval "
                  f"{interval_text(t['change']['ci_low'], t['change']['ci_high'], m.unit)})",
                  highlight=False, markup=False, soft_wrap=True)
    by = " × ".join(m.by)
    for name, why in (("mix", f"more or fewer of each {by}"),
                      ("rate", f"higher or lower {m.label} within each {by}")):
        console.print(f"  {name}: {signed(t[name]['value'], m.unit)} "
                      f"({interval_text(t[name]['ci_low'], t[name]['ci_high'], m.unit)}) "
                      f"— {why}",
                      highlight=False, markup=False, soft_wrap=True)
    contributors = m.contributors(top)
    if len(contributors):
        console.print("Top contributors:", highlight=False)
    for _, row in contributors.iterrows():
        console.print(f"  {contributor(row, m)}", highlight=False, markup=False, soft_wrap=True)
    emit(_shown(m), Format.table, f"By {by}")
    for note in m.notes:
        console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)


def _shown(m: Moved) -> pd.DataFrame:
    from cxlens.present.moved import interval_text  # pandas: not at start
    seg = m.segments
    out = seg[list(m.by)].copy()
    for d in m.by:
        out[d] = [f"(no {d})" if v is None or v != v else v for v in out[d]]
    for when in ("before", "after"):
        label = getattr(m, when).label
        out[f"n {label}"] = [f"{int(v):,}" for v in seg[f"n_{when}"]]
        out[f"share {label}"] = [figure(v, "percent") for v in seg[f"share_{when}"]]
        out[f"{m.label} {label}"] = [figure(v, m.unit) for v in seg[f"value_{when}"]]
    for name in ("mix", "rate"):
        out[name] = [signed(v, m.unit) for v in seg[name]]
        out[f"{name} interval"] = [interval_text(lo, hi, m.unit)
                                   for lo, hi in zip(seg[f"{name}_low"], seg[f"{name}_high"],
                                                     strict=True)]
    out["flag"] = seg["flag"]
    return out


def register(app: typer.Typer) -> None:
    @app.command("moved")
    def moved_cmd(
        metric: Annotated[str, typer.Argument(
            help="One metric whose figure is a mean or share (csat, nps, fcr, aht, ces…).")],
        by: Annotated[list[str], typer.Option(
            "--by", help="Segments: one dimension or several crossed, comma separated or "
                         "repeated (--by category,vendor).")],
        start: Annotated[str | None, typer.Option(
            "--from", help=f"First period: {FORMS}; default: the period before --to.")
                         ] = None,
        end: Annotated[str | None, typer.Option(
            "--to", help="Second period, written as --from; default: the month of the "
                         "latest answer.")] = None,
        where: Annotated[str | None, typer.Option(help="SQL filter on the metric's rows.")
                         ] = None,
        param: ParamOption = None,
        top: Annotated[int, typer.Option("--top", min=1, help="Contributors to name.")] = 5,
        confidence: Annotated[float, typer.Option(
            min=0.5, max=0.999, help="Confidence of the intervals.")] = 0.95,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """What moved it: the change of a metric between two periods split into mix (more or
        fewer of each segment) and rate (better or worse within each), with intervals and the
        largest contributors named."""
        if start and end:  # refused before any data is read, as every --from/--to is
            in_order(parse_period(start, "--from"), parse_period(end, "--to"))
        from cxlens.insights.moved import moved

        dims = [d.strip() for item in by for d in item.split(",") if d.strip()]
        with open_warehouse(db) as wh:
            m = moved(wh, metric, by=dims, before=start, after=end, where=where,
                      params=parse_params(param), confidence=confidence)
        emit_result(fmt, as_json=lambda: moved_json(m, top), as_csv=lambda: m.segments,
                    as_table=lambda: _table(m, top))
