"""One formatter for every number people read: dashboard tables, cards and tooltips, the
report, contract statements, the CLI's tables and the alerts' messages (CSV and JSON keep the
raw values). It sits below every layer (like ``cxlens.dates``), so a domain module that writes
a sentence — an alert's message — formats with it too.

Why one module: the same figure used to read "408.21" in a table, "6 min 48 s" on a card and
"6.8 min" elsewhere, counts read "162,421.00" and tiny p-values "2.8e-15". The rules here are
the product's, in one place:

- nothing missing reads "None", "nan" or "null": a missing number is ``MISSING`` ("—");
- never scientific notation and never more than two decimals (a p-value is the one
  exception: it is written as the docs/metrics.md wording, "p = 0.003, strong evidence");
- percentages to one decimal with a space ("82.9 %"); whether a value is a share (0–1) or
  already a percentage (0–100) is declared by its unit ("share" or "percent"), never guessed;
- durations as words ("6 min 43 s", "2 h 05 min", "3 d 04 h") or as a clock ("0:06:43");
- counts with thousands separators ("12,402"), scores to one decimal, NPS-like points signed
  ("+23.4");
- an interval never leaves its unit's scale (a share's never below 0 % or above 100 %).

Every function is pure: same input, same text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    import pandas as pd

#: What a missing number reads (None, NaN, ±inf).
MISSING: Final = "—"
#: The most decimals any formatted number shows (p-values aside).
MAX_DECIMALS: Final = 2

DurationStyle = Literal["words", "clock"]
#: Enough digits for any float's integer part (1.8e308) and two decimals.
_EXACT: Final = Context(prec=320, rounding=ROUND_HALF_UP)


class Unit(StrEnum):
    """How a value is declared: the metric catalogue's units plus the two it leaves implicit
    (``share``: a proportion 0–1, shown as a percentage; ``statistic``: R², AUC, α)."""

    PERCENT = "percent"  # already 0–100
    SHARE = "share"  # 0–1, shown ×100
    POINTS = "points"  # NPS-like −100…100, or a change of a percentage
    SECONDS = "seconds"
    SCORE = "score"
    COUNT = "count"
    CURRENCY = "currency"
    RATIO = "ratio"
    STATISTIC = "statistic"
    PLAIN = ""


#: The scale each unit's values (and so their intervals) live on.
BOUNDS: Final[dict[Unit, tuple[float, float]]] = {
    Unit.PERCENT: (0.0, 100.0), Unit.SHARE: (0.0, 1.0), Unit.POINTS: (-100.0, 100.0),
    Unit.SECONDS: (0.0, math.inf), Unit.COUNT: (0.0, math.inf),
}


def as_float(value: object) -> float | None:
    """The value as a finite float, or None when it is missing (None, NaN, ±inf, not a
    number at all)."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def half_up(v: float, digits: int = 0) -> Decimal:
    """``v`` rounded as people round, halves away from zero, on the number as written
    (0.245 → 0.25, 12.5 → 13), not on its binary value with ties to even."""
    return Decimal(repr(v)).quantize(Decimal(1).scaleb(-digits), context=_EXACT)


def _fixed(v: float, digits: int, sign: bool = False) -> str:
    """Fixed-point text with thousands separators; no "-0.0" (a rounded zero has no sign)."""
    digits = max(0, min(digits, MAX_DECIMALS))
    d = half_up(v, digits)
    if d == 0:
        d = abs(d)
    return f"{d:+,.{digits}f}" if sign and d != 0 else f"{d:,.{digits}f}"


def decimal(value: object, digits: int = 1, signed: bool = False) -> str:
    """A plain number to ``digits`` decimals (at most two): 2.8e-15 → "0.0"."""
    v = as_float(value)
    return MISSING if v is None else _fixed(v, digits, signed)


def count(value: object) -> str:
    """A whole number with thousands separators: 162421.0 → "162,421"."""
    v = as_float(value)
    return MISSING if v is None else _fixed(v, 0)


def score(value: object) -> str:
    """A score (CSAT mean, a QA review score) to one decimal."""
    return decimal(value, 1)


def points(value: object, digits: int = 1) -> str:
    """NPS-like points, signed: "+23.4", "-5.0", "0.0"."""
    return decimal(value, digits, signed=True)


def percent(value: object, scale: Literal["share", "percent"], digits: int = 1,
            signed: bool = False) -> str:
    """A percentage to one decimal, "82.9 %". ``scale`` says what the value is: a share
    (0–1, multiplied by 100) or already a percentage (0–100); it is never guessed."""
    v = as_float(value)
    if v is not None and scale == "share":
        v = as_float(100 * v)  # a huge share overflows to inf: missing, not a crash
    if v is None:
        return MISSING
    return f"{_fixed(v, digits, signed)} %"


def duration(seconds: object, style: DurationStyle = "words") -> str:
    """A duration from seconds, whole seconds only. ``words``: "43 s", "6 min 43 s",
    "2 h 05 min" (from one hour), "3 d 04 h" (beyond 48 hours); ``clock``: "0:06:43",
    "50:00:00" (compact, for table columns and axes). Negative (a change): "-1 min 30 s"."""
    v = as_float(seconds)
    if v is None:
        return MISSING
    total = int(half_up(abs(v)))  # rounded once, so 359.6 s is "6 min 00 s", never "5 min 60 s"
    sign = "-" if v < 0 and total else ""
    if style == "clock":
        return f"{sign}{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"
    if total < 60:
        return f"{sign}{total} s"
    if total < 3600:
        return f"{sign}{total // 60} min {total % 60:02d} s"
    if total <= 48 * 3600:
        minutes = int(half_up(total / 60))
        return f"{sign}{minutes // 60} h {minutes % 60:02d} min"
    hours = int(half_up(total / 3600))
    return f"{sign}{hours // 24} d {hours % 24:02d} h"


def p_value(p: object) -> str:
    """A p- (or q-) value as words with the number beside, the wording of docs/metrics.md:
    "p = 0.003, strong evidence", "p < 0.001, very strong evidence"."""
    v = as_float(p)
    if v is None:
        return MISSING
    return f"p {p_number(v)}, {evidence(v)}"


def p_number(p: object) -> str:
    """Just the number after "p": "= 0.003", "< 0.001", "= 0.42"."""
    text = p_short(p)
    return text if text == MISSING or text.startswith("<") else f"= {text}"


def p_short(p: object) -> str:
    """A p- or q-value for a table cell: "0.003", "< 0.001", "0.42" (three decimals below
    0.1, so a value near the 0.05 line is not rounded onto it)."""
    v = as_float(p)
    if v is None:
        return MISSING
    if v < 0.001:
        return "< 0.001"
    # 0.09996 rounds up to 0.100 at three decimals: then it reads as the 0.10 it is
    return f"{v:.3f}" if round(v, 3) < 0.1 else f"{v:.2f}"


def evidence(p: float) -> str:
    """How strong the evidence against "no change" is (docs/metrics.md, "Reading p-values")."""
    if p < 0.001:
        return "very strong evidence"
    if p < 0.01:
        return "strong evidence"
    if p < 0.05:
        return "moderate evidence"
    if p < 0.1:
        return "weak evidence"
    return "no evidence"


def unit_of(unit: str | Unit) -> Unit:
    """A declared unit; an unknown one is shown as a plain number."""
    try:
        return Unit(str(unit))
    except ValueError:
        return Unit.PLAIN


def number(value: object, unit: str | Unit = Unit.PLAIN,
           style: DurationStyle = "words") -> str:
    """A figure in its declared unit: 71.3 %, +42.0, 6 min 05 s, 1,204, 4.2."""
    u = unit_of(unit)
    if u is Unit.PERCENT or u is Unit.SHARE:
        return percent(value, "share" if u is Unit.SHARE else "percent")
    if u is Unit.POINTS:
        return points(value)
    if u is Unit.SECONDS:
        return duration(value, style)
    if u is Unit.COUNT:
        return count(value)
    if u is Unit.SCORE:
        return score(value)
    return decimal(value, MAX_DECIMALS)


def change(value: object, unit: str | Unit, style: DurationStyle = "words") -> str:
    """A difference of two figures, signed: a change of a percentage is in points."""
    u = unit_of(unit)
    v = as_float(value)
    if u is Unit.PERCENT or u is Unit.POINTS:
        return points(v)
    if u is Unit.SHARE:
        return points(None if v is None else 100 * v)
    text = number(v, u, style)
    return f"+{text}" if v is not None and v > 0 and text != number(0.0, u, style) else text


def figure(value: object, unit: str | Unit) -> str:
    """One figure in its unit, NPS-like ones in points ("+31.0 points"): for sentences and
    the CLI, where no column header names the unit."""
    return _pointed(number(value, unit), unit)


def signed(value: object, unit: str | Unit) -> str:
    """A change of a figure in a sentence, signed, a percentage's in points ("-0.4 points",
    "+10 s"); one that rounds to nothing has no sign."""
    return _pointed(change(value, unit), "points" if unit_of(unit) is Unit.PERCENT else unit)


def _pointed(text: str, unit: str | Unit) -> str:
    return f"{text} points" if unit_of(unit) is Unit.POINTS and text != MISSING else text


def confidence(level: object) -> str:
    """A confidence level as the dashboard and report write it: 0.95 → "95 %"."""
    v = as_float(level)
    return MISSING if v is None else percent(v, "share", digits=0 if (100 * v).is_integer()
                                             else 1)


def clip(low: object, high: object, unit: str | Unit,
         scale: tuple[float, float] | None = None) -> tuple[float | None, float | None]:
    """An interval held within its scale: ``scale`` when given (a CSAT mean's 1–5), else the
    unit's (a share 0–1, a percentage 0–100, NPS −100…100, durations and counts ≥ 0)."""
    lo_b, hi_b = scale or BOUNDS.get(unit_of(unit), (-math.inf, math.inf))
    lo, hi = as_float(low), as_float(high)
    return (None if lo is None else min(max(lo, lo_b), hi_b),
            None if hi is None else min(max(hi, lo_b), hi_b))


def interval(low: object, high: object, unit: str | Unit,
             scale: tuple[float, float] | None = None) -> str:
    """"low – high" in the unit, clipped to the scale; "—" when either end is missing. With a
    negative end it reads "-16.1 to -3.9": a dash beside a minus sign reads as two."""
    lo, hi = clip(low, high, unit, scale)
    if lo is None or hi is None:
        return MISSING
    a, b = number(lo, unit), number(hi, unit)
    return f"{a} to {b}" if a.startswith("-") or b.startswith("-") else f"{a} – {b}"


def label(metric_id: str) -> str:
    """A metric's name as people know it ("CSAT"), from the catalogue; an id that is no
    metric (a column, a key of a page's own figure) is returned as it is."""
    from cxlens.errors import NotFound
    from cxlens.metrics.catalogue import resolve

    try:
        return resolve(metric_id).label  # a variant has its own ("Relational NPS")
    except (NotFound, ValueError):
        return metric_id


def metric_unit(metric_id: str) -> Unit:
    """The unit the catalogue declares for a metric (plain for an unknown id)."""
    from cxlens.errors import NotFound
    from cxlens.metrics.catalogue import resolve

    try:
        return unit_of(resolve(metric_id).unit.value)
    except (NotFound, ValueError):
        return Unit.PLAIN


def cell(value: object) -> str:
    """A table cell with nothing known about its column: a whole number as a count, any
    other number to two decimals, a time as ISO text, missing as "—"."""
    if value is None or isinstance(value, str):
        return MISSING if value is None else value
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's too
        return str(bool(value))
    if isinstance(value, dt.date | dt.time) or callable(getattr(value, "isoformat", None)):
        text = str(value.isoformat())  # type: ignore[attr-defined]
        return MISSING if text == "NaT" else text  # pandas' missing time
    v = as_float(value)
    if v is None:
        return MISSING if _is_number(value) else str(value)
    return count(v) if float(v).is_integer() else decimal(v, MAX_DECIMALS)


def minute(value: Any) -> str:
    """A moment to the minute, in UTC: "2026-03-01 14:05" (a time without a zone is taken
    as UTC, as the warehouse stores it)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    ts = pd.Timestamp(value)
    return f"{ts.tz_convert('UTC') if ts.tzinfo else ts:%Y-%m-%d %H:%M}"


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


# -- tables -------------------------------------------------------------------------------------
#: Columns holding a figure in the row's metric unit, and its changes.
FIGURE_COLUMNS: Final = frozenset({"value", "ci_low", "ci_high", "previous_value", "target",
                                   "stretch", "baseline", "limit_value", "expected", "lower",
                                   "upper", "center",
                                   # case mix (an agent's figures against the team's) and
                                   # the shrunk leaderboard: the metric's unit too
                                   "raw", "team_raw", "team_expected", "adjusted",
                                   "adjusted_ci_low", "adjusted_ci_high", "shrunk",
                                   "shrunk_low", "shrunk_high"})
CHANGE_COLUMNS: Final = frozenset({"change", "change_ci_low", "change_ci_high", "difference"})
P_COLUMNS: Final = frozenset({"p", "q", "p_value", "q_value"})


#: Words of column names written as people write them (the rest: lower case, the first
#: word capitalised).
WORDS_AS_WRITTEN = {"n": "n", "p": "p", "q": "q", "ci": "CI", "id": "ID", "csat": "CSAT",
                    "nps": "NPS", "ces": "CES", "fcr": "FCR", "aht": "AHT", "asa": "ASA",
                    "clv": "CLV", "auc": "AUC", "qa": "QA", "sla": "SLA", "url": "URL",
                    "p90": "P90", "p50": "P50", "r2": "R²", "vs": "vs"}


def heading(name: object) -> str:
    """A table column's heading from its name: "n_before" → "n before", "ci_low" → "CI
    low", "agent_id" → "Agent ID", "first_response_time" → "First response time" (CSV and
    JSON keep the names)."""
    words = [w for w in str(name).replace("-", "_").split("_") if w]
    if not words:
        return str(name)
    out = [WORDS_AS_WRITTEN.get(w.lower(), w) for w in words]
    if words[0].lower() not in WORDS_AS_WRITTEN:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def column_kind(name: str) -> str:
    """What a column holds, read from its name (as the warehouse and analyses name them)."""
    if name in P_COLUMNS or name.endswith(("_p", "_q", "_p_value", "_q_value")):
        return "p"
    if name == "n" or name.startswith("n_") or name.endswith("_n"):
        return "count"
    if name.endswith(("_seconds", "_secs")):
        return "seconds"
    if name.endswith("_share") or name == "share" or name in ("share_ci_low", "share_ci_high"):
        return "share"
    return ""


def table_cells(frame: pd.DataFrame, style: DurationStyle = "clock") -> Iterator[list[str]]:
    """A result table's rows as text: a row's figures in its metric's unit (a ``metric``
    column), that metric's label instead of its id, counts, shares and durations read from the
    column names, p- and q-values as numbers, moments to the minute in UTC, the rest by
    ``cell``."""
    columns = [str(c) for c in frame.columns]
    has_metric = "metric" in columns
    # a table may declare its columns' units (``frame.attrs``): figures and their changes
    declared = {**{c: (unit_of(u), False) for c, u in frame.attrs.get("units", {}).items()},
                **{c: (unit_of(u), True) for c, u in frame.attrs.get("changes", {}).items()}}
    units: dict[str, Unit] = {}
    labels: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        values = dict(zip(columns, row, strict=True))
        unit = Unit.PLAIN
        if has_metric and isinstance(values["metric"], str):
            mid = values["metric"]
            unit = units.setdefault(mid, metric_unit(mid))
        yield [_declared(v, *declared[c], style) if c in declared
               else _table_cell(c, v, unit, has_metric, labels, style)
               for c, v in values.items()]


def _declared(value: object, unit: Unit, is_change: bool, style: DurationStyle) -> str:
    return change(value, unit, style) if is_change else number(value, unit, style)


def _table_cell(column: str, value: object, unit: Unit, has_metric: bool,
                labels: dict[str, str], style: DurationStyle) -> str:
    if isinstance(value, dt.datetime):  # a moment, as the pages' other times read (UTC)
        return f"{minute(value)} UTC"  # not "2026-09-29T11:12:32+00:00"
    if column == "metric" and isinstance(value, str):
        return labels.setdefault(value, label(value))
    if column == "flag" and isinstance(value, str):  # as the cards write it
        return value.replace("_", " ")  # "insufficient sample", not "insufficient_sample"
    if has_metric and column in FIGURE_COLUMNS:
        return number(value, unit, style) if unit is not Unit.PLAIN else cell(value)
    if has_metric and column in CHANGE_COLUMNS:
        return change(value, unit, style) if unit is not Unit.PLAIN else cell(value)
    kind = column_kind(column)
    if kind and isinstance(value, str):
        # text in a number's column is shown as written: a text column whose name only looks
        # like a number's, or a figure formatted already ("2,224"; read back as a number, a
        # "109" became "—", the report's printed n and p columns)
        return value
    if kind == "p":
        return p_short(value)
    if kind in ("count", "seconds", "share"):
        return number(value, {"count": Unit.COUNT, "seconds": Unit.SECONDS,
                              "share": Unit.SHARE}[kind], style)
    return cell(value)


def row_cells(rows: Iterable[Sequence[Any]]) -> Iterator[list[str]]:
    """Rows of values with nothing known about their columns, each by ``cell``."""
    for row in rows:
        yield [cell(v) for v in row]
