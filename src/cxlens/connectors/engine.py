"""The part every connector shares: land each page of records through the file import's
mapping, validation and quarantine, with the stream's cursor, in one transaction.

A connector only knows its API: it yields :class:`Page` objects (records per stream, and the
cursor that follows them). This module decides what is new (``sync_state.changed``), imports
it with :func:`cxlens.ingest.pipeline.import_files` (so a record lands exactly as the same
record in a file would, problems and quarantine included), records the versions and the
cursor, and commits. A crash between pages loses nothing committed; a crash inside a page
rolls back its rows and its cursor together.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxlens.connectors import state
from cxlens.connectors.lock import exclusive
from cxlens.errors import CxlensError
from cxlens.ingest.mapping import Mapping, load_mapping
from cxlens.ingest.pipeline import ImportResult, import_files
from cxlens.ingest.records import Records
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version

MAPPINGS = Path(__file__).parent / "mappings"


@dataclass(frozen=True)
class Batch:
    """Records of one stream in a page, landed by each mapping in turn (a rating is both an
    answer and an invitation; a metric set merges onto the ticket landed just before)."""

    stream: str
    records: Sequence[dict[str, Any]]
    mappings: tuple[str, ...]  # preset names or YAML paths
    id_field: str = "id"
    version_field: str = "updated_at"


@dataclass(frozen=True)
class Page:
    """One page of an API: its batches, and the cursor to store once they are landed."""

    cursor_stream: str
    cursor: str
    batches: tuple[Batch, ...]


@dataclass
class StreamTotals:
    """What a sync did to one target table, summed over pages (the import's own result)."""

    table: str
    results: list[ImportResult] = field(default_factory=list)

    def merged(self) -> ImportResult:
        first = self.results[0]
        return ImportResult(
            first.import_id, self.table, [f for r in self.results for f in r.files],
            [p for r in self.results for p in r.problems],
            sorted({n for r in self.results for n in r.notes}),
            inserted=sum(r.inserted for r in self.results),
            updated=sum(r.updated for r in self.results),
            seconds=sum(r.seconds for r in self.results))


@dataclass
class SyncResult:
    source: str
    run_id: str
    pages: int = 0
    read: int = 0  # new or changed records read
    unchanged: int = 0  # records read again that had not changed
    totals: dict[str, StreamTotals] = field(default_factory=dict)
    error: CxlensError | None = None

    def results(self) -> list[ImportResult]:
        return [t.merged() for t in self.totals.values() if t.results]

    @property
    def loaded(self) -> int:
        return sum(r.loaded for r in self.results())

    @property
    def rejected(self) -> int:
        return sum(r.rejected for r in self.results())

    @property
    def problems(self) -> int:
        return sum(r.problem_count for r in self.results())


Progress = Callable[[SyncResult], None]


def run(wh: Warehouse, source: str, pages: Callable[[dict[str, str | None]], Iterator[Page]],
        streams: Sequence[str], progress: Progress | None = None) -> SyncResult:
    """Read ``pages`` (given each stream's stored cursor) and land them one by one; record
    the run. A :class:`SyncError` stops the run after recording it, and is raised again."""
    state.ensure(wh)
    with exclusive(wh, source):
        return _run(wh, source, pages, streams, progress)


def _run(wh: Warehouse, source: str,
         pages: Callable[[dict[str, str | None]], Iterator[Page]], streams: Sequence[str],
         progress: Progress | None) -> SyncResult:
    result = SyncResult(source, uuid.uuid4().hex[:12])
    started = dt.datetime.now(dt.UTC)
    cursors = {s: state.cursor(wh, source, s) for s in streams}
    try:
        for page in pages(cursors):
            land(wh, source, page, result)
            result.pages += 1
            if progress:
                progress(result)
    except CxlensError as exc:
        result.error = exc
    state.record_run(wh, {
        "run_id": result.run_id, "source": source, "started_at": started,
        "finished_at": dt.datetime.now(dt.UTC), "status": "failed" if result.error else "ok",
        "pages": result.pages, "rows_read": result.read, "rows_loaded": result.loaded,
        "rows_quarantined": result.rejected, "problems": result.problems,
        "error": str(result.error) if result.error else None})
    if result.error is not None:
        raise result.error
    return result


def land(wh: Warehouse, source: str, page: Page, result: SyncResult) -> None:
    """Land ``page``'s new or changed records and store its cursor, all or nothing."""
    with wh.transaction():
        landed = False
        for batch in page.batches:
            fresh = state.changed(wh, source, batch.stream, batch.records, batch.id_field,
                                  batch.version_field)
            result.read += len(fresh)
            result.unchanged += len({str(r.get(batch.id_field)) for r in batch.records}) \
                - len(fresh)
            if not fresh:
                continue
            landed = True
            for name in batch.mappings:
                mp = mapping(name)
                records = Records(f"{source}:{batch.stream}", project(fresh, mp),
                                  record_ids(fresh, batch.id_field))
                imported = import_files(wh, None, [records], mapping=mapping_ref(name))
                totals = result.totals.setdefault(imported.table, StreamTotals(imported.table))
                totals.results.append(imported)
            state.remember(wh, source, batch.stream, fresh, batch.id_field,
                           batch.version_field)
        state.save_cursor(wh, source, page.cursor_stream, page.cursor)
        if landed:  # each import bumped what it wrote; these two tables are the sync's own
            # (a re-run that lands nothing keeps every version: only its cursor moved)
            bump_data_version(wh, (state.STATE.name, state.SEEN.name))


def mapping(name: str) -> Mapping:
    """A connector's own mapping (connectors/mappings/NAME.yaml), a preset, or a YAML path."""
    own = MAPPINGS / f"{name}.yaml"
    return load_mapping(own if own.is_file() else name)


def mapping_ref(name: str) -> str:
    """What :func:`import_files` is given (and the import log records) for ``name``."""
    own = MAPPINGS / f"{name}.yaml"
    return str(own) if own.is_file() else name


def project(records: Sequence[dict[str, Any]], mp: Mapping) -> list[dict[str, Any]]:
    """Each record reduced to the (dotted) fields the mapping reads, every one present: an
    API leaves out keys a file would have as empty columns, and the rest (subjects,
    descriptions, e-mail addresses) has no business in memory or in the quarantine."""
    wanted = sorted(_sources(mp))
    return [{name: _dig(rec, name) for name in wanted} for rec in records]


def record_ids(records: Sequence[dict[str, Any]], id_field: str) -> list[int]:
    """Each record's id as its row number in problems and quarantine."""
    ids = []
    for i, rec in enumerate(records, start=1):
        try:
            ids.append(int(rec[id_field]))
        except (KeyError, TypeError, ValueError):
            ids.append(i)
    return ids


def _sources(mp: Mapping) -> set[str]:
    out: set[str] = set()
    for spec in mp.specs().values():
        if spec.source is not None:
            out.add(spec.source)
        out.update(spec.template_fields())
        out.update(spec.only_if or {})
    out.update(s.source for s in mp.skip)
    return out


def _dig(record: dict[str, Any], dotted: str) -> Any:
    """``record["a"]["b"]`` for ``a.b`` (or a key that has the dot in its name)."""
    if dotted in record:
        return record[dotted]
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


__all__ = ["Batch", "Page", "SyncResult", "land", "run"]
