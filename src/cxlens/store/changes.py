"""The change log: for a table's data version, what the change that made it touched, so what
was computed at an earlier version can be brought up to date by recomputing only the periods
the change can have moved (:mod:`cxlens.metrics.partials`).

An entry is kept in ``cxlens_meta`` under ``change:TABLE:VERSION``, written in the transaction
that bumps ``TABLE`` to ``VERSION`` (``bump_data_version(..., changes=...)``): the version it
replaced and, per table whose rows the change can have moved (the table itself, and each table
whose rows join the changed rows by a reference), per time column, the earliest and latest time
among the rows before and after the change. A bump that does not say what it changed writes no
entry: the chain breaks there and whoever walks it recomputes in full."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cxlens.store.base import Warehouse

PREFIX = "change:"
#: Entries kept per table, newest first (older ones are deleted as new ones are written): a
#: cache more than this many changes behind recomputes in full.
KEEP = 64
#: Per table, per time column: (earliest, latest) as UTC datetimes.
Ranges = dict[str, dict[str, tuple[dt.datetime, dt.datetime]]]


@dataclass(frozen=True)
class Change:
    """One entry: the version before, and the time ranges the change touched."""

    prev: str | None
    ranges: Ranges


def _key(table: str, version: str) -> str:
    return f"{PREFIX}{table}:{version}"


def _iso(value: dt.datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def record(wh: Warehouse, table: str, version: str, prev: str | None, ranges: Ranges) -> None:
    """Write the entry of ``table`` at ``version`` (inside the bump's transaction) and drop
    the table's entries older than the newest ``KEEP``."""
    body = {"prev": prev, "at": dt.datetime.now(dt.UTC).isoformat(),
            "ranges": {t: {c: [_iso(lo), _iso(hi)] for c, (lo, hi) in cols.items()}
                       for t, cols in ranges.items()}}
    wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [_key(table, version)])
    wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [_key(table, version), json.dumps(body)])
    rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key LIKE ?",
                    [f"{PREFIX}{table}:%"])
    old = sorted(((json.loads(str(v)).get("at", ""), str(k)) for k, v in rows),
                 reverse=True)[KEEP:]
    for _, key in old:
        wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [key])


def _parse(text: str) -> Change:
    body = json.loads(text)
    return Change(body.get("prev"), {
        t: {c: (dt.datetime.fromisoformat(lo), dt.datetime.fromisoformat(hi))
            for c, (lo, hi) in cols.items()}
        for t, cols in body.get("ranges", {}).items()})


def chain(wh: Warehouse, table: str, since: str | None, now: str | None) -> list[Change] | None:
    """The changes that took ``table`` from version ``since`` to ``now``, newest first; None
    when a link is missing (a bump that did not say what it changed, or pruned)."""
    if since == now:
        return []
    rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key LIKE ?",
                    [f"{PREFIX}{table}:%"])
    entries = {str(k)[len(_key(table, "")):]: str(v) for k, v in rows}
    out: list[Change] = []
    version = now
    while version != since:
        if version is None or version not in entries or len(out) >= KEEP:
            return None
        change = _parse(entries[version])
        out.append(change)
        version = change.prev
    return out


def hull(changes: list[Change], table: str, column: str,
         ) -> tuple[dt.datetime, dt.datetime] | None:
    """The smallest time range holding every change's range for ``table``'s ``column``; None
    when none of them touched a row of that table with that time set."""
    spans = [c.ranges[table][column] for c in changes
             if column in c.ranges.get(table, {})]
    if not spans:
        return None
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


def versions(wh: Warehouse) -> Mapping[str, str]:
    """Every data version stored: the global one (key ``""``) and each table's."""
    from cxlens.store.migrate import VERSION_KEY

    rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key = ? OR key LIKE ?",
                    [VERSION_KEY, f"{VERSION_KEY}:%"])
    return {str(k)[len(VERSION_KEY) + 1:]: str(v) for k, v in rows}
