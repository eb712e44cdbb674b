"""What every dashboard and report chart shares beyond its frame (``cxlens.present.charts``):
its values as people read them and its small samples drawn differently.

Why here and not in each chart: a tooltip with "408.21" beside a card reading "6 min 48 s", an
axis in seconds, or a figure from 12 answers drawn like one from 1,200 were each fixed once,
per page, and came back on the next page. The rules:

- tooltips show text made by the one formatter (:mod:`cxlens.format`): the value in its
  unit, its interval clipped to the scale, n with thousands separators;
- an axis of durations reads h:mm:ss, an axis of shares reads percentages;
- a point or bar below its minimum sample (flagged ``insufficient_sample``, or n below the
  metric's minimum) is hollow and grey, with a legend entry "small sample (n < N)", so it
  is seen without hovering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

from cxlens.format import Unit, as_float, count, interval, metric_unit, number, unit_of
from cxlens.jsonable import records

#: The sample field's value of a figure with enough answers.
ENOUGH: Final = "enough"
COLOUR: Final = "#4c78a8"
GREY: Final = "#8c959f"
#: The clock form of cxlens.format.duration ("0:06:43"), as a Vega expression for an axis.
CLOCK: Final = ("floor(datum.value / 3600) + ':' + pad('' + floor(datum.value / 60 % 60), 2, "
                "'0', 'left') + ':' + pad('' + floor(datum.value % 60), 2, '0', 'left')")


def unit_for(frame: pd.DataFrame, unit: str | Unit | None) -> Unit:
    """The chart's unit: the one given, else the catalogue's for the frame's ``metric``."""
    if unit is not None:
        return unit_of(unit)
    if "metric" in frame.columns and len(frame):
        return metric_unit(str(frame["metric"].iloc[0]))
    return Unit.PLAIN


def min_sample_for(frame: pd.DataFrame, min_n: int | None) -> int | None:
    """The minimum sample: the one given, else the catalogue's for the frame's ``metric``."""
    if min_n is not None or "metric" not in frame.columns or not len(frame):
        return min_n
    from cxlens.errors import NotFound
    from cxlens.metrics.catalogue import resolve

    try:
        return resolve(str(frame["metric"].iloc[0])).min_sample
    except (NotFound, ValueError):
        return None


def small_label(min_n: int | None) -> str:
    """The legend entry of a small sample."""
    return f"small sample (n < {min_n})" if min_n else "small sample (flagged)"


def values(frame: pd.DataFrame, cols: list[str], unit: Unit,
           min_n: int | None) -> list[dict[str, Any]]:
    """The chart's rows: the raw columns (for the scales) and, for people, ``value_text``,
    ``interval_text``, ``n_text`` and ``sample`` (:data:`ENOUGH` or :func:`small_label`)."""
    rows = records(frame[[c for c in cols if c in frame.columns]])
    small = small_label(min_n)
    for r in rows:
        n = as_float(r.get("n"))
        tiny = r.get("flag") == "insufficient_sample" or (
            min_n is not None and n is not None and n < min_n)
        r["sample"] = small if tiny else ENOUGH
        r["value_text"] = number(r.get("value"), unit)  # as the cards: "6 min 43 s"
        if "ci_low" in r:
            r["interval_text"] = interval(r.get("ci_low"), r.get("ci_high"), unit)
        r["n_text"] = count(r.get("n"))
    return rows


def tooltip(label: str, rows: list[dict[str, Any]], first: list[dict[str, Any]]
            ) -> list[dict[str, Any]]:
    """The tooltip: ``first`` (the category or period), then the formatted texts."""
    out = [*first, {"field": "value_text", "type": "nominal", "title": label}]
    if rows and "interval_text" in rows[0]:
        out.append({"field": "interval_text", "type": "nominal", "title": "95 % interval"})
    return [*out, {"field": "n_text", "type": "nominal", "title": "n"},
            {"field": "sample", "type": "nominal", "title": "sample"}]


def axis(unit: Unit, label: str, rows: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A quantitative axis's title and label format for ``unit``; a duration axis has its
    ticks on round durations across the ``rows``' figures (:func:`clock_ticks`)."""
    if unit is Unit.SECONDS:
        top = max([0.0, *[v for r in rows for k in ("value", "ci_high")
                          if (v := as_float(r.get(k))) is not None]])
        low = min([top, *[v for r in rows for k in ("value", "ci_low")
                          if (v := as_float(r.get(k))) is not None]])
        return {"title": f"{label} (h:mm:ss)",
                "axis": {"labelExpr": CLOCK, "values": clock_ticks(top, low=max(low, 0.0))}}
    if unit is Unit.SHARE:
        # "~%": as many decimals as the tick needs ("0.5%", "1%"); ".0%" rounded the ticks of
        # a 0–7 % scale onto "0% 0% 1% 1% 1% 2%…" (the churn calibration chart)
        # (and labels that would touch are dropped: "0%0.2%" ran together at 1440 px)
        return {"title": label, "axis": {"format": "~%", "labelOverlap": "greedy"}}
    return {"title": label, "axis": {"format": ",~r"}}


#: Tick steps of a duration axis, in seconds: 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2,
#: 4, 6, 12, 24 h.
STEPS: Final = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200,
                86400)


def clock_ticks(top: float, most: int = 6, low: float = 0.0) -> list[int]:
    """Ticks from ``low`` (rounded down to the step) past ``top`` on the first step of
    :data:`STEPS` that needs at most ``most`` of them across the span (whole days beyond), so a
    duration axis reads 0:05:00, 0:10:00 and not 0:05:33. The span, not the top: a trend's
    axis starts near its lowest figure, and steps chosen from 0 left an AHT between 6:23 and
    7:36 one label (0:06:00) on the statement's chart."""
    span = max(top - low, 0.0)
    step = next((s for s in STEPS if span / s <= most),
                86400 * (int(span // (86400 * most)) + 1))
    return list(range(int(low // step) * step, int(top) + step + 1, step))


def sample_marks(rows: list[dict[str, Any]], min_n: int | None, hollow: bool = True
                 ) -> dict[str, Any]:
    """The encoding that draws small samples hollow and grey (bars: grey), with a legend
    entry when the chart has any."""
    small = small_label(min_n)
    shown = any(r["sample"] != ENOUGH for r in rows)
    legend = {"title": None, "orient": "bottom"} if shown else None
    field = {"field": "sample", "type": "nominal", "legend": legend}
    if not hollow:
        return {"color": {**field, "scale": {"domain": [ENOUGH, small],
                                             "range": [COLOUR, "#d0d7de"]}}}
    return {"fill": {**field, "scale": {"domain": [ENOUGH, small], "range": [COLOUR, "#ffffff"]}},
            "stroke": {**field, "scale": {"domain": [ENOUGH, small], "range": [COLOUR, GREY]}}}


def meta(unit: Unit, min_n: int | None) -> dict[str, Any]:
    """What the chart shows, for readers of the spec (tests, the report): its unit and the
    minimum sample it draws small samples against."""
    return {"usermeta": {"unit": unit.value, "min_sample": min_n}}

