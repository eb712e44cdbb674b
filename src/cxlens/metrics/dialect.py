"""Engine-specific spellings of the two time operations every metric uses: seconds since the
epoch, and truncation to a period. The results are identical on every engine; only the SQL
differs, for speed.

On DuckDB, ibis casts TIMESTAMPTZ to TIMESTAMP before EPOCH and truncates TIMESTAMPTZ with the
ICU calendar; both go through time-zone machinery per row (measured on 10 M rows: 11 s vs
0.5 s for EPOCH, 3.4 s vs 0.7 s for a monthly DATE_TRUNC). Timestamps are UTC in the warehouse,
so DuckDB can take the epoch directly and truncate the plain UTC timestamp.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

UNITS = {"h": "hour", "D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


@ibis.udf.scalar.builtin(name="epoch")  # type: ignore[untyped-decorator]
def _duck_epoch(x: dt.Timestamp(timezone="UTC")) -> dt.float64:  # type: ignore[valid-type]
    """DuckDB: seconds since 1970-01-01 UTC, with fractions."""


@ibis.udf.scalar.builtin(name="epoch_us")  # type: ignore[untyped-decorator]
def _duck_epoch_us(x: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    """DuckDB: microseconds since 1970-01-01 UTC."""


@ibis.udf.scalar.builtin(name="make_timestamp")  # type: ignore[untyped-decorator]
def _duck_make_timestamp(us: dt.int64) -> dt.timestamp:
    """DuckDB: the plain (UTC) timestamp for microseconds since the epoch."""


@ibis.udf.scalar.builtin(name="date_trunc")  # type: ignore[untyped-decorator]
def _duck_date_trunc(part: dt.string, ts: dt.timestamp) -> dt.timestamp:
    """DuckDB: truncate a plain timestamp."""


def seconds(value: Any, dialect: str = "") -> ir.FloatingValue:
    """Seconds since the epoch of a UTC timestamp, as float64."""
    if dialect == "duckdb":
        out: ir.FloatingValue = _duck_epoch(value)
        return out
    result: ir.FloatingValue = value.epoch_seconds().cast("float64")
    return result


def truncate(value: Any, unit: str, dialect: str = "") -> ir.TimestampValue:
    """Start of the period (``unit`` as ibis spells it: h, D, W, M, Q, Y) holding ``value``."""
    if dialect == "duckdb":
        out: ir.TimestampValue = _duck_date_trunc(UNITS[unit],
                                                  _duck_make_timestamp(_duck_epoch_us(value)))
        return out
    result: ir.TimestampValue = value.truncate(unit)
    return result
