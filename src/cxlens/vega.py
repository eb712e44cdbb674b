"""The frame every Vega-Lite specification of cxlens starts from (the dashboard's charts in
:mod:`cxlens.present.charts`, the key drivers' quadrant chart)."""

from __future__ import annotations

from typing import Any

import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
WIDTH = "container"


def base(title: str) -> dict[str, Any]:
    """Schema, title, size and the house style of a chart."""
    return {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": 220,
            "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}}}


#: The label of a missing category (a contact with no vendor, an answer with no channel):
#: left as null, Vega-Lite prints "null" on the axis and in the legend.
NOT_SET = "(not set)"


def named(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with the missing values of its category ``column`` labelled :data:`NOT_SET`."""
    values = frame[column].astype(object)
    return frame.assign(**{column: values.where(values.notna(), NOT_SET)})
