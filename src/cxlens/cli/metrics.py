"""cxlens query / metrics: compute metrics, list and explain the catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.options import FromOption, ToOption
from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.metrics.spec import Metric

# The periods of cxlens.metrics.compile.GRAINS, repeated so that `cxlens --help` need not
# import the metric layer (a test checks they agree).
GRAINS = ("day", "week", "month", "quarter", "year")


def _params(items: list[str]) -> dict[str, str | float]:
    out: dict[str, str | float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--param {item!r} is not NAME=VALUE", "e.g. --param window_days=3")
        try:
            out[name.strip()] = float(value) if "." in value else int(value)
        except ValueError:
            out[name.strip()] = value
    return out


def _show(frame: pd.DataFrame, fmt: Format, figures: tuple[str, ...],
          probabilities: tuple[str, ...] = ()) -> None:
    import pandas as pd

    frame = frame.copy()
    frame["period"] = frame["period"].map(lambda v: None if v is None or pd.isna(v)
                                          else v.isoformat())
    if fmt is Format.table:
        for col in figures:
            if col in frame:
                frame[col] = frame[col].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
        for col in probabilities:
            frame[col] = frame[col].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    emit(frame, fmt)


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
    @app.command("query")
    def query(
        metrics: Annotated[str, typer.Argument(
            help="Metric names, comma-separated; NAME:VARIANT for a variant (cxlens metrics).")],
        by: Annotated[list[str] | None, typer.Option(
            "--by", help="Split by a dimension (repeatable): vendor, site, team, agent_id, "
                         "channel, category, product, segment, region, ...")] = None,
        grain: Annotated[str | None, typer.Option(
            help=f"Period: {', '.join(GRAINS)}.")] = None,
        start: FromOption = None,
        end: ToOption = None,
        where: Annotated[str | None, typer.Option(
            help="SQL filter on the metric's rows, e.g. \"channel = 'chat'\".")] = None,
        param: Annotated[list[str] | None, typer.Option(
            "--param", help="Override a metric parameter: NAME=VALUE (repeatable).")] = None,
        rank: Annotated[bool, typer.Option(
            "--rank", help="Rank the --by segments by their empirically-Bayes shrunk figure "
                           "(raw figure and rank shown beside it).")] = False,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Compute metrics with n, a 95 % interval and a flag for every figure."""
        from cxlens.metrics.query import leaderboard
        from cxlens.metrics.query import query as run_query

        with open_warehouse(db) as wh:
            if rank:
                frame = leaderboard(metrics, by=by or (), grain=grain, start=start, end=end,
                                    where=where, params=_params(param or []), db=wh)
            else:
                frame = run_query(metrics, by=by or (), grain=grain, start=start, end=end,
                                  where=where, params=_params(param or []), db=wh)
        _show(frame, fmt, ("value", "ci_low", "ci_high", "shrunk", "shrunk_low", "shrunk_high"))

    @app.command("compare")
    def compare_cmd(
        metric: Annotated[str, typer.Argument(help="One metric (NAME or NAME:VARIANT).")],
        by: Annotated[list[str] | None, typer.Option("--by", help="Segments (repeatable).")
                      ] = None,
        grain: Annotated[str, typer.Option(help=f"Period: {', '.join(GRAINS)}.")] = "month",
        start: FromOption = None,
        end: ToOption = None,
        where: Annotated[str | None, typer.Option(help="SQL filter on the metric's rows.")
                         ] = None,
        param: Annotated[list[str] | None, typer.Option(
            "--param", help="Override a metric parameter: NAME=VALUE (repeatable).")] = None,
        alpha: Annotated[float, typer.Option(
            help="False-discovery rate for 'significant' (Benjamini–Hochberg).")] = 0.05,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Period-over-period change per segment: is it real? (tests + FDR control)."""
        import pandas as pd

        from cxlens.metrics.query import compare

        with open_warehouse(db) as wh:
            frame = compare(metric, by=by or (), grain=grain, start=start, end=end, where=where,
                            params=_params(param or []), db=wh, alpha=alpha)
        frame = frame.copy()
        frame["previous_period"] = frame["previous_period"].map(
            lambda v: None if v is None or pd.isna(v) else v.isoformat())
        _show(frame, fmt, ("value", "previous_value", "change"), ("p_value", "q_value"))

    metrics_app = typer.Typer(help="The metric catalogue.", no_args_is_help=False,
                              invoke_without_command=True)

    @metrics_app.callback()
    def metrics_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
        """List every metric with its kind, table, unit and journey phase."""
        if ctx.invoked_subcommand:
            return
        import pandas as pd

        from cxlens.metrics.catalogue import catalogue

        rows = [{"metric": m.name, "label": m.label, "kind": m.kind.value, "table": m.source,
                 "unit": m.unit.value, "phase": m.phase.value if m.phase else "",
                 "touchpoint": m.touchpoint or "", "variants": ", ".join(m.variants)}
                for m in catalogue().values()]
        emit(pd.DataFrame(rows), fmt, "metrics")

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
