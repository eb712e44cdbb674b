"""The from/to and month parsing of cxlens.dates: ISO week dates, the years it takes, and
the refusals (issue 16). Expected days worked out from the ISO 8601 calendar: 2026-W01
starts on Monday 29 December 2025, so 2026-W10 runs from 2 to 8 March 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from cxlens.dates import parse_bound, parse_month
from cxlens.errors import ConfigError


@pytest.mark.parametrize(("text", "end", "day"), [
    ("2026-03-05", False, dt.date(2026, 3, 5)),
    ("2026-03-05", True, dt.date(2026, 3, 5)),
    ("2026-W10", False, dt.date(2026, 3, 2)),
    ("2026-W10", True, dt.date(2026, 3, 8)),
    ("2026W10", True, dt.date(2026, 3, 8)),
    ("2026-W10-3", True, dt.date(2026, 3, 4)),
    ("2026-W01", False, dt.date(2025, 12, 29)),
    ("20260301", False, dt.date(2026, 3, 1)),
    (" 1900-01-01 ", False, dt.date(1900, 1, 1)),
    ("2199-12-31", True, dt.date(2199, 12, 31)),
])
def test_a_bound_is_a_day(text: str, end: bool, day: dt.date) -> None:
    assert parse_bound(text, "to" if end else "from", end=end) == day


@pytest.mark.parametrize(("text", "says"), [
    ("9999-12-31", "to '9999-12-31' is outside the years 1900–2199"),
    ("0001-01-01", "to '0001-01-01' is outside the years 1900–2199"),
    ("2026-W54", "to '2026-W54' is not a date"),
    ("2026-02-30", "to '2026-02-30' is not a date"),
    ("a\x00b", "to 'a\\x00b' is not a date"),
    ("9" * 500, f"to '{'9' * 40}' is not a date"),
])
def test_odd_bounds_are_refused_with_the_fix(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_bound(text, "to", end=True)
    assert info.value.message == says and info.value.hint


@pytest.mark.parametrize("text", ["0", "13", "99999", "-1", "2026-13", "2026-00", "2026-1",
                                  "2026-01xyz", "2026-01-15", "0001-01", "9999-12"])
def test_odd_months_are_refused(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_month(text, "month")
    assert "month=2026-06" in info.value.hint or "leave month out" in info.value.hint


def test_a_month_is_its_first_day() -> None:
    assert parse_month("2026-06", "month") == dt.date(2026, 6, 1)
