"""Days and months: the day options (``--from``, ``--to``, ``--as-of``) with one parser and one
error message, a day's UTC midnight, whole-month steps, and the default "year up to the latest
row" period of the analyses."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, TypeVar

from cxlens.errors import ConfigError

if TYPE_CHECKING:
    from cxlens.store.base import Warehouse

D = TypeVar("D", dt.date, dt.datetime)


def parse_day(text: str | dt.date | None, option: str) -> dt.date | None:
    """``text`` as a date (None stays None); a clear error naming ``option`` otherwise."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date",
                          f"write it as YYYY-MM-DD, e.g. {option} 2026-06-30") from None


#: Days outside these years are refused: the far ends of the calendar (0001-01-01,
#: 9999-12-31) overflow day arithmetic and pandas' timestamps, and no CX data lies there.
YEARS = (1900, 2199)
_WEEK = re.compile(r"\d{4}-?W\d{2}")


def parse_bound(text: str, option: str, *, end: bool = False) -> dt.date:
    """A period's first or (``end``) last day: YYYY-MM-DD, or an ISO week date — a whole
    week (2026-W10) starts on its Monday and ends on its Sunday, 2026-W10-3 is its Wednesday."""
    value = text.strip()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {text[:40]!r} is not a date",
                          f"write it as YYYY-MM-DD or as an ISO week, e.g. {option}=2026-06-30 "
                          f"or {option}=2026-W26") from None
    if end and _WEEK.fullmatch(value):
        day += dt.timedelta(days=6)
    return in_years(day, option, text)


def parse_month(text: str, option: str) -> dt.date:
    """A month written YYYY-MM, as its first day."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ConfigError(f"{option} {text[:40]!r} is not a month",
                          f"write it as YYYY-MM with a month from 01 to 12, e.g. {option}=2026-06")
    return in_years(dt.date(int(found.group(1)), int(found.group(2)), 1), option, text)


def in_years(day: D, option: str, text: str) -> D:
    """``day`` if within :data:`YEARS`, else a clear error naming ``option``."""
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ConfigError(f"{option} {text[:40]!r} is outside the years {YEARS[0]}–{YEARS[1]}",
                          f"give a date within them, or leave {option} out for no bound")
    return day


def utc(value: dt.date | dt.datetime) -> dt.datetime:
    """A day as its midnight in UTC; a datetime as is (a naive one is taken as UTC)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def add_months(when: D, months: int) -> D:
    """``when`` moved by whole months (the day is clipped to the month's last day)."""
    total = when.year * 12 + when.month - 1 + months
    year, month = divmod(total, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (first_next - dt.timedelta(days=1)).day
    return when.replace(year=year, month=month + 1, day=min(when.day, last_day))


def year_to_latest(wh: Warehouse, table: str, column: str, start: str | dt.date | None,
                   end: str | dt.date | None, days: int = 365) -> tuple[dt.date, dt.date]:
    """[first day, day after the last day) from inclusive ``--from``/``--to``; by default the
    ``days`` up to the latest ``column`` of ``table``."""
    last = parse_day(end, "--to")
    if last is None:
        latest = wh.scalar(f"SELECT max({column}) FROM {table}")
        if latest is None:
            raise ConfigError(f"the warehouse has no {table}",
                              f"import {table} first (cxlens import) or build the demo")
        last = latest.date()
    first = parse_day(start, "--from") or last - dt.timedelta(days=days - 1)
    return first, last + dt.timedelta(days=1)
