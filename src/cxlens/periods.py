"""Named periods people compare — a month ``2026-04``, a quarter ``2026-Q2``, a year ``2026``,
a day ``2026-04-01`` or a range of days ``2026-04-01..2026-04-15`` — parsed in one place, with
the period of the same length just before one (the default "previous period"; whole months
step back by months, so the three months before May–July are February–April)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cxlens.dates import add_months, parse_day
from cxlens.errors import ConfigError

FORMS = "a month 2026-04, a quarter 2026-Q2, a year 2026, a day 2026-04-01 or days " \
        "2026-04-01..2026-04-15"


@dataclass(frozen=True)
class Period:
    """[start, end) in days, with its label and its length in months (0: counted in days)."""

    label: str
    start: dt.date
    end: dt.date
    months: int = 0

    def previous(self) -> Period:
        """The period of the same length just before this one (2026-03 before 2026-04)."""
        if self.months:
            start = add_months(self.start, -self.months)
            return period_of(start, self.months)
        days = self.end - self.start
        start, end = self.start - days, self.start
        return Period(_days_label(start, end), start, end)


    def year_before(self) -> Period:
        """The same period a year earlier (2025-05 before 2026-05; days keep their dates, a
        29 February becomes the 28th)."""
        if self.months:
            return period_of(add_months(self.start, -12), self.months)
        start, end = add_months(self.start, -12), add_months(self.end, -12)
        return Period(_days_label(start, end), start, end)


def _days_label(start: dt.date, end: dt.date) -> str:
    last = end - dt.timedelta(days=1)
    return start.isoformat() if last == start else f"{start.isoformat()}..{last.isoformat()}"


def period_of(start: dt.date, months: int) -> Period:
    """The ``months`` whole months from ``start`` (a first of the month), labelled as a
    month, quarter or year when they are one, else as their days."""
    end = add_months(start, months)
    named = {1: f"{start:%Y-%m}",
             3: f"{start.year}-Q{(start.month - 1) // 3 + 1}" if start.month % 3 == 1 else "",
             12: f"{start.year}" if start.month == 1 else ""}
    return Period(named.get(months) or _days_label(start, end), start, end, months)


def _whole_months(start: dt.date, end: dt.date) -> int:
    """How many whole months [start, end) is, 0 when it is not whole months."""
    if start.day != 1 or end.day != 1:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month


def parse_period(text: str, option: str = "--from") -> Period:
    """A period from its text (see ``FORMS``); a clear error naming ``option`` otherwise."""
    raw = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})", raw):
            return period_of(dt.date(int(m[1]), 1, 1), 12)
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", raw):
            return period_of(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), 3)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", raw):
            return period_of(dt.date(int(m[1]), int(m[2]), 1), 1)
    except ValueError:
        pass
    else:
        first_text, dots, last_text = raw.partition("..")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first_text) and (
                not dots or re.fullmatch(r"\d{4}-\d{2}-\d{2}", last_text)):
            first = parse_day(first_text, option)
            last = parse_day(last_text, option) if dots else first
            assert first is not None and last is not None
            if last < first:
                raise ConfigError(f"{option} {text!r} ends before it starts",
                                  f"swap the days: {option} {last_text}..{first_text}")
            end = last + dt.timedelta(days=1)
            return Period(_days_label(first, end), first, end, _whole_months(first, end))
    raise ConfigError(f"{option} {text!r} is not a period", f"write {FORMS}")


def in_order(before: Period, after: Period) -> None:
    """Refuse a first period that does not end before the second starts (reversed or
    overlapping): comparisons treat the two as independent samples."""
    if before.start >= after.start:
        raise ConfigError(f"--from {before.label} does not start before --to {after.label}",
                          f"swap them: --from {after.label} --to {before.label}")
    if before.end > after.start:
        raise ConfigError(f"--from {before.label} and --to {after.label} overlap: the two "
                          "periods are compared as independent samples",
                          f"end --from before {after.start.isoformat()}, e.g. --from "
                          f"{after.previous().label}")


def year_before(period: Period) -> Period:
    """The same period a year earlier (March 2025 before March 2026; days shift by twelve
    months, 29 February to the 28th): the seasonal comparison beside :meth:`Period.previous`."""
    if period.months:
        return period_of(add_months(period.start, -12), period.months)
    start, end = add_months(period.start, -12), add_months(period.end, -12)
    return Period(_days_label(start, end), start, end)


def days(first: dt.date, last: dt.date) -> Period:
    """The period from day ``first`` to day ``last``, both inclusive (a dashboard's from/to),
    counted in whole months when it is whole months."""
    end = last + dt.timedelta(days=1)
    months = _whole_months(first, end)
    return period_of(first, months) if months else Period(_days_label(first, end), first, end)


def words(period: Period, short: bool = False) -> str:
    """The period as people name it: "March 2025" for a whole month ("Mar 2025" when
    ``short``), "1 Mar 2025" for a day, else its first and last days with the year said once
    when both share it: "1 Jan – 31 Dec 2025", "15 Dec 2024 – 14 Jan 2025"."""
    first, last = period.start, period.end - dt.timedelta(days=1)
    if period.months == 1:
        return f"{first:%b %Y}" if short else f"{first:%B %Y}"
    if first == last:
        return f"{first.day} {first:%b %Y}"
    head = f"{first.day} {first:%b}" if first.year == last.year else f"{first.day} {first:%b %Y}"
    return f"{head} – {last.day} {last:%b %Y}"
