"""Vega-Lite specifications for the dashboard, the report and ``cxlens drivers --format json``
— the one chart module: the frame every chart starts from, the metric charts and the key
drivers' quadrant chart. Data is inlined (never loaded from a URL); every chart shows the
interval and n where the figure has them, its values in its unit (durations as h:mm:ss,
shares as percentages) and its small samples hollow and grey (:mod:`cxlens.present.chart_marks`).
A domain module returns data; charts are drawn here."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.format import Unit
from cxlens.jsonable import plain, records
from cxlens.present.chart_marks import (
    axis,
    meta,
    min_sample_for,
    sample_marks,
    tooltip,
    unit_for,
    values,
)
from cxlens.schema import NOT_SET

__all__ = ["SCHEMA", "WIDTH", "bars", "calibration", "contributions", "intervals", "plain",
           "quadrant_chart", "records", "sparkline", "trend"]
FIGURE = ["period", "value", "ci_low", "ci_high", "n", "flag"]


SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
WIDTH = "container"


def _base(title: str) -> dict[str, Any]:
    """Schema, title, size and the house style of a chart."""
    return {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": 220,
            "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}}}


#: (The label of a missing category, :data:`cxlens.schema.NOT_SET`: left as null, Vega-Lite
#: prints "null" on the axis and in the legend.)


def named(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with the missing values of its category ``column`` labelled :data:`NOT_SET`."""
    values = frame[column].astype(object)
    return frame.assign(**{column: values.where(values.notna(), NOT_SET)})


def _values(frame: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
    return records(frame[cols])


def trend(frame: pd.DataFrame, label: str, limits: pd.DataFrame | None = None,
          bands: dict[str, Any] | None = None, unit: str | Unit | None = None,
          min_n: int | None = None) -> dict[str, Any]:
    """Value by period with its 95 % interval as a band; tooltips give n and flag.
    ``limits`` (columns period, lcl, centre, ucl) adds control limits as dashed lines;
    ``bands`` ({source, bands: [{from, to, label}]}) adds labelled benchmark bands.
    ``unit`` and ``min_n`` default to the catalogue's for the frame's ``metric``."""
    u, small = unit_for(frame, unit), min_sample_for(frame, min_n)
    data = values(frame, FIGURE, u, small)
    x = {"field": "period", "type": "temporal", "title": None,
         "axis": {"format": "%b %Y", "tickCount": "month", "labelAngle": 0}}
    y_axis = axis(u, label, data)
    tips = tooltip(label, data, [{"field": "period", "type": "temporal", "format": "%b %Y",
                                  "title": "period"}])
    layers: list[dict[str, Any]] = []
    if bands:
        rows = [{"lo": b["from"], "hi": b["to"], "band": f"{b['label']} ({bands['source']})"}
                for b in bands["bands"]]
        layers.append({"data": {"values": rows}, "mark": {"type": "rect", "opacity": 0.08},
                       "encoding": {"y": {"field": "lo", "type": "quantitative"},
                                    "y2": {"field": "hi"},
                                    "color": {"field": "band", "type": "nominal",
                                              "title": "benchmark",
                                              "legend": {"orient": "bottom",
                                                         "labelLimit": 400}}}})
    layers += [
        {"mark": {"type": "area", "opacity": 0.2},
         "encoding": {"x": x, "y": {"field": "ci_low", "type": "quantitative", **y_axis,
                                    "scale": {"zero": False}},
                      "y2": {"field": "ci_high"}}},
        {"mark": {"type": "line"},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}}},
        {"mark": {"type": "circle", "size": 50, "strokeWidth": 1.5, "opacity": 1},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"},
                      **sample_marks(data, small), "tooltip": tips}},
    ]
    if limits is not None and len(limits):
        lim = records(limits[["period", "lcl", "centre", "ucl"]])
        for col, dash in (("lcl", [4, 3]), ("ucl", [4, 3]), ("centre", [1, 2])):
            layers.append({"data": {"values": lim},
                           "mark": {"type": "line", "strokeDash": dash, "color": "#a15c00",
                                    "interpolate": "step-after" if col != "centre" else
                                    "linear"},
                           "encoding": {"x": x, "y": {"field": col, "type": "quantitative"}}})
    return {**_base(label), **meta(u, small), "data": {"values": data}, "layer": layers}


def intervals(frame: pd.DataFrame, dim: str, label: str, unit: str | Unit | None = None,
              min_n: int | None = None) -> dict[str, Any]:
    """One point per segment with its interval as a rule, best first."""
    u, small = unit_for(frame, unit), min_sample_for(frame, min_n)
    data = values(named(frame, dim), [dim, *FIGURE[1:]], u, small)
    y = {"field": dim, "type": "nominal", "sort": "-x", "title": None}
    return {**_base(label), **meta(u, small), "height": {"step": 22}, "data": {"values": data},
            "layer": [
        {"mark": "rule", "encoding": {"y": y, "x": {"field": "ci_low", "type": "quantitative",
                                                    **axis(u, label, data),
                                                    "scale": {"zero": False}},
                                      "x2": {"field": "ci_high"}}},
        {"mark": {"type": "circle", "size": 60, "strokeWidth": 1.5, "opacity": 1},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"},
                      **sample_marks(data, small),
                      "tooltip": tooltip(label, data, [{"field": dim, "title": dim}])}},
    ]}


def bars(frame: pd.DataFrame, dim: str, label: str, unit: str | Unit | None = None,
         min_n: int | None = None) -> dict[str, Any]:
    """Bars per segment (counts), with n in the tooltip; a bar below ``min_n`` is grey."""
    u = unit_for(frame, unit if unit is not None else Unit.COUNT)
    small = min_sample_for(frame, min_n)
    data = values(named(frame, dim), [dim, "value", "n", "flag"], u, small)
    return {**_base(label), **meta(u, small), "height": {"step": 20}, "data": {"values": data},
            "mark": "bar",
            "encoding": {"y": {"field": dim, "type": "nominal", "sort": "-x", "title": None},
                         "x": {"field": "value", "type": "quantitative", **axis(u, label)},
                         **sample_marks(data, small, hollow=False),
                         "tooltip": tooltip(label, data, [{"field": dim, "title": dim}])}}


#: The contributions chart's tooltip texts and their titles.
TEXTS: dict[str, str] = {"value_text": "change", "interval_text": "interval",
                         "n_text": "n"}


def contributions(frame: pd.DataFrame, label: str) -> dict[str, Any]:
    """What moved a figure: per segment (``segment``, in the frame's order) a bar for its
    mix part and one for its rate part (``effect``), each with its interval as an error bar;
    a small segment's bars are hollow, so its noise shows without hovering."""
    data = _values(frame, ["segment", "effect", "value", "ci_low", "ci_high", "n", "flag",
                           *TEXTS])
    for row in data:
        row["small"] = "small" in str(row["flag"] or "").split(",")
    order = list(dict.fromkeys(str(r["segment"]) for r in data))
    y = {"field": "segment", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 180}}
    x = {"field": "value", "type": "quantitative", "title": label}
    color = {"field": "effect", "type": "nominal", "title": None,
             "scale": {"domain": ["mix", "rate"], "range": ["#4c78a8", "#f58518"]},
             # one entry a line, under the chart: side by side they ran off a phone's width
             "legend": {"orient": "bottom", "direction": "vertical",
                        "labelExpr": "datum.label == 'mix' ? 'mix (more or "
                        "fewer of it)' : 'rate (better or worse within it)'",
                        "labelLimit": 300}}
    offset = {"field": "effect", "type": "nominal", "sort": ["mix", "rate"]}
    # the texts the one formatter wrote (cxlens.present.moved.contributions): "-1 min 05 s"
    tooltip = [{"field": "segment"}, {"field": "effect"},
               *[{"field": f, "type": "nominal", "title": t} for f, t in TEXTS.items()],
               {"field": "flag"}]
    return {**_base(label), "height": {"step": 14}, "data": {"values": data}, "layer": [
        {"mark": {"type": "bar", "strokeWidth": 1.5},
         "encoding": {"y": y, "yOffset": offset, "x": x, "color": color,
                      "stroke": {**color, "legend": None},
                      "fillOpacity": {"condition": {"test": "datum.small", "value": 0},
                                      "value": 1},
                      "tooltip": tooltip}},
        {"mark": {"type": "rule", "color": "#333"},
         "encoding": {"y": y, "yOffset": offset,
                      "x": {"field": "ci_low", "type": "quantitative"},
                      "x2": {"field": "ci_high"}}},
        {"mark": {"type": "rule", "color": "#999"}, "encoding": {"x": {"datum": 0}}},
    ]}


def calibration(frame: pd.DataFrame, label: str) -> dict[str, Any]:
    """Observed rate (with its interval) against the mean predicted risk per group, and the
    diagonal a calibrated model would follow; ``frame`` has predicted, observed, ci_low,
    ci_high and n (all rates are shares, shown as percentages)."""
    data = records(frame[["decile", "predicted", "observed", "ci_low", "ci_high", "n"]])
    top = max([1e-3, *[v for r in data for k in ("predicted", "ci_high")
                       if (v := r[k]) is not None]])
    x = {"field": "predicted", "type": "quantitative", **axis(Unit.SHARE, "predicted risk"),
         "scale": {"domain": [0, top]}}
    y = {"field": "observed", "type": "quantitative", **axis(Unit.SHARE, label),
         "scale": {"domain": [0, top]}}
    share = ".1%"
    return {**_base(label), **meta(Unit.SHARE, None), "data": {"values": data}, "layer": [
        {"data": {"values": [{"predicted": 0, "observed": 0}, {"predicted": top,
                                                               "observed": top}]},
         "mark": {"type": "line", "strokeDash": [4, 3], "color": "#888"},
         "encoding": {"x": x, "y": y}},
        {"mark": "rule", "encoding": {"x": x, "y": {**y, "field": "ci_low"},
                                      "y2": {"field": "ci_high"}}},
        {"mark": {"type": "point", "filled": True, "size": 60},
         "encoding": {"x": x, "y": y,
                      "tooltip": [{"field": "decile"}, {"field": "predicted", "format": share},
                                  {"field": "observed", "format": share},
                                  {"field": "ci_low", "format": share},
                                  {"field": "ci_high", "format": share},
                                  {"field": "n", "format": ","}]}},
    ]}


def sparkline(frame: pd.DataFrame, description: str) -> dict[str, Any]:
    """A headline's last periods as a small line without axes (the overview's cards), the
    latest point marked; ``description`` is its text alternative (first and last values)."""
    data = _values(frame, ["period", "value", "n"])
    x = {"field": "period", "type": "temporal", "axis": None}
    y = {"field": "value", "type": "quantitative", "axis": None, "scale": {"zero": False}}
    return {"$schema": SCHEMA, "description": description, "width": WIDTH, "height": 36,
            "padding": 2, "config": {"view": {"stroke": None}},
            "data": {"values": data},
            "layer": [{"mark": {"type": "line", "strokeWidth": 1.5},
                       "encoding": {"x": x, "y": y}},
                      {"transform": [{"window": [{"op": "rank", "as": "r"}],
                                      "sort": [{"field": "period", "order": "descending"}]},
                                     {"filter": "datum.r == 1"}],
                       "mark": {"type": "point", "filled": True, "size": 30},
                       "encoding": {"x": x, "y": y}}]}


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
    return {**_base(title), "data": {"values": data}, "layer": [
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
