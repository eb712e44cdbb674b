"""Jinja2 environment and value formatting shared by the dashboard and the report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                  trim_blocks=True, lstrip_blocks=True)


def number(value: Any, unit: str = "") -> str:
    """A figure as people read it: 71.3 %, +42 points, 6 min 05 s, 1,204, 0.245."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if unit == "percent":
        return f"{v:.1f} %"
    if unit == "points":
        return f"{v:+.1f}"
    if unit == "seconds":
        if v < 0:  # a change: the sign, then the duration (−90 s is −1 min 30 s)
            return "-" + number(-v, unit)
        if abs(v) >= 3600:
            return f"{v / 3600:.1f} h"
        if abs(v) >= 60:
            return f"{int(v // 60)} min {round(v % 60):02d} s"
        return f"{v:.0f} s"
    if unit == "count":
        return f"{v:,.0f}"
    if unit == "statistic":  # R², AUC, a Brier score: three decimals
        return f"{v:.3f}"
    return f"{v:,.2f}"


def cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):  # small figures (a p-value, a model parameter) keep 2 digits
        return f"{value:.2g}" if 0 < abs(value) < 0.01 else f"{value:,.2f}"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def spec_json(spec: dict[str, Any]) -> str:
    """A chart spec for a <script type="application/json"> block (no "</" inside)."""
    return json.dumps(spec, default=str).replace("</", "<\\/")


env.filters["number"] = number
env.filters["cell"] = cell
env.filters["spec_json"] = spec_json


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
