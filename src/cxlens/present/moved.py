"""What moved it, in words and as a table: the sentence that reads a decomposed change ("CSAT
fell 4.4 points …: 5.3 from lower CSAT in Northwind BPO"), each contributor's own sentence and
the per-segment table with its columns' units declared. The dashboard page, the report
section and ``cxlens moved`` all read a :class:`~cxlens.insights.moved.Moved` through here, so
the three say the same thing in the same words; the arithmetic is in
:mod:`cxlens.insights.moved`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxlens.format import (
    Unit,
    confidence,
    count,
    decimal,
    duration,
    figure,
    number,
    signed,
    unit_of,
)
from cxlens.insights.moved import Moved
from cxlens.periods import words

#: Columns of the per-segment table after the segment's own: the plain values (CSV, JSON).
COLUMNS = ("n_before", "n_after", "share_before", "share_after", "value_before",
           "value_after", "mix", "mix_low", "mix_high", "rate", "rate_low", "rate_high",
           "contribution", "flag")


def segment_label(row: Any, dims: tuple[str, ...]) -> str:
    """A segment's values as one label ("billing · Northwind BPO"); a blank one as
    "(no vendor)"."""
    parts = []
    for d in dims:
        v = row[d]
        parts.append(f"(no {d})" if v is None or v != v else str(v))
    return " · ".join(parts)


def interval_text(low: float, high: float, unit: str) -> str:
    """"-17.5 to +1.8 points"; a duration keeps its units on both ends."""
    first = signed(low, unit).removesuffix(" points")
    return f"{first} to {signed(high, unit)}"


def contributor(row: Any, m: Moved) -> str:
    """One contributor in words: "-2.0 points from more technical (its share 50.0 % →
    75.0 %), interval …", "-3.1 points from lower CSAT in technical (60.0 % → 55.0 %) …"."""
    label = segment_label(row, m.by)
    if row["effect"] == "mix":
        what = (f"{row['direction']} {label} (its share {figure(row['from'], 'percent')} → "
                f"{figure(row['to'], 'percent')})")
    else:
        what = (f"{row['direction']} {m.label} in {label} ({figure(row['from'], m.unit)} → "
                f"{figure(row['to'], m.unit)})")
    interval = interval_text(row["value_low"], row["value_high"], m.unit)
    flags = [w for code, w in (("small", "small sample"),
                               ("only_before", f"only in {words(m.before, short=True)}"),
                               ("only_after", f"only in {words(m.after, short=True)}"))
             if code in row["flag"].split(",")]
    tail = f"; {', '.join(flags)}" if flags else ""
    return f"{signed(row['value'], m.unit)} from {what}, interval {interval}{tail}"


def size(value: float, unit: str) -> str:
    """How much, without a sign: "2.1" (points of a percentage or NPS), "8 s", "0.04". The
    float's noise is dropped first, so 61.25 − 70 (−8.7499999…) reads 8.8 as written."""
    u, value = unit_of(unit), round(value, 9)
    if u in (Unit.PERCENT, Unit.POINTS):
        return decimal(abs(value), 1)
    if u is Unit.SECONDS:
        return duration(abs(value))
    if u is Unit.SCORE:
        return decimal(abs(value), 2)
    return number(abs(value), unit)


def _part(row: Any, m: Moved) -> str:
    """A contributor in a headline: "2.1 from more technical", "0.9 from lower CSAT in
    billing · Northwind BPO"; a small segment says so."""
    label = segment_label(row, m.by)
    what = (f"{row['direction']} {label}" if row["effect"] == "mix"
            else f"{row['direction']} {m.label} in {label}")
    small = " (small sample)" if "small" in row["flag"].split(",") else ""
    return f"{size(row['value'], m.unit)} from {what}{small}"


def headline(m: Moved, top: int = 3) -> str:
    """The change in one sentence, its largest contributors named: "CSAT fell 4.4 points
    from 84.7 % in 2026-04 to 80.3 % in 2026-05 (95 % interval -6.5 to -2.3 points): 5.3 from
    lower CSAT in Northwind BPO; 0.7 the other way, from higher CSAT in Acme BPO. Mix -0.1
    points, rate -4.3 points." The contributors named are the ``top`` largest parts that
    move the figure the way it moved, and the largest one against it."""
    r, t = m.result, m.totals()
    unit = m.unit
    points = " points" if unit_of(unit) in (Unit.PERCENT, Unit.POINTS) else ""
    amount = size(r.change, unit)
    if signed(r.change, unit).lstrip("+-") == signed(0.0, unit):
        verb = "did not move"
        amount, points = "", ""
    else:
        verb = "rose" if r.change > 0 else "fell"
    low, high = t["change"]["ci_low"], t["change"]["ci_high"]
    text = (f"{m.label} {verb}{' ' + amount if amount else ''}{points} from "
            f"{figure(r.before, unit)} in {words(m.before, short=True)} to "
            f"{figure(r.after, unit)} in {words(m.after, short=True)} "
            f"({confidence(m.confidence)} interval {interval_text(low, high, unit)})")
    parts = m.contributors()
    zero = size(0.0, unit)
    parts = parts.loc[[size(v, unit) != zero for v in parts["value"]]]  # none that reads "0.0"
    # (.loc: an empty mask keeps the columns, where parts[[]] would drop them)
    same = parts[(parts["value"] > 0) == (r.change > 0)].head(top)
    against = parts[(parts["value"] > 0) != (r.change > 0)].head(1)
    named = [_part(row, m) for _, row in same.iterrows()]
    if named and verb != "did not move":
        text += ": " + ", ".join(named)
        if len(against):
            text += f"; {_part(against.iloc[0], m)} the other way"
    text += (f". Mix {signed(t['mix']['value'], unit)}, rate "
             f"{signed(t['rate']['value'], unit)}")
    if low <= 0 <= high:
        text += "; the change's interval includes 0: it may be noise"
    return text + "."


def significant(m: Moved) -> bool:
    """Whether the change's interval leaves out 0."""
    t = m.totals()["change"]
    return bool(t["ci_low"] > 0 or t["ci_high"] < 0)


def change_unit(unit: str) -> str:
    """The unit a change of a figure is shown in: a percentage's change is in points; a
    duration's (which can be negative) as plain seconds, since a duration's scale stops at 0
    and would clip the interval."""
    u = unit_of(unit)
    if u in (Unit.PERCENT, Unit.POINTS):
        return Unit.POINTS.value
    return Unit.PLAIN.value if u is Unit.SECONDS else unit


def table(m: Moved) -> pd.DataFrame:
    """Every segment: the dimensions, n, share (%) and figure in each period, the mix and
    rate parts with their intervals, the contribution and the flag — plain values, the
    columns' units declared in ``attrs`` so a printed table reads them as people do."""
    out = m.segments[[*m.by, *COLUMNS]].copy()
    out.attrs["units"] = {"share_before": "percent", "share_after": "percent",
                          "value_before": m.unit, "value_after": m.unit}
    out.attrs["changes"] = dict.fromkeys(("mix", "mix_low", "mix_high", "rate", "rate_low",
                                          "rate_high", "contribution"), m.unit)
    return out


def contributions(m: Moved) -> pd.DataFrame:
    """The chart's rows: each segment's mix and rate parts with their intervals, the totals
    first (segment "All"), then the segments by the size of their contribution; with the
    texts its tooltip shows (``value_text``, ``interval_text``, ``n_text``: signed changes in
    the metric's unit, "-1 min 05 s", as the table writes them)."""
    t = m.totals()
    rows = [{"segment": "All", "effect": effect, "value": t[effect]["value"],
             "ci_low": t[effect]["ci_low"], "ci_high": t[effect]["ci_high"],
             "n": int(m.segments["n_before"].sum() + m.segments["n_after"].sum()),
             "flag": ""} for effect in ("mix", "rate")]
    seg = m.segments.assign(_size=m.segments["contribution"].abs())
    for _, row in seg.sort_values("_size", ascending=False, kind="stable").iterrows():
        for effect in ("mix", "rate"):
            rows.append({"segment": segment_label(row, m.by), "effect": effect,
                         "value": row[effect], "ci_low": row[f"{effect}_low"],
                         "ci_high": row[f"{effect}_high"],
                         "n": int(row["n_before"] + row["n_after"]), "flag": row["flag"]})
    for r in rows:
        r["value_text"] = signed(r["value"], m.unit)
        r["interval_text"] = interval_text(float(r["ci_low"]), float(r["ci_high"]), m.unit)
        r["n_text"] = count(r["n"])
    return pd.DataFrame(rows)


def compact(frame: pd.DataFrame, dims: tuple[str, ...], unit: str, label: str,
            ) -> pd.DataFrame:
    """``table``'s rows as a printed page holds them (seven columns, not sixteen): the
    segment, n, share and figure as "before → after", mix and rate each with its interval,
    and the flag in words — text, through the one formatter."""
    def pair(a: object, b: object, u: str) -> str:
        return f"{number(a, u)} → {number(b, u)}"

    def part(row: Any, name: str) -> str:
        low, high = row[f"{name}_low"], row[f"{name}_high"]
        text = f"{signed(row[name], unit)} ({interval_text(low, high, unit)})"
        return text.replace(" points", "")  # the column says so

    pts = " (points)" if change_unit(unit) == Unit.POINTS.value else ""
    mix, rate = f"mix{pts}", f"rate{pts}"
    rows = [{"segment": segment_label(row, dims),
             "n": pair(row["n_before"], row["n_after"], "count"),
             "share": pair(row["share_before"], row["share_after"], "percent"),
             label: pair(row["value_before"], row["value_after"], unit),
             mix: part(row, "mix"), rate: part(row, "rate"),
             "flag": str(row["flag"]).replace("_", " ").replace(",", ", ")}
            for _, row in frame.iterrows()]
    return pd.DataFrame(rows, columns=["segment", "n", "share", label, mix, rate, "flag"])
