"""The subject of a share: a column that the condition singles out with a parameter, e.g.
share of voice's ``brand = {our_brand}`` or traffic share's ``source = {traffic_source}``.

Split by that column (``--by brand``), each segment is that value's share of **all** rows of
the other segments and period (each brand's share of all mentions), not of its own rows (which
read 100 % for our brand and 0 % for every other). Not split by it, a parameter value that never
occurs in the column is refused with the values present, instead of a quiet 0 %.
"""

from __future__ import annotations

import re

import pandas as pd

from cxlens.errors import NotFound, did_you_mean
from cxlens.metrics import relations
from cxlens.metrics.compile import PERIOD, Request
from cxlens.metrics.spec import Kind, Metric

_SUBJECT = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*=\s*\{([a-z_][a-z0-9_]*)\}\s*$")
SHOWN = 30  # values listed in the error


def subject(metric: Metric) -> tuple[str, str] | None:
    """(column, parameter) when ``metric`` is a share of rows whose column equals a parameter."""
    if metric.kind is not Kind.SHARE or metric.per or metric.condition is None:
        return None
    match = _SUBJECT.match(metric.condition)
    if match is None or any(match.group(1) in p for p in metric.population):
        return None
    return match.group(1), match.group(2)


def share_of_all(raw: pd.DataFrame, metric: Metric, req: Request) -> pd.DataFrame:
    """Statistics split by the subject column as each value's share of all rows: k = the
    value's rows, n = the rows of every value in the same other segments and period."""
    found = subject(metric)
    if found is None or found[0] not in req.dims or raw.empty:
        return raw
    others = [d for d in req.dims if d != found[0]] + ([PERIOD] if req.grain else [])
    out = raw.copy()
    n = pd.to_numeric(out["n"], errors="coerce").fillna(0)
    out["k"] = n
    out["n"] = (n.groupby([out[c] for c in others], dropna=False).transform("sum")
                if others else n.sum())
    return out


def check_present(table: relations.Table, metric: Metric, req: Request) -> None:
    """Refuse a subject value (e.g. our brand) that no row of the source table has."""
    found = subject(metric)
    if found is None or found[0] in req.dims:
        return
    column, param = found
    value = metric.params[param]
    present = relations.distinct_values(table, metric.source, column, limit=1000)
    if not present or value in present or str(value) in map(str, present):
        return
    shown = ", ".join(map(str, present[:SHOWN])) + (" …" if len(present) > SHOWN else "")
    raise NotFound(
        f"{metric.full_name}: {param} {value!r} never occurs in {metric.source}.{column}."
        f"{did_you_mean(str(value), [str(v) for v in present])}",
        f"{column} values present: {shown}. Pass --param {param}=VALUE, or store the default "
        f"on the dashboard's settings page (a {metric.label} of 0 % would be meaningless).")
