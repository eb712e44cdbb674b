"""What differs between engines when compiling a metric, behind one small interface: seconds
since the epoch, truncation to a period, and whether quantiles can come from one sorted list
per segment. The results are identical on every engine; only the SQL differs, for speed.

On DuckDB, ibis casts TIMESTAMPTZ to TIMESTAMP before EPOCH and truncates TIMESTAMPTZ with the
ICU calendar; both go through time-zone machinery per row (measured on 10 M rows: 11 s vs
0.5 s for EPOCH, 3.4 s vs 0.7 s for a monthly DATE_TRUNC). Timestamps are UTC in the warehouse,
so DuckDB can take the epoch directly and truncate the plain UTC timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Engine:
    """An engine as the compiler sees it; this base spells everything the portable ibis way
    (Postgres, Spark, and any engine without its own class)."""

    name: str = ""
    #: Quantiles from each segment's values gathered into one sorted list (a holistic
    #: aggregate, which also lets them share the scan of other metrics), not window functions.
    sorted_lists: bool = False

    def seconds(self, value: Any) -> ir.FloatingValue:
        """Seconds since the epoch of a UTC timestamp, as float64."""
        result: ir.FloatingValue = value.epoch_seconds().cast("float64")
        return result

    def truncate(self, value: Any, unit: str) -> ir.TimestampValue:
        """Start of the period (``unit`` as ibis spells it: h, D, W, M, Q, Y) holding
        ``value``."""
        result: ir.TimestampValue = value.truncate(unit)
        return result


@dataclass(frozen=True)
class DuckDB(Engine):
    name: str = "duckdb"
    sorted_lists: bool = True

    def seconds(self, value: Any) -> ir.FloatingValue:
        out: ir.FloatingValue = _duck_epoch(value)
        return out

    def truncate(self, value: Any, unit: str) -> ir.TimestampValue:
        out: ir.TimestampValue = _duck_date_trunc(UNITS[unit],
                                                  _duck_make_timestamp(_duck_epoch_us(value)))
        return out


#: The portable spellings, for expressions compiled without a warehouse.
GENERIC = Engine()
ENGINES = {"duckdb": DuckDB(), "postgres": Engine("postgres"), "spark": Engine("spark")}


def for_dialect(dialect: str) -> Engine:
    """The engine of a warehouse (``Warehouse.dialect``: duckdb, postgres, spark)."""
    return ENGINES.get(dialect, GENERIC)
