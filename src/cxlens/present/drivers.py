"""The key drivers' chart: importance (share of R²) against performance, one point per rated
driver, coloured by quadrant. Drawn here, in the presentation layer, from the table
:func:`cxlens.insights.drivers.drivers` returns: the analysis returns data only, and the
dashboard, the report and ``cxlens drivers --format json`` draw it the same way."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.jsonable import records
from cxlens.vega import base


def quadrant_chart(table: pd.DataFrame, title: str = "Importance × performance",
                   by: str | None = None) -> dict[str, Any]:
    """Vega-Lite scatter of importance (share of R²) against performance, one point per rated
    driver, coloured by quadrant; data inlined. Split ``by`` a segment (vendor, channel, …),
    the points' shape and its legend name the segment, so they are told apart."""
    rated = table[table["performance"].notna() & table["share"].notna()]
    data = records(rated[["segment", "label", "share", "share_ci_low", "share_ci_high",
                          "performance", "quadrant", "n"]])
    x = {"field": "performance", "type": "quantitative", "title": "performance (%)",
         "scale": {"zero": False}}
    y = {"field": "share", "type": "quantitative", "title": "importance (share of R²)",
         "axis": {"format": ".0%"}}
    tooltip = [{"field": "label"}, {"field": "segment", "title": by or "segment"},
               {"field": "share", "format": ".1%"}, {"field": "share_ci_low", "format": ".1%"},
               {"field": "share_ci_high", "format": ".1%"},
               {"field": "performance", "format": ".1f"}, {"field": "quadrant"},
               {"field": "n"}]
    return {**base(title), "data": {"values": data}, "layer": [
        {"mark": "rule", "encoding": {"x": x, "y": {**y, "field": "share_ci_low"},
                                      "y2": {"field": "share_ci_high"}}},
        {"mark": {"type": "point", "filled": True, "size": 80},
         "encoding": {"x": x, "y": y, "tooltip": tooltip,
                      "color": {"field": "quadrant", "type": "nominal"},
                      **({"shape": {"field": "segment", "type": "nominal", "title": by}}
                         if by else {})}},
        {"mark": {"type": "text", "dx": 6, "align": "left"},
         "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
    ]}
