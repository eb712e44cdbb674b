"""The demo's calendar: the fixed twelve months, daily volume weights (weekly and yearly
seasonality, holidays), intra-day profiles, and the chunks the generator works through.

Times are whole seconds, held as int64 microseconds since the Unix epoch (UTC), the unit of
the warehouse's ``timestamp('us', tz='UTC')`` columns.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]

UTC = dt.UTC
START = dt.datetime(2025, 10, 1, tzinfo=UTC)
#: Exclusive end of the period and the moment of the "export": anything later has not happened.
END = dt.datetime(2026, 10, 1, tzinfo=UTC)
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def micros(t: dt.datetime | dt.date) -> int:
    """Microseconds since the epoch of a UTC datetime (or of midnight UTC of a date)."""
    if not isinstance(t, dt.datetime):
        t = dt.datetime(t.year, t.month, t.day, tzinfo=UTC)
    return int(t.timestamp()) * SECOND


START_US, END_US = micros(START), micros(END)
N_DAYS = (END - START).days
DATES = tuple(START.date() + dt.timedelta(days=i) for i in range(N_DAYS))
DAY_US = np.array([micros(d) for d in DATES], dtype=np.int64)
WEEKDAY = np.array([d.weekday() for d in DATES], dtype=np.int64)  # Monday = 0
MONTH_OF_DAY = np.array([(d.year - 2025) * 12 + d.month - 10 for d in DATES], dtype=np.int64)
MONTHS = tuple(f"{d.year}-{d.month:02d}" for d in DATES if d.day == 1)
MONTH_START_US = np.array([micros(d) for d in DATES if d.day == 1], dtype=np.int64)
QUARTER_START_US = MONTH_START_US[::3]

# -- support contacts: Monday peak, quiet weekends, retail peaks in Nov-Jan ----------------------
SUPPORT_WEEKDAY = np.array([1.32, 1.12, 1.05, 1.0, 0.92, 0.44, 0.33])
SUPPORT_MONTH = np.array([0.95, 1.08, 1.16, 1.18, 0.98, 0.96, 0.94, 0.95, 0.92, 0.93, 0.90, 0.96])
# -- shopping: weekends and evenings busier, Black Friday and Christmas peaks ------------------
RETAIL_WEEKDAY = np.array([0.98, 0.96, 0.96, 0.99, 1.04, 1.12, 1.10])
RETAIL_MONTH = np.array([0.92, 1.32, 1.40, 0.88, 0.86, 0.92, 0.94, 0.95, 0.92, 0.93, 0.94, 0.96])
HOLIDAYS = {dt.date(2025, 12, 25): 0.25, dt.date(2025, 12, 26): 0.6, dt.date(2026, 1, 1): 0.45}
_HOLIDAY = np.array([HOLIDAYS.get(d, 1.0) for d in DATES])

SUPPORT_DAY = SUPPORT_WEEKDAY[WEEKDAY] * SUPPORT_MONTH[MONTH_OF_DAY] * _HOLIDAY
RETAIL_DAY = RETAIL_WEEKDAY[WEEKDAY] * RETAIL_MONTH[MONTH_OF_DAY] * _HOLIDAY
#: How busy a day is compared with an average weekday (drives queue waits).
SUPPORT_LOAD = SUPPORT_WEEKDAY[WEEKDAY] / SUPPORT_WEEKDAY[:5].mean()

# Hour-of-day profiles (UTC): business hours with a lunch dip; evenings for shopping.
OFFICE_HOURS = np.array([0.10, 0.08, 0.07, 0.07, 0.08, 0.12, 0.25, 0.55, 0.95, 1.30, 1.35, 1.28,
                         1.00, 1.18, 1.25, 1.20, 1.05, 0.85, 0.60, 0.48, 0.38, 0.30, 0.22, 0.15])
ASYNC_HOURS = OFFICE_HOURS * 0.7 + 0.3
STORE_HOURS = np.array([0.0] * 9 + [0.7, 1.0, 1.15, 1.3, 1.25, 1.15, 1.1, 1.1, 1.0, 0.8]
                       + [0.0] * 5)
SHOP_HOURS = np.array([0.15, 0.1, 0.07, 0.05, 0.05, 0.08, 0.18, 0.35, 0.55, 0.7, 0.8, 0.85,
                       0.9, 0.85, 0.8, 0.8, 0.85, 0.95, 1.1, 1.25, 1.3, 1.15, 0.8, 0.4])
#: Queue pressure by hour, relative to the day's average (long waits at the morning peak).
HOUR_LOAD = np.clip(OFFICE_HOURS / OFFICE_HOURS[7:19].mean(), 0.5, 1.4)

#: Interactions at scale 1.0.
INTERACTIONS_PER_SCALE = 240_000
#: At most this many interactions are generated and written at once (bounded memory).
CHUNK_ROWS = 400_000


@dataclass(frozen=True)
class Deflection:
    """The self-service relaunch: fewer account and technical contacts from its start."""

    start: dt.date = dt.date(2026, 2, 1)
    categories: tuple[str, ...] = ("account", "technical")
    reduction: float = 0.15


DEFLECTION = Deflection()
_DEFLECT_DAY = (np.array([d >= DEFLECTION.start for d in DATES]))


def deflected(day: int) -> bool:
    return bool(_DEFLECT_DAY[day])


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive days inside one month, generated and written in one go."""

    index: int
    month: int
    first_day: int
    stop_day: int  # exclusive
    interactions: int

    @property
    def start_us(self) -> int:
        return int(DAY_US[self.first_day])

    @property
    def end_us(self) -> int:
        return int(DAY_US[self.stop_day]) if self.stop_day < N_DAYS else END_US

    @property
    def label(self) -> str:
        return MONTHS[self.month]

    def share(self, weights: Arr) -> float:
        """This chunk's share of a yearly total spread over days by ``weights``."""
        return float(weights[self.first_day:self.stop_day].sum() / weights.sum())


def _day_volume(deflect_share: float) -> Arr:
    """Relative contact volume per day, after the self-service deflection."""
    kept = np.where(_DEFLECT_DAY, 1.0 - DEFLECTION.reduction * deflect_share, 1.0)
    return np.asarray(SUPPORT_DAY * kept)


def _largest_remainder(total: int, weights: Arr) -> list[int]:
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return [int(v) for v in out]


def plan(scale: float, deflect_share: float) -> list[Chunk]:
    """The chunks of a build: each month, split so that no chunk exceeds ``CHUNK_ROWS``.

    The yearly total is ``round(INTERACTIONS_PER_SCALE * scale)``, spread over the months by the
    daily weights (so the row count is known without generating anything).
    """
    volume = _day_volume(deflect_share)
    total = round(INTERACTIONS_PER_SCALE * scale)
    per_month = _largest_remainder(total, np.bincount(MONTH_OF_DAY, weights=volume))
    chunks: list[Chunk] = []
    for month, count in enumerate(per_month):
        days = np.flatnonzero(month == MONTH_OF_DAY)
        parts = max(1, math.ceil(count / CHUNK_ROWS))
        bounds = np.linspace(0, len(days), parts + 1).round().astype(int)
        pieces = [days[a:b] for a, b in itertools.pairwise(bounds)]
        counts = _largest_remainder(count, np.array([volume[p].sum() for p in pieces]))
        for piece, n in zip(pieces, counts, strict=True):
            chunks.append(Chunk(len(chunks), month, int(piece[0]), int(piece[-1]) + 1, n))
    return chunks


def sample_times(rng: np.random.Generator, n: int, chunk: Chunk, day_weights: Arr,
                 hour_weights: Arr) -> Arr:
    """``n`` instants (whole seconds) inside ``chunk``, by day and hour-of-day weights."""
    w = day_weights[chunk.first_day:chunk.stop_day]
    days = chunk.first_day + rng.choice(len(w), size=n, p=w / w.sum())
    hours = rng.choice(24, size=n, p=hour_weights / hour_weights.sum())
    seconds = rng.integers(0, 3600, size=n)
    return DAY_US[days] + hours * HOUR + seconds * SECOND


def day_index(t_us: Arr) -> Arr:
    """Day number (0 = 2025-10-01) of instants inside the period."""
    return np.asarray(np.clip((t_us - START_US) // DAY, 0, N_DAYS - 1))


def month_index(t_us: Arr) -> Arr:
    return MONTH_OF_DAY[day_index(t_us)]


def whole_seconds(seconds: Arr) -> Arr:
    """Durations rounded to whole seconds, as microseconds (int64)."""
    return np.rint(seconds).astype(np.int64) * SECOND


def stream(seed: int, *keys: int) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the build."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed % 2**64, *keys])))
