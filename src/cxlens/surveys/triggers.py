"""Who is due an invitation at ``now``. Transactional programmes fire when an interaction
closes (after the programme's delay; at most one invitation per interaction and programme,
again after a reopen only when configured); relational programmes fire on a cadence (each
customer on their own day of the cycle, so a quarterly wave spreads over the quarter) or at
lifecycle milestones — never because of a support interaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cxlens.store.base import Warehouse
from cxlens.surveys.spec import Milestone, Programme

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


#: Rows fetched per query when candidates are listed: each page becomes Python objects in one
#: C call holding the GIL, so a page stays small — 50,000 ids and ints take ~50 ms; a
#: timestamp costs ~5 µs more per row, so pages of interactions are a fifth of that.
PAGE = 50_000
Row = tuple[Any, ...]


def _paged(wh: Warehouse, sql: str, params: list[object], order: tuple[str, str],
           key: Callable[[Row], tuple[object, object]], page: int) -> Iterator[Row]:
    """The rows of ``sql`` (a query ending in a WHERE clause) ordered by the two ``order``
    columns (unique together), ``page`` rows per statement, each page continuing after the
    ``key`` of the last row of the one before."""
    first, second = order
    after: tuple[object, object] | None = None
    while True:
        query, more = sql, list(params)
        if after is not None:
            query += f" AND ({first} > ? OR ({first} = ? AND {second} > ?))"
            more += [after[0], after[0], after[1]]
        rows = wh.query(f"{query} ORDER BY {first}, {second} LIMIT ?", [*more, page])
        yield from rows
        if len(rows) < page:
            return
        after = key(rows[-1])


def transactional(wh: Warehouse, p: Programme, now: dt.datetime,
                  page: int = PAGE) -> Iterator[Candidate]:
    latest = now - dt.timedelta(hours=p.trigger.delay_hours)
    params: list[object] = [latest, latest - MAX_AGE]
    where = _in("channel", p.trigger.interaction_channels, params)
    where += _in("category", p.trigger.categories, params)
    again = " AND v.sent_at >= i.closed_at" if p.trigger.resend_after_reopen else ""
    params.append(p.name)
    sql = ("SELECT i.interaction_id, i.customer_id, i.closed_at, "
           f"{', '.join(f'i.{c}' for c in SNAPSHOT)} "
           "FROM interactions i WHERE i.closed_at IS NOT NULL AND i.customer_id IS NOT NULL "
           f"AND i.closed_at <= ? AND i.closed_at > ?{where} AND NOT EXISTS (SELECT 1 FROM "
           "survey_invitations v WHERE v.interaction_id = i.interaction_id AND v.programme = ?"
           f"{again})")
    for r in _paged(wh, sql, params, ("i.closed_at", "i.interaction_id"),
                    lambda r: (r[2], r[0]), max(1, page // 5)):
        yield Candidate(p, str(r[1]), r[2] + dt.timedelta(hours=p.trigger.delay_hours),
                        str(r[0]), p.touchpoint or "support",
                        dict(zip(SNAPSHOT, r[3:], strict=True)))


EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ACTIVE = ("(c.acquired_at IS NULL OR c.acquired_at <= ?) AND "
           "(c.churned_at IS NULL OR c.churned_at > ?)")


def phase_sql(dialect: str, column: str) -> str:
    """SQL for the source of a customer's phase: the first 32 bits of the MD5 of their id as a
    non-negative integer, ``int(md5(id).hexdigest()[:8], 16)`` in Python; the cycle's phase day
    is it modulo the cycle's length. Both engines have ``md5`` built in (SHA-1, the hash this
    replaced, needs an extension on Postgres), so the candidates are chosen in SQL and every
    customer lands on the same day on either engine (docs/decisions.md)."""
    head = f"substr(md5(CAST({column} AS VARCHAR)), 1, 8)"
    if dialect == "postgres":
        return f"('x' || {head})::bit(32)::bigint"
    return f"CAST(('0x' || {head}) AS BIGINT)"


def _last(p: Programme, touchpoint: str | None, params: list[object]) -> str:
    """The latest invitation (any status) per customer for ``p`` (and ``touchpoint``)."""
    params.append(p.name)
    extra = ""
    if touchpoint is not None:
        extra = " AND touchpoint = ?"
        params.append(touchpoint)
    return ("SELECT customer_id, max(sent_at) AS last FROM survey_invitations WHERE "
            f"programme = ?{extra} GROUP BY customer_id")


def cadence(wh: Warehouse, p: Programme, now: dt.datetime, page: int = PAGE,
            ) -> Iterator[Candidate]:
    """Each customer's cycle starts on their own phase day; one invitation per cycle. Only the
    customers due come out of the warehouse, by cycle start and id (the order of the old
    per-customer loop), a page at a time."""
    every = p.trigger.every_days or 1
    today = (now - EPOCH).days
    starts = {phase: EPOCH + dt.timedelta(days=today - ((today - phase) % every))
              for phase in range(every)}
    params: list[object] = []
    last = _last(p, None, params)
    values = ", ".join("(?, ?)" for _ in starts)
    params += [v for item in starts.items() for v in item]
    params += [every, now, now]
    sql = (f"WITH last AS ({last}), starts(phase, start) AS (VALUES {values}) "
           "SELECT c.customer_id, s.phase FROM customers c JOIN starts s ON s.phase = "
           f"{phase_sql(wh.dialect, 'c.customer_id')} % ? LEFT JOIN last l ON l.customer_id "
           f"= c.customer_id WHERE {_ACTIVE} AND (l.last IS NULL OR l.last < s.start)")
    floor = now - dt.timedelta(days=every)
    for cid, phase in _paged(wh, sql, params, ("s.start", "c.customer_id"),
                             lambda r: (starts[int(r[1])], r[0]), page):
        yield Candidate(p, str(cid), max(starts[int(phase)], floor), touchpoint=p.touchpoint)


def _anniversary(acquired: dt.datetime, years: int) -> dt.datetime:
    try:
        return acquired.replace(year=acquired.year + years)
    except ValueError:  # 29 February
        return acquired.replace(year=acquired.year + years, day=28)


def _month_days(latest: dt.datetime) -> list[int]:
    """``month * 100 + day`` of every calendar day an anniversary due in the window ending at
    ``latest`` can fall on, with 29 February beside 28 February (that anniversary moves to the
    28th in other years): a superset the exact rule then narrows."""
    days = {(latest - dt.timedelta(days=k)).date() for k in range(MAX_AGE.days + 2)}
    out = {d.month * 100 + d.day for d in days}
    if 228 in out:
        out.add(229)
    return sorted(out)


def _milestone_rows(wh: Warehouse, p: Programme, m: Milestone, now: dt.datetime,
                    ) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """Active customers who may have ``m`` due in the window, with their latest invitation for
    it: the onboarding window exactly, the renewal one by calendar day (a superset)."""
    params: list[object] = []
    last = _last(p, m.event, params)
    params += [now, now]
    latest = now - dt.timedelta(days=m.days_after)
    if m.event == "onboarding":
        where = "c.acquired_at > ? AND c.acquired_at <= ?"
        params += [latest - MAX_AGE, latest]
    else:
        days = _month_days(latest)
        where = ("c.acquired_at IS NOT NULL AND (extract(month FROM c.acquired_at) * 100 + "
                 f"extract(day FROM c.acquired_at)) IN ({', '.join('?' * len(days))})")
        params += days
    return [(str(r[0]), r[1], r[2]) for r in wh.query(
        f"WITH last AS ({last}) SELECT c.customer_id, c.acquired_at, l.last FROM customers c "
        f"LEFT JOIN last l ON l.customer_id = c.customer_id WHERE {_ACTIVE} AND {where} "
        "ORDER BY c.customer_id", params)]


def milestones(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    """Onboarding: ``days_after`` the customer joined; renewal: after each anniversary. Due
    within the last MAX_AGE, once per occurrence. The warehouse narrows the customers to those
    near a milestone; the rule below decides (a few rows, not every customer)."""
    out = []
    for m in p.trigger.milestones:
        for cid, acquired, last in _milestone_rows(wh, p, m, now):
            if m.event == "onboarding":
                due: dt.datetime | None = acquired + dt.timedelta(days=m.days_after)
            else:
                years = (now - acquired).days // 365
                due = max((d for k in range(max(1, years - 1), years + 2)
                           if (d := _anniversary(acquired, k) + dt.timedelta(days=m.days_after))
                           <= now), default=None)
            if due is None:
                continue
            if not now - MAX_AGE < due <= now or (last is not None and last >= due):
                continue
            out.append(Candidate(p, cid, due, touchpoint=m.event))
    return sorted(out, key=lambda c: c.due_at)  # stable: milestone, then customer order


def due(wh: Warehouse, p: Programme, now: dt.datetime, page: int = PAGE,
        ) -> Iterable[Candidate]:
    """``p``'s candidates at ``now``, in due order (ties in the order the rule lists them)."""
    if not p.active:
        return []
    if p.trigger.type == "interaction_closed":
        return transactional(wh, p, now, page)
    if p.trigger.type == "cadence":
        return cadence(wh, p, now, page)
    return milestones(wh, p, now)
