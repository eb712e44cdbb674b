"""Weekly escalation audit: is each vendor handing escalations over properly?

Every ISO week, a seeded random sample of each vendor's escalations (interactions escalated
that week) is checked for a complete case summary (``escalation_summary`` with at least
``min_summary_chars`` characters besides surrounding blanks) and for a transfer time
(``escalation_accepted_at − escalated_at``) within the SLA; an escalation never accepted,
or without a hand-over time, is outside the SLA. Per vendor and week the result is the
sampled n, the share with a summary and the share within the SLA, each with a Wilson
interval, and the ids that failed.

The sample and its checks are stored in ``cxlens_escalation_audits``: once a vendor's week
is drawn it stays fixed (drawing it again returns the stored audit, even after new data
arrives), as an audit must. Escalations without ``escalated_at`` are placed in the week
they were created in; an interaction without a vendor is the in-house team's.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from typing import Any

import numpy as np
import pandas as pd

from cxlens.errors import ConfigError
from cxlens.personal import keep
from cxlens.schema import IN_HOUSE, Column, Table, Type
from cxlens.stats.wilson import wilson_interval
from cxlens.store.base import Warehouse

_S, _I, _F, _B, _T = Type.STRING, Type.INTEGER, Type.FLOAT, Type.BOOLEAN, Type.TIMESTAMP
AUDITS = Table(
    "cxlens_escalation_audits",
    "Weekly escalation audits: one row per sampled escalation, with its checks.",
    (
        Column("week", _S, "ISO week audited, e.g. 2026-W05.", required=True),
        Column("vendor", _S, "Vendor whose escalation it is.", required=True),
        Column("interaction_id", _S, "The escalated interaction.", required=True),
        Column("escalated_at", _T, "When it was handed over."),
        Column("accepted_at", _T, "When the receiving tier accepted it."),
        Column("transfer_seconds", _F, "accepted_at − escalated_at (empty if either is)."),
        Column("summary_chars", _I, "Length of the case summary without surrounding blanks."),
        Column("has_summary", _B, "The summary is complete (at least min_summary_chars)."),
        Column("within_sla", _B, "Accepted within sla_seconds of the hand-over."),
        Column("population", _I, "The vendor's escalations that week (sampled from)."),
        Column("sample_size", _I, "Sample size asked for per vendor."),
        Column("sla_seconds", _F, "Transfer-time SLA the audit used."),
        Column("min_summary_chars", _I, "Shortest complete summary the audit accepted."),
        Column("seed", _I, "Seed of the draw."),
        Column("drawn_at", _T, "When the week was drawn.", required=True),
    ),
    key=("week", "vendor", "interaction_id"),
    personal=keep("ids, times and summary lengths, no text; an audit stays fixed"),
)
TABLES = (AUDITS,)
COLUMNS = tuple(c.name for c in AUDITS.columns)
_PARAMS = ("sample_size", "sla_seconds", "min_summary_chars", "seed")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)

_ESCALATIONS = f"""
SELECT COALESCE(vendor, '{IN_HOUSE}') AS vendor, interaction_id, escalated_at,
       escalation_accepted_at, escalation_summary
FROM interactions
WHERE (COALESCE(escalated, FALSE) OR escalated_at IS NOT NULL)
  AND COALESCE(escalated_at, created_at) >= ? AND COALESCE(escalated_at, created_at) < ?
"""


def ensure(wh: Warehouse) -> None:
    wh.ensure(AUDITS)


def iso_week(week: str | dt.date) -> tuple[str, dt.datetime, dt.datetime]:
    """``"2026-W05"`` (or ``2026W05``) or any date in the week → (label, Monday 00:00 UTC,
    the next Monday 00:00 UTC)."""
    if isinstance(week, dt.date):
        year, num, _ = week.isocalendar()
    else:
        m = _WEEK.match(week.strip())
        if not m:
            raise ConfigError(f"escalation audit: {week!r} is not an ISO week",
                              'write the week as YYYY-Www (e.g. "2026-W05") or pass a date')
        year, num = int(m.group(1)), int(m.group(2))
    try:
        monday = dt.date.fromisocalendar(year, num, 1)
    except ValueError:
        raise ConfigError(f"escalation audit: {year} has no ISO week {num}",
                          "ISO weeks run from W01 to W52 (W53 in some years)") from None
    start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC)
    return f"{year}-W{num:02d}", start, start + dt.timedelta(days=7)


def _checks(row: tuple[Any, ...], sla_seconds: float,
            min_chars: int) -> tuple[float | None, int, bool, bool]:
    _, _, escalated, accepted, summary = row
    transfer = ((accepted - escalated).total_seconds()
                if escalated is not None and accepted is not None else None)
    chars = len((summary or "").strip())
    return (transfer, chars, chars >= max(min_chars, 1),
            transfer is not None and transfer <= sla_seconds)


def _stored(wh: Warehouse, label: str) -> pd.DataFrame:
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM cxlens_escalation_audits WHERE week = ?",
                    [label])
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.sort_values(["vendor", "interaction_id"], ignore_index=True)


def draw_week(wh: Warehouse, week: str | dt.date, *, sample_size: int = 10,
              sla_seconds: float = 3600, min_summary_chars: int = 1, seed: int = 0,
              now: dt.datetime | None = None) -> pd.DataFrame:
    """Draw (or return the stored) sample of each vendor's escalations of ``week``, one row
    per sampled escalation (columns of :data:`AUDITS`). Vendors already drawn that week keep
    their sample; vendors with escalations but no sample yet are drawn now. The week must be
    over, and a week is audited with one set of parameters."""
    label, start, end = iso_week(week)
    now = now or dt.datetime.now(dt.UTC)
    now = now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now
    problems = []
    if sample_size < 1:
        problems.append(f"sample_size must be at least 1, got {sample_size}")
    if sla_seconds < 0:
        problems.append(f"sla_seconds cannot be negative, got {sla_seconds}")
    if now < end:
        problems.append(f"week {label} is not over yet (it ends {end:%Y-%m-%d %H:%M} UTC)")
    if problems:
        raise ConfigError("escalation audit: " + "; ".join(problems),
                          "audit a finished week with a sample size of at least 1 and an SLA "
                          "in seconds (e.g. 3600)")
    ensure(wh)
    with wh.transaction():
        stored = _stored(wh, label)
        asked = (sample_size, float(sla_seconds), min_summary_chars, seed)
        if len(stored):
            used = tuple(stored.iloc[0][list(_PARAMS)])
            if (int(used[0]), float(used[1]), int(used[2]), int(used[3])) != asked:
                shown = ", ".join(f"{k}={v}" for k, v in zip(_PARAMS, used, strict=True))
                raise ConfigError(
                    f"escalation audit: week {label} was already drawn with {shown}",
                    "an audit's sample stays fixed: ask again with those parameters")
        done = set(stored["vendor"])
        found: dict[str, list[tuple[Any, ...]]] = {}
        for row in wh.query(_ESCALATIONS, [start, end]):
            if row[0] not in done:
                found.setdefault(row[0], []).append(row)
        new: list[list[Any]] = []
        for vendor in sorted(found):
            rows = sorted(found[vendor], key=lambda r: str(r[1]))
            rng = np.random.default_rng([seed, start.toordinal(), zlib.crc32(vendor.encode())])
            take = np.sort(rng.choice(len(rows), min(sample_size, len(rows)), replace=False))
            for k in take:
                row = rows[int(k)]
                new.append([label, vendor, row[1], row[2], row[3],
                            *_checks(row, sla_seconds, min_summary_chars), len(rows),
                            *asked, now])
        wh.insert_rows(AUDITS.name, COLUMNS, new)
    return _stored(wh, label) if new else stored


def summarise(rows: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per week and vendor: population, n, the share with a summary and within the SLA with
    Wilson intervals, and the ids missing a summary or over the SLA."""
    out = []
    for (label, vendor), part in rows.groupby(["week", "vendor"], sort=True):
        part = part.sort_values("interaction_id")
        has = part["has_summary"].astype(bool)
        ok = part["within_sla"].astype(bool)
        out.append({"week": label, "vendor": vendor, "population": int(part["population"].iloc[0]),
                    "n": len(part), "with_summary": int(has.sum()),
                    "within_sla": int(ok.sum()),
                    "missing_summary": list(part.loc[~has, "interaction_id"]),
                    "over_sla": list(part.loc[~ok, "interaction_id"])})
    frame = pd.DataFrame(out, columns=["week", "vendor", "population", "n", "with_summary",
                                       "within_sla", "missing_summary", "over_sla"])
    n = frame["n"].to_numpy(float)
    for name, col in (("summary", "with_summary"), ("sla", "within_sla")):
        k = frame[col].to_numpy(float)
        low, high = wilson_interval(k, n, confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame[f"{name}_share"] = k / n
        frame[f"{name}_low"], frame[f"{name}_high"] = low, high
    return frame[["week", "vendor", "population", "n", "with_summary", "summary_share",
                  "summary_low", "summary_high", "within_sla", "sla_share", "sla_low",
                  "sla_high", "missing_summary", "over_sla"]]


def audit_week(wh: Warehouse, week: str | dt.date, *, sample_size: int = 10,
               sla_seconds: float = 3600, min_summary_chars: int = 1, seed: int = 0,
               confidence: float = 0.95, now: dt.datetime | None = None) -> pd.DataFrame:
    """The audit of ``week``, one row per vendor (see :func:`summarise`), drawn if needed."""
    rows = draw_week(wh, week, sample_size=sample_size, sla_seconds=sla_seconds,
                     min_summary_chars=min_summary_chars, seed=seed, now=now)
    return summarise(rows, confidence)


def audit_weeks(wh: Warehouse, first: str | dt.date, last: str | dt.date, *,
                sample_size: int = 10, sla_seconds: float = 3600, min_summary_chars: int = 1,
                seed: int = 0, confidence: float = 0.95,
                now: dt.datetime | None = None) -> pd.DataFrame:
    """The audits of every ISO week from ``first`` to ``last`` (both included)."""
    _, start, _ = iso_week(first)
    _, stop, _ = iso_week(last)
    if stop < start:
        raise ConfigError(f"escalation audit: the last week ({last}) is before the first "
                          f"({first})", "give the earlier week first")
    rows = []
    while start <= stop:
        rows.append(draw_week(wh, start.date(), sample_size=sample_size,
                              sla_seconds=sla_seconds, min_summary_chars=min_summary_chars,
                              seed=seed, now=now))
        start += dt.timedelta(days=7)
    drawn = [r for r in rows if len(r)]
    empty = pd.DataFrame(columns=list(COLUMNS))
    return summarise(pd.concat(drawn, ignore_index=True) if drawn else empty, confidence)
