"""What the page model's builders share: the headline figures of metrics within the page's
filters (``metric_frame``, ``figure``: nothing here computes a metric itself, ``metrics.query``
does), the insight pages' cards and options, and the refusal of company-wide pages to a vendor
viewer. The pages themselves are one module per URL beside this one."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.errors import Forbidden, NotFound, did_you_mean
from cxlens.metrics.catalogue import resolve
from cxlens.metrics.compile import Request
from cxlens.metrics.query import parse_time, run
from cxlens.metrics.spec import Metric
from cxlens.present import charts
from cxlens.present.filters import visible, where
from cxlens.present.model import Figure, PageCtx
from cxlens.present.scope import limited


def _none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v


def _request(ctx: PageCtx, dims: tuple[str, ...] = (), grain: str | None = None,
             where_text: str | None = None) -> Request:
    return Request(dims=dims, grain=grain, start=parse_time(ctx.filters.start),
                   end=parse_time(ctx.filters.end, end=True), where=where_text)


def metric_frame(ctx: PageCtx, names: list[str], dims: tuple[str, ...] = (),
                 grain: str | None = None, extra: dict[str, str] | None = None,
                 ) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Figures of the visible ``names`` (one query per distinct filter), and for each metric
    the filters that could not apply to it."""
    metrics = {n: resolve(n) for n in names}
    shown = [n for n, m in metrics.items() if visible(m, ctx.user)]
    groups: dict[str | None, list[str]] = {}
    unusable: dict[str, list[str]] = {}
    for name in shown:
        text, cannot = where(metrics[name], ctx.filters, extra)
        unusable[name] = cannot
        groups.setdefault(text, []).append(name)
    frames = [run(ctx.wh, group, _request(ctx, dims, grain, text), {})
              for text, group in groups.items()]
    if not frames:
        return pd.DataFrame(columns=[*dims, "period", "metric", "value", "n", "ci_low",
                                     "ci_high", "flag"]), unusable
    return pd.concat(frames, ignore_index=True), unusable


def figure(row: pd.Series, metric: Metric, cannot: list[str]) -> Figure:
    return Figure(metric=metric.full_name, label=metric.label, unit=metric.unit.value,
                  higher_is_better=metric.higher_is_better, value=_none(row["value"]),
                  n=int(row["n"]), ci_low=_none(row["ci_low"]), ci_high=_none(row["ci_high"]),
                  flag=_none(row["flag"]), note=_none(row.get("note")) or None,
                  not_filterable_by=cannot)


def company_wide(ctx: PageCtx, what: str) -> None:
    """Refuse a vendor viewer a page about every vendor's customers (403)."""
    if limited(ctx.user):
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
