"""What a connector remembers between runs, in the warehouse itself (so a DuckDB file or a
Postgres database carries its own sync position, and a backup restores it):

- ``sync_state``: each stream's cursor (a Zendesk ``after_cursor``, a Freshdesk
  ``updated_since``), written in the same transaction as the rows of the page it follows, so a
  crash leaves the cursor of the last committed page and the next run resumes there;
- ``sync_seen``: the version (``updated_at``) of every record landed, so a page read again
  (an API that returns the record at the cursor once more, a look-back window) lands only
  the records that changed: a rerun with nothing new writes nothing and leaves the data
  version alone;
- ``sync_runs``: one row per run and source (rows, problems, error), for the admin page and
  for anyone asking when data last arrived.

No credential is ever stored: connectors read it from the environment or a file each run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

S, INT, T = Type.STRING, Type.INTEGER, Type.TIMESTAMP

STATE = Table(
    "sync_state",
    "Each connector stream's cursor: where its next sync starts.",
    (
        Column("source", S, "Connector, e.g. zendesk.", required=True),
        Column("stream", S, "Stream of that source, e.g. tickets.", required=True),
        Column("cursor_value", S, "The API's cursor after the last committed page."),
        Column("updated_at", T, "When the cursor was committed."),
    ),
    key=("source", "stream"),
    personal=keep("API cursors (opaque strings and times), no customer data"),
)

SEEN = Table(
    "sync_seen",
    "The version of every record a connector landed: a record read again unchanged is not "
    "landed again.",
    (
        Column("source", S, "Connector.", required=True),
        Column("stream", S, "Stream.", required=True),
        Column("record_id", S, "The record's id in the source (a ticket id).", required=True),
        Column("version", S, "Its version when landed (the API's updated_at)."),
    ),
    key=("source", "stream", "record_id"),
    personal=keep("helpdesk record ids and update times only"),
)

RUNS = Table(
    "sync_runs",
    "One row per connector run: when, what it landed, what went wrong.",
    (
        Column("run_id", S, "Id of the run.", required=True),
        Column("source", S, "Connector.", required=True),
        Column("started_at", T, "Start of the run."),
        Column("finished_at", T, "End of the run."),
        Column("status", S, "ok, or failed (pages before the failure stay committed).",
               enum=("ok", "failed")),
        Column("pages", INT, "Pages committed."),
        Column("rows_read", INT, "Records read that were new or changed."),
        Column("rows_loaded", INT, "Rows inserted or updated."),
        Column("rows_quarantined", INT, "Rows rejected to quarantine."),
        Column("problems", INT, "Problems found (cxlens quarantine lists them)."),
        Column("error", S, "Why the run stopped, when it failed (never a credential)."),
    ),
    key=("run_id",),
    personal=keep("counts and error messages about a sync, no customer data"),
)
TABLES = (STATE, SEEN, RUNS)


def ensure(wh: Warehouse) -> None:
    wh.ensure(*TABLES)


def cursor(wh: Warehouse, source: str, stream: str) -> str | None:
    value = wh.scalar("SELECT cursor_value FROM sync_state WHERE source = ? AND stream = ?",
                      [source, stream])
    return None if value is None else str(value)


def save_cursor(wh: Warehouse, source: str, stream: str, value: str) -> None:
    """Call inside the transaction that lands the page the cursor follows."""
    wh.execute("DELETE FROM sync_state WHERE source = ? AND stream = ?", [source, stream])
    wh.execute("INSERT INTO sync_state VALUES (?, ?, ?, ?)",
               [source, stream, value, dt.datetime.now(dt.UTC)])


def changed(wh: Warehouse, source: str, stream: str, records: Sequence[dict[str, Any]],
            id_field: str, version_field: str) -> list[dict[str, Any]]:
    """The records whose version differs from the one landed before (new ones included); a
    record twice in ``records`` counts once, its last copy."""
    latest: dict[str, dict[str, Any]] = {}
    for rec in records:
        latest[str(rec.get(id_field))] = rec
    if not latest:
        return []
    marks = ", ".join("?" for _ in latest)
    known = dict(wh.query(
        f"SELECT record_id, version FROM sync_seen WHERE source = ? AND stream = ? "
        f"AND record_id IN ({marks})", [source, stream, *latest]))
    return [rec for rid, rec in latest.items()
            if rid not in known or known[rid] != _version(rec, version_field)]


def remember(wh: Warehouse, source: str, stream: str, records: Sequence[dict[str, Any]],
             id_field: str, version_field: str) -> None:
    """Record the versions of ``records``, in the transaction that lands them."""
    rows = {str(r.get(id_field)): _version(r, version_field) for r in records}
    if not rows:
        return
    marks = ", ".join("?" for _ in rows)
    wh.execute(f"DELETE FROM sync_seen WHERE source = ? AND stream = ? "
               f"AND record_id IN ({marks})", [source, stream, *rows])
    wh.insert_rows("sync_seen", ("source", "stream", "record_id", "version"),
                   [(source, stream, rid, version) for rid, version in rows.items()])


def _version(record: dict[str, Any], field: str) -> str | None:
    value = record.get(field)
    return None if value is None else str(value)


def record_run(wh: Warehouse, row: dict[str, Any]) -> None:
    """One finished run (its own transaction: a failed run is recorded too)."""
    columns = [c.name for c in RUNS.columns]
    with wh.transaction():
        wh.insert_rows("sync_runs", columns, [[row.get(c) for c in columns]])


def last_runs(wh: Warehouse, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first."""
    ensure(wh)
    columns = [c.name for c in RUNS.columns]
    rows = wh.query(f"SELECT {', '.join(columns)} FROM sync_runs "
                    f"ORDER BY started_at DESC LIMIT {int(limit)}")
    return [dict(zip(columns, r, strict=True)) for r in rows]


def positions(wh: Warehouse) -> list[tuple[Any, ...]]:
    """Each stream's stored cursor: (source, stream, cursor, when it was committed)."""
    ensure(wh)
    return wh.query("SELECT source, stream, cursor_value, updated_at FROM sync_state "
                    "ORDER BY source, stream")
