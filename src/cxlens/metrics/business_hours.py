"""Business-hours durations: working schedule, holidays and time zone.

Instants are converted to the schedule's zone, each local working day (not a holiday) is
intersected with its opening hours, and the seconds are summed in UTC, so daylight-saving
changes come out right. For the warehouse, the schedule becomes an hourly calendar
(``calendar``): for each UTC hour, the business seconds before it and the part of the hour
that is open. Then business seconds up to an instant t are
``B(t) = cum[hour(t)] + clamp(t − hour(t) − open_from, 0, open_to − open_from)`` and a duration
is ``B(end) − B(start)``: two equality joins that every engine runs the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
UTC = dt.UTC


@dataclass(frozen=True)
class Schedule:
    """Opening hours per weekday (0 = Monday) in ``timezone``, minus holidays."""

    timezone: str = "UTC"
    hours: dict[int, tuple[dt.time, dt.time]] = field(
        default_factory=lambda: {d: (dt.time(9), dt.time(17)) for d in range(5)})
    holidays: str | None = None  # country code, optionally -subdivision: "GB-ENG", "US-CA"
    extra_holidays: tuple[dt.date, ...] = ()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {self.timezone!r} in the schedule",
                              "use an IANA name such as Europe/London") from None
        for day, (start, end) in self.hours.items():
            if not start < end:
                raise ConfigError(f"{DAYS[day]}: opening {start} is not before closing {end}",
                                  "give hours as 09:00-17:00 (overnight shifts: split them)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holiday_dates(self, years: Iterable[int]) -> set[dt.date]:
        out = set(self.extra_holidays)
        if self.holidays:
            import holidays as hol

            country, _, subdiv = self.holidays.partition("-")
            try:
                found = hol.country_holidays(country, subdiv=subdiv or None, years=list(years))
            except NotImplementedError:
                raise ConfigError(f"no holiday calendar {self.holidays!r}",
                                  "use an ISO country code, optionally with a subdivision: "
                                  "GB-ENG, US-NY, DE-BY") from None
            out |= set(found)
        return out

    def intervals(self, start: dt.datetime, end: dt.datetime,
                  ) -> list[tuple[dt.datetime, dt.datetime]]:
        """Open intervals in UTC of every local working day that touches [start, end]."""
        zone = self.zone
        first = start.astimezone(zone).date() - dt.timedelta(days=1)
        last = end.astimezone(zone).date() + dt.timedelta(days=1)
        off = self.holiday_dates(range(first.year, last.year + 1))
        out = []
        day = first
        while day <= last:
            if day.weekday() in self.hours and day not in off:
                open_, close = self.hours[day.weekday()]
                out.append((dt.datetime.combine(day, open_, zone).astimezone(UTC),
                            dt.datetime.combine(day, close, zone).astimezone(UTC)))
            day += dt.timedelta(days=1)
        return out

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business seconds from ``start`` to ``end`` (the reference implementation)."""
        total = 0.0
        for open_, close in self.intervals(start, end):
            lo, hi = max(open_, start), min(close, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        return total

    def calendar(self, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """One row per UTC hour from ``start`` to ``end``: ``hour``, ``cum`` (business seconds
        before the hour), ``open_from`` and ``open_to`` (open part of the hour, in seconds)."""
        h0 = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        h1 = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(
            hours=1)
        hours = pd.date_range(h0, h1, freq="h", tz="UTC")
        base = hours[0].value // 10**9
        open_from = np.zeros(len(hours))
        open_to = np.zeros(len(hours))
        for open_, close in self.intervals(h0, h1):
            a, b = open_.timestamp() - base, close.timestamp() - base
            for idx in range(max(int(a // 3600), 0), min(int(np.ceil(b / 3600)), len(hours))):
                lo, hi = max(a - idx * 3600, 0.0), min(b - idx * 3600, 3600.0)
                if hi > lo:
                    open_from[idx], open_to[idx] = lo, hi
        per_hour = open_to - open_from
        cum = np.concatenate([[0.0], np.cumsum(per_hour)[:-1]])
        return pd.DataFrame({"hour": hours, "cum": cum, "open_from": open_from,
                             "open_to": open_to})

    # -- stored form -------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({
            "timezone": self.timezone,
            "hours": {DAYS[d]: f"{a:%H:%M}-{b:%H:%M}" for d, (a, b) in sorted(self.hours.items())},
            "holidays": self.holidays,
            "extra_holidays": [d.isoformat() for d in self.extra_holidays],
        })

    @classmethod
    def from_json(cls, text: str) -> Schedule:
        doc = json.loads(text)
        return cls(timezone=doc.get("timezone", "UTC"), hours=parse_hours(doc["hours"]),
                   holidays=doc.get("holidays"),
                   extra_holidays=tuple(dt.date.fromisoformat(d)
                                        for d in doc.get("extra_holidays", [])))


def parse_hours(spec: dict[str, str] | str) -> dict[int, tuple[dt.time, dt.time]]:
    """``{"mon": "09:00-17:00", ...}`` or ``"mon-fri 09:00-17:00; sat 10:00-14:00"``."""
    items: list[tuple[str, str]] = []
    if isinstance(spec, str):
        for part in filter(None, (p.strip() for p in spec.split(";"))):
            days, _, hours = part.partition(" ")
            items.append((days, hours))
    else:
        items = list(spec.items())
    out: dict[int, tuple[dt.time, dt.time]] = {}
    for days, hours in items:
        m = _RANGE.match(hours)
        if not m:
            raise ConfigError(f"cannot read the hours {hours!r}", "write e.g. 09:00-17:00")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        span = (dt.time(h1, m1), dt.time(23, 59, 59) if (h2, m2) == (24, 0) else dt.time(h2, m2))
        first, _, last = days.lower().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ConfigError(f"cannot read the days {days!r}", "use mon, tue, ... or mon-fri")
        a, b = DAYS.index(first), DAYS.index(last or first)
        for d in range(a, b + 1):
            out[d] = span
    return out
