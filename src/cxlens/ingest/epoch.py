"""Times written as numbers: seconds (or milliseconds, …) since 1970-01-01 00:00 UTC.

Parquet files written from pandas often hold such times as plain int64. Read as a timestamp
without being told the unit, 1767607200 was taken as nanoseconds, i.e. 1970-01-01 00:00:01.7:
a silent misread (or, with sub-microsecond digits, a crash while loading). The unit is never
guessed: a timestamp column of numbers is refused, naming the column, an example and the
``epoch:`` setting that reads it; with ``epoch:`` set the numbers are read in that unit.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from cxlens.ingest import coerce
from cxlens.ingest.hints import column_fix
from cxlens.ingest.mapping import Epoch
from cxlens.ingest.sniff import ReadError

PANDAS_UNIT: dict[str, Literal["s", "ms", "us", "ns"]] = {
    "seconds": "s", "milliseconds": "ms", "microseconds": "us", "nanoseconds": "ns"}
#: Unit suggested for the column's largest value: the first whose bound it is under. Today is
#: about 1.8e9 s; 1e11 s is the year 5138, and 1e11 ms only 1973, so larger means finer.
_BOUNDS: list[tuple[float, Epoch]] = [(1e11, "seconds"), (1e14, "milliseconds"),
                                      (1e17, "microseconds"), (float("inf"), "nanoseconds")]
#: Below this (1973-03-03 in seconds) numbers are unlikely to be Unix times at all.
_PLAUSIBLE = 1e8


def to_epoch(series: pd.Series, unit: Epoch, decimal: str = ".", thousands: str = ","
             ) -> tuple[pd.Series, pd.Series]:
    """UTC timestamps from numbers of ``unit`` since 1970, to the microsecond (what the
    warehouse stores); the mask marks values that are not numbers or are out of range."""
    if pd.api.types.is_integer_dtype(series.dtype):
        num: pd.Series = series
        bad = pd.Series(False, index=series.index)
    else:
        num, bad = coerce.to_number(series, decimal, thousands)
    values = pd.to_datetime(num, unit=PANDAS_UNIT[unit], utc=True, errors="coerce")
    values = values.dt.floor("us")
    return values, bad | (values.isna() & num.notna())


def only_numbers(series: pd.Series) -> bool:
    """Every value of the column is a number (typed, as Parquet, JSON or XLSX give them)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return False
    if pd.api.types.is_numeric_dtype(series.dtype):
        return bool(series.notna().any())
    values = series.dropna()
    return not values.empty and all(
        isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
        for v in values)


def refusal(file: str, name: str, source: str | None, series: pd.Series) -> ReadError:
    """A timestamp column that holds numbers: what they are, and the fix that reads them."""
    num = pd.to_numeric(series, errors="coerce").dropna()
    whole = bool((num == np.floor(num)).all())
    example = num.iloc[0]
    shown = f"{int(example)}" if whole else f"{example:g}"
    where = f"column {name}" if source in (None, name) else f"column {source} (→ {name})"
    what = f"{file}, {where}: holds {'integers' if whole else 'numbers'} (e.g. {shown}), " \
        "not dates and times"
    if float(num.abs().max()) < _PLAUSIBLE:
        return ReadError(what, f"map {name} to the file's column of dates and times, or "
                         "convert the column to dates and times in the source")
    unit: Epoch = next(u for bound, u in _BOUNDS if float(num.abs().max()) < bound)
    as_time = pd.to_datetime(example, unit=PANDAS_UNIT[unit], utc=True)
    fix = column_fix(source, name, epoch=unit)
    return ReadError(
        f"{what}; as {unit} since 1970-01-01 (Unix time) {shown} is "
        f"{as_time:%Y-%m-%d %H:%M:%S} UTC",
        f"if that is right, {fix}" if fix else
        f"give {name} as dates and times, or map it with epoch: {unit}")
