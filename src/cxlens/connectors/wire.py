"""A :class:`~cxlens.connectors.engine.SyncResult` as JSON and back: ``cxlens sync`` handed to
a running server (``POST /api/syncs``, cxlens.handoff) gets the whole result, so it prints
exactly what a sync run in its own process prints. Each table's import result travels as
:mod:`cxlens.ingest.wire` writes it."""

from __future__ import annotations

from typing import Any

from cxlens.connectors.engine import StreamTotals, SyncResult
from cxlens.ingest.wire import result_from_json, result_json


def sync_json(result: SyncResult) -> dict[str, Any]:
    """What the command prints from ``result``: the counts and each table's import result."""
    return {"source": result.source, "run_id": result.run_id, "pages": result.pages,
            "read": result.read, "unchanged": result.unchanged,
            "tables": [result_json(r) for r in result.results()]}


def sync_from_json(doc: dict[str, Any]) -> SyncResult:
    """The :class:`SyncResult` that :func:`sync_json` wrote (one merged result per table)."""
    imported = [result_from_json(r) for r in doc["tables"]]
    return SyncResult(str(doc["source"]), str(doc["run_id"]), pages=int(doc["pages"]),
                      read=int(doc["read"]), unchanged=int(doc["unchanged"]),
                      totals={r.table: StreamTotals(r.table, [r]) for r in imported})
