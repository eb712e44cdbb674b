"""Who is due an invitation at ``now``. Transactional programmes fire when an interaction
closes (after the programme's delay; at most one invitation per interaction and programme,
again after a reopen only when configured); relational programmes fire on a cadence (each
customer on their own day of the cycle, so a quarterly wave spreads over the quarter) or at
lifecycle milestones — never because of a support interaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cxlens.store.base import Warehouse
from cxlens.surveys.spec import Programme

#: Interactions closed longer ago than this are not surveyed (too late to ask).
MAX_AGE = dt.timedelta(days=3)
SNAPSHOT = ("vendor", "site", "team", "agent_id")


@dataclass(frozen=True)
class Candidate:
    programme: Programme
    customer_id: str
    due_at: dt.datetime
    interaction_id: str | None = None
    touchpoint: str | None = None
    snapshot: dict[str, str | None] = field(default_factory=dict)


def _in(column: str, values: tuple[str, ...], params: list[object]) -> str:
    if not values:
        return ""
    params.extend(v.lower() for v in values)
    return f" AND lower(i.{column}) IN ({', '.join('?' * len(values))})"


def transactional(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    latest = now - dt.timedelta(hours=p.trigger.delay_hours)
    params: list[object] = [latest, latest - MAX_AGE]
    where = _in("channel", p.trigger.interaction_channels, params)
    where += _in("category", p.trigger.categories, params)
    again = " AND v.sent_at >= i.closed_at" if p.trigger.resend_after_reopen else ""
    params.append(p.name)
    rows = wh.query(
        "SELECT i.interaction_id, i.customer_id, i.closed_at, "
        f"{', '.join(f'i.{c}' for c in SNAPSHOT)} "
        "FROM interactions i WHERE i.closed_at IS NOT NULL AND i.customer_id IS NOT NULL "
        f"AND i.closed_at <= ? AND i.closed_at > ?{where} AND NOT EXISTS (SELECT 1 FROM "
        "survey_invitations v WHERE v.interaction_id = i.interaction_id AND v.programme = ?"
        f"{again}) ORDER BY i.closed_at, i.interaction_id", params)
    return [Candidate(p, str(r[1]), r[2] + dt.timedelta(hours=p.trigger.delay_hours),
                      str(r[0]), p.touchpoint or "support",
                      dict(zip(SNAPSHOT, r[3:], strict=True))) for r in rows]


def _phase(customer_id: str, days: int) -> int:
    return int(hashlib.sha1(customer_id.encode()).hexdigest()[:8], 16) % days


def _active(wh: Warehouse, now: dt.datetime) -> list[tuple[str, dt.datetime | None]]:
    return [(str(r[0]), r[1]) for r in wh.query(
        "SELECT customer_id, acquired_at FROM customers WHERE (acquired_at IS NULL OR "
        "acquired_at <= ?) AND (churned_at IS NULL OR churned_at > ?) ORDER BY customer_id",
        [now, now])]


def _last_sent(wh: Warehouse, p: Programme, touchpoint: str | None = None,
               ) -> dict[str, dt.datetime]:
    extra, params = ("", [p.name]) if touchpoint is None else \
        (" AND touchpoint = ?", [p.name, touchpoint])
    return {str(r[0]): r[1] for r in wh.query(
        "SELECT customer_id, max(sent_at) FROM survey_invitations WHERE programme = ?"
        f"{extra} GROUP BY customer_id", params)}


EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def cadence(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    """Each customer's cycle starts on their own phase day; one invitation per cycle."""
    every = p.trigger.every_days or 1
    last = _last_sent(wh, p)
    today = (now - EPOCH).days
    out = []
    for cid, _acquired in _active(wh, now):
        phase = _phase(cid, every)
        start = EPOCH + dt.timedelta(days=today - ((today - phase) % every))
        if cid in last and last[cid] >= start:
            continue
        out.append(Candidate(p, cid, max(start, now - dt.timedelta(days=every)),
                             touchpoint=p.touchpoint))
    return out


def _anniversary(acquired: dt.datetime, years: int) -> dt.datetime:
    try:
        return acquired.replace(year=acquired.year + years)
    except ValueError:  # 29 February
        return acquired.replace(year=acquired.year + years, day=28)


def milestones(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    """Onboarding: ``days_after`` the customer joined; renewal: after each anniversary. Due
    within the last MAX_AGE, once per occurrence."""
    out = []
    active = _active(wh, now)
    for m in p.trigger.milestones:
        last = _last_sent(wh, p, m.event)
        for cid, acquired in active:
            if acquired is None:
                continue
            if m.event == "onboarding":
                due: dt.datetime | None = acquired + dt.timedelta(days=m.days_after)
            else:
                years = (now - acquired).days // 365
                due = max((d for k in range(max(1, years - 1), years + 2)
                           if (d := _anniversary(acquired, k) + dt.timedelta(days=m.days_after))
                           <= now), default=None)
            if due is None:
                continue
            if not now - MAX_AGE < due <= now or (cid in last and last[cid] >= due):
                continue
            out.append(Candidate(p, cid, due, touchpoint=m.event))
    return out


def due(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    if not p.active:
        return []
    if p.trigger.type == "interaction_closed":
        return transactional(wh, p, now)
    if p.trigger.type == "cadence":
        return cadence(wh, p, now)
    return milestones(wh, p, now)
