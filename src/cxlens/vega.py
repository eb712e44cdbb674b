"""The frame every Vega-Lite specification of cxlens starts from (the dashboard's charts in
:mod:`cxlens.web.charts`, the key drivers' quadrant chart)."""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
WIDTH = "container"


def base(title: str) -> dict[str, Any]:
    """Schema, title, size and the house style of a chart."""
    return {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": 220,
            "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}}}
