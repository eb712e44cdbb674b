"""Convert raw values to the canonical types, vectorised, recording every value that fails.

Each converter returns the typed column and a boolean mask of the values that could not be
converted (empty values are not failures: they become nulls).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxlens.errors import ConfigError

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "x"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_CLOCK = re.compile(r"^\s*(-)?(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$")


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}",
                          "use an IANA name such as Europe/London or America/New_York") from None


def _strings(series: pd.Series) -> pa.Array | None:
    """The column as an Arrow string array when every value is text or null (the CSV case),
    so trimming and blank checks run vectorised; None for mixed or typed columns."""
    if series.dtype != object:
        return None
    try:
        return pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def is_blank(series: pd.Series) -> pd.Series:
    arr = _strings(series)
    if arr is not None:
        trimmed = pc.utf8_trim_whitespace(arr)
        empty = pc.fill_null(pc.equal(trimmed, ""), True)
        return pd.Series(empty.to_numpy(zero_copy_only=False), index=series.index)
    blank = pd.Series(series.isna(), index=series.index)
    if series.dtype == object:
        blank |= series.map(lambda v: isinstance(v, str) and not v.strip())
    return blank


def to_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    no_failures = pd.Series(False, index=series.index)
    arr = _strings(series)
    if arr is not None:
        trimmed = pc.utf8_trim_whitespace(arr)
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        return pd.Series(trimmed.to_numpy(zero_copy_only=False), index=series.index,
                         dtype=object), no_failures
    blank = is_blank(series)

    def text(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, dt.datetime | dt.date):
            return v.isoformat()
        return str(v).strip()

    out = series.astype(object).where(blank, series.map(text, na_action="ignore"))
    return out.where(~blank, None), no_failures


#: Text that spells an infinity or not-a-number: never a measurement, refused everywhere.
_NON_FINITE = re.compile(r"^[+-]?(inf|infinity|nan)$", re.IGNORECASE)
_SPACES = "\u00a0\u202f"  # no-break spaces, which spreadsheets write as thousands separators
#: Looks like a number written with some separators (digits, ".", ",", spaces, "'").
_NUMBERISH = re.compile(r"^[+-]?[\d.,' " + _SPACES + r"]*\d[\d.,' " + _SPACES
                        + r"]*(?:[eE][+-]?\d+)?$")


def number_pattern(decimal: str = ".", thousands: str = ",") -> re.Pattern[str]:
    """A number as written with these separators; thousands only in groups of three."""
    dec = re.escape(decimal)
    if thousands:
        sep = "[ " + _SPACES + "]" if thousands == " " else re.escape(thousands)
        whole = rf"(?:\d{{1,3}}(?:{sep}\d{{3}})+|\d+)"
    else:
        whole = r"\d+"
    return re.compile(rf"^[+-]?(?:{whole}(?:{dec}\d*)?|{dec}\d+)(?:[eE][+-]?\d+)?$")


def _plain_number(text: str, decimal: str, thousands: str) -> str:
    if thousands == " ":
        for space in " " + _SPACES:
            text = text.replace(space, "")
    elif thousands:
        text = text.replace(thousands, "")
    return text.replace(decimal, ".") if decimal != "." else text


def read_numbers(series: pd.Series, decimal: str = ".", thousands: str = ","
                 ) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Numbers written with the given separators.

    Returns (values, not-a-number mask, misread mask, non-finite mask): ``misread`` marks
    text that looks like a number but does not read as one with these separators (12,5 with
    decimal "."; 1,23 whose digits are not grouped in threes), ``non_finite`` marks inf, -inf,
    Infinity and NaN (as text or as values). Neither is ever guessed.
    """
    blank = is_blank(series)
    no = pd.Series(False, index=series.index)
    if series.dtype != object:
        num = pd.to_numeric(series, errors="coerce").astype("float64")
        infinite = pd.Series(np.isinf(num.to_numpy()), index=series.index)
        return num.where(~infinite), num.isna() & ~blank & ~infinite, no, infinite
    pattern = number_pattern(decimal, thousands)
    is_text = series.map(lambda v: isinstance(v, str))
    text = series.where(is_text & ~blank, None).map(lambda v: v.strip(), na_action="ignore")
    text = text.astype(object)
    valid = _matches(text, pattern)
    non_finite_text = _matches(text, _NON_FINITE)
    misread = _matches(text, _NUMBERISH) & ~valid
    cleaned = text.where(valid, None).map(lambda v: _plain_number(v, decimal, thousands),
                                          na_action="ignore")
    others = series.where(~is_text & ~blank, None).map(
        lambda v: float(v) if isinstance(v, bool | int | float | np.number) else None,
        na_action="ignore")
    num = pd.to_numeric(cleaned.where(valid, others), errors="coerce").astype("float64")
    infinite = pd.Series(np.isinf(num.to_numpy()), index=series.index) | non_finite_text
    num = num.where(~infinite)
    bad = num.isna() & ~blank & ~misread & ~infinite
    return num, bad, misread, infinite


def numberish(series: pd.Series) -> list[str]:
    """The distinct text values of ``series`` that look like numbers with separators."""
    return sorted({v.strip() for v in series if isinstance(v, str)
                   and _NUMBERISH.match(v.strip())})


def _matches(text: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    return text.map(lambda v: isinstance(v, str) and bool(pattern.match(v))).astype(bool)


def to_number(series: pd.Series, decimal: str = ".", thousands: str = ","
              ) -> tuple[pd.Series, pd.Series]:
    """Numbers and the mask of every value that is not one (misread or non-finite included)."""
    num, bad, misread, infinite = read_numbers(series, decimal, thousands)
    return num, bad | misread | infinite


def to_integer(series: pd.Series, decimal: str = ".", thousands: str = ","
               ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Whole numbers; returns (values, not-a-number mask, not-whole mask)."""
    num, bad = to_number(series, decimal, thousands)
    fractional = num.notna() & (num != np.floor(num))
    values = num.where(~fractional).round().astype("Int64")
    return values, bad, fractional


def to_seconds(series: pd.Series, unit_seconds: float = 1.0, decimal: str = ".",
               thousands: str = ",") -> tuple[pd.Series, pd.Series]:
    """Durations: numbers in a unit, clock text ("3:45" = 225 s, "1:02:03"), or Excel times;
    the mask marks every value that is not one (misread and non-finite numbers included)."""
    out, bad, misread, infinite = read_seconds(series, unit_seconds, decimal, thousands)
    return out, bad | misread | infinite


def read_seconds(series: pd.Series, unit_seconds: float = 1.0, decimal: str = ".",
                 thousands: str = ",") -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Like ``read_numbers``, for durations: (seconds, not-a-duration, misread, non-finite)."""
    blank = is_blank(series)
    if series.dtype != object:
        num, bad, misread, infinite = read_numbers(series, decimal, thousands)
        return num * unit_seconds, bad, misread, infinite
    clock = series.map(lambda v: isinstance(v, str) and bool(_CLOCK.match(v))).astype(bool)
    numbers = ~clock & ~series.map(lambda v: isinstance(v, dt.timedelta | dt.time)).astype(bool)
    num, bad, misread, infinite = read_numbers(series.where(numbers, None), decimal, thousands)

    def one(v: object) -> float:
        if isinstance(v, dt.timedelta):
            return v.total_seconds()
        if isinstance(v, dt.time):
            return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
        if isinstance(v, str):
            m = _CLOCK.match(v)
            if m:
                sign, h, mnt, sec = m.groups()
                total = int(h or 0) * 3600 + int(mnt) * 60 + float(sec)
                return -total if sign else total
        return float("nan")

    out = series.where(~numbers, None).map(one, na_action="ignore").astype("float64")
    out = out.where(~numbers, num * unit_seconds)
    bools = series.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
    out = out.where(~bools)
    bad = (out.isna() & ~blank & ~misread & ~infinite) | (bools & ~blank)
    return out, bad, misread, infinite


def to_boolean(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    blank = is_blank(series)
    arr = _strings(series)
    if arr is not None:
        key = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
        true = pc.is_in(key, pa.array(sorted(_TRUE))).to_numpy(zero_copy_only=False)
        false = pc.is_in(key, pa.array(sorted(_FALSE))).to_numpy(zero_copy_only=False)
        out = pd.Series(pd.NA, index=series.index, dtype="boolean")
        out[true] = True
        out[false] = False
        return out, out.isna() & ~blank

    def one(v: object) -> object:
        if isinstance(v, bool | np.bool_):
            return bool(v)
        key = str(v).strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        return None

    out = series.map(one, na_action="ignore").astype("boolean")
    return out, out.isna() & ~blank


def to_timestamp(series: pd.Series, tz: ZoneInfo, fmt: str | None = None,
                 dayfirst: bool = False) -> tuple[pd.Series, pd.Series, pd.Series]:
    """UTC timestamps; returns (values, unparseable mask, nonexistent/ambiguous local time mask).

    Values with an offset keep it; values without one are read in ``tz``. Times are cut to
    the microsecond the warehouse stores (Parquet's nanoseconds failed the load).
    """
    blank = is_blank(series)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.floor("us"), \
            pd.Series(False, index=series.index), pd.Series(False, index=series.index)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        naive = series
        aware: pd.Series | None = None
    else:
        arr = _strings(series)
        if arr is not None:
            trimmed = pc.utf8_trim_whitespace(arr)
            text = pd.Series(trimmed.to_numpy(zero_copy_only=False), index=series.index,
                             dtype=object).where(~blank, None)
            has_offset = pd.Series(pc.fill_null(pc.match_substring_regex(
                trimmed, _OFFSET.pattern), False).to_numpy(zero_copy_only=False),
                index=series.index)
        else:
            text = series.map(lambda v: v.strip() if isinstance(v, str) else v).where(~blank,
                                                                                       None)
            has_offset = text.map(lambda v: isinstance(v, str) and bool(_OFFSET.search(v)))
        naive = _parse(text.where(~has_offset, None), fmt, dayfirst)
        aware = (
            _parse(text.where(has_offset, None), fmt, dayfirst, utc=True)
            if has_offset.any() else None
        )
    try:
        local = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    except (TypeError, AttributeError):  # already aware (datetime objects with tzinfo)
        local = pd.to_datetime(naive, utc=True)
    dst = local.isna() & naive.notna()
    result = local.dt.tz_convert("UTC")
    if aware is not None:
        result = result.where(aware.isna(), aware)
    bad = result.isna() & ~blank & ~dst
    return result.dt.floor("us"), bad, dst


#: A date written day and month before the year: 05/01/2026, 5.1.2026, 05-01-26.
_DMY = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")


def day_month(value: object) -> tuple[int, int, int] | None:
    """The first, second and year fields of a date written like 05/01/2026, else None."""
    m = _DMY.match(value) if isinstance(value, str) else None
    return (int(m.group(1)), int(m.group(3)), int(m.group(4))) if m else None


def ambiguous_dates(series: pd.Series) -> tuple[pd.Series, bool | None]:
    """Dates whose day/month order the column does not settle, and the order it settles.

    05/01/2026 is 5 January or 1 May: ambiguous, unless another value of the column can only
    be day first (13/01/2026: True) or only month first (01/13/2026: False). 05/05/2026 reads
    the same either way. Returns (ambiguous mask, True/False/None)."""
    fields = series.map(day_month)
    found = [f for f in fields if f is not None]
    day = any(a > 12 >= b for a, b, _ in found)
    month = any(b > 12 >= a for a, b, _ in found)
    if day != month:
        return pd.Series(False, index=series.index), day
    ambiguous = fields.map(lambda f: f is not None and 1 <= f[0] <= 12 and 1 <= f[1] <= 12
                           and f[0] != f[1]).astype(bool)
    return ambiguous, None


def _parse(values: pd.Series, fmt: str | None, dayfirst: bool, utc: bool = False) -> pd.Series:
    if fmt:
        return pd.to_datetime(values, format=fmt, errors="coerce", utc=utc)
    if values.map(lambda v: isinstance(v, dt.datetime)).any():
        objs = values.map(lambda v: v.replace(tzinfo=None) if isinstance(v, dt.datetime)
                          and v.tzinfo is None else v)
        return pd.to_datetime(objs, errors="coerce", utc=utc)
    out = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=utc)
    retry = out.isna() & values.notna()
    if retry.any():
        # Non-ISO text (e.g. "03/28/2024 4:00 PM"): slower, flexible parsing of the rest only.
        again = pd.to_datetime(values[retry], format="mixed", dayfirst=dayfirst,
                               errors="coerce", utc=utc)
        out = out.astype(again.dtype) if out.dtype != again.dtype and len(out) == retry.sum() \
            else out
        out[retry] = again
    return out
