"""Jinja2 environment shared by the dashboard and the report; numbers are formatted by
:mod:`cxlens.format` (its functions are the templates' filters)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cxlens.format import (
    cell,
    decimal,
    heading,
    interval,
    label,
    metric_unit,
    number,
    p_short,
    table_cells,
)
from cxlens.periods import parse_period, words
from cxlens.present.timestamps import when

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                  trim_blocks=True, lstrip_blocks=True)


def spec_json(spec: dict[str, Any]) -> str:
    """A chart spec for a <script type="application/json"> block (no "</" inside)."""
    return json.dumps(spec, default=str).replace("</", "<\\/")


env.filters["number"] = number
env.filters["cell"] = cell
env.filters["heading"] = heading
env.filters["cells"] = table_cells
env.filters["interval"] = interval
env.filters["metric_label"] = label
env.filters["when"] = when
#: Table cells this long or shorter (a figure, a date, an id: "58.6 %", "2025-10-01",
#: "A-BOG-0001") keep to one line on screen: wrapped at a space or hyphen they read as two
#: values ("58.6" over "%", "2025-" over "10-01"); longer text wraps.
SHORT_CELL = 16
env.globals |= {"decimal": decimal, "p_short": p_short, "metric_unit": metric_unit,
                "short_cell": SHORT_CELL}
env.filters["spec_json"] = spec_json


def period_words(period: Any) -> str:
    """A page's period as people name it: in words already (the overview's), or its first
    and last days as the JSON twin gives them ({"from": "2025-12-30", "to": "2026-09-26"}:
    the cohorts page), which read "30 Dec 2025 – 26 Sep 2026", not as a Python dict."""
    if isinstance(period, dict):
        return words(parse_period(f"{period['from']}..{period['to']}"))
    return str(period)


env.filters["period_words"] = period_words


def pivot(table: Any, dim: str) -> dict[str, Any]:
    """Figures side by side: one row per segment, one column per metric, each cell the value
    as people read it with its n (for the report's vendor and site scorecards)."""
    from cxlens.metrics.catalogue import resolve

    metrics = list(dict.fromkeys(table["metric"]))
    labels = {m: resolve(m).label for m in metrics}
    units = {m: resolve(m).unit.value for m in metrics}
    rows: dict[str, dict[str, tuple[str, str]]] = {}
    for rec in table.to_dict(orient="records"):
        seg = "(none)" if rec[dim] is None or rec[dim] != rec[dim] else str(rec[dim])
        flag = " *" if rec.get("flag") == "insufficient_sample" else ""
        rows.setdefault(seg, {})[rec["metric"]] = (
            f"{number(rec['value'], units[rec['metric']])}{flag}", f"n {int(rec['n']):,}")
    return {"columns": [labels[m] for m in metrics], "metrics": metrics, "rows": rows}


env.filters["pivot"] = pivot
