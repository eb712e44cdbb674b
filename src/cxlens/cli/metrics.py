"""cxlens metrics: list and explain the metric catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit_rows

if TYPE_CHECKING:
    from cxlens.metrics.spec import Metric


def describe(m: Metric) -> list[str]:
    lines = [f"{m.label} ({m.full_name}): {m.definition}",
             f"  kind {m.kind.value} on {m.source}, attributed to {m.time}; unit {m.unit.value}; "
             f"minimum sample {m.min_sample}"
             + ("" if m.higher_is_better is None else
                f"; {'higher' if m.higher_is_better else 'lower'} is better")]
    for field, text in m.expressions().items():
        lines.append(f"  {field}: {text}")
    if m.kind.value == "duration":
        lines.append(f"  stat: {m.stat}")
    if m.uniform:
        lines.append(f"  never mixes: {', '.join(m.uniform)}")
    if m.params:
        lines.append("  params: " + ", ".join(f"{k}={v}" for k, v in m.params.items()))
    for ref in m.references:
        lines.append(f"  source: {ref}")
    return lines


def register(app: typer.Typer) -> None:
    metrics_app = typer.Typer(help="The metric catalogue.", no_args_is_help=False,
                              invoke_without_command=True)

    @metrics_app.callback()
    def metrics_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
        """List every metric with its kind, table, unit and journey phase."""
        if ctx.invoked_subcommand:
            return
        from cxlens.metrics.catalogue import catalogue

        rows = [{"metric": m.name, "label": m.label, "kind": m.kind.value, "table": m.source,
                 "unit": m.unit.value, "phase": m.phase.value if m.phase else "",
                 "touchpoint": m.touchpoint or "", "variants": ", ".join(m.variants)}
                for m in catalogue().values()]
        emit_rows(rows, fmt, "metrics")

    @metrics_app.command("show")
    def metrics_show(name: Annotated[str, typer.Argument(help="Metric, or NAME:VARIANT.")]) -> None:
        """Print a metric's definition, its expressions and its variants."""
        from cxlens.metrics.catalogue import catalogue, resolve

        metric = resolve(name)
        for line in describe(metric):
            console.print(line, highlight=False, soft_wrap=True)
        base = catalogue()[metric.name]
        if base.variants and not metric.variant:
            console.print("variants:", highlight=False)
            for v in base.variants:
                console.print(f"  {metric.name}:{v} — {base.with_variant(v).label}",
                              highlight=False)

    app.add_typer(metrics_app, name="metrics")
