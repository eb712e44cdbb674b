"""``import_files``: read → redact → map → validate → stage → cross-row checks → load,
atomically. Free text is redacted before it is stored, quarantined rows included
(:mod:`cxlens.ingest.freetext`).

A file-level problem (unreadable file, bad mapping, missing required column) refuses the whole
import and leaves the warehouse unchanged. Row-level errors send the row to quarantine; warnings
keep the row and flag it. Re-importing a file upserts by key and replaces that file's
quarantine entries, so an import is idempotent. A connector's records in memory
(:class:`cxlens.ingest.records.Records`) go through the same steps as a file.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxlens.errors import CxlensError, ImportRefused
from cxlens.ingest import readers
from cxlens.ingest.cells import empty_error_cells
from cxlens.ingest.coerce import zone
from cxlens.ingest.freetext import finish, redact_sources
from cxlens.ingest.hints import add_to_mapping, closest
from cxlens.ingest.load import Stage, as_records
from cxlens.ingest.mapping import Mapping, check_mapping, load_mapping, table_for
from cxlens.ingest.problems import Problem, summarise
from cxlens.ingest.quarantine import IMPORTS, QUARANTINE, quarantine_rows
from cxlens.ingest.records import Records
from cxlens.ingest.transform import (
    ROW,
    apply_mapping,
    declared_missing,
    ignored_columns,
    mapped_to_missing,
    passthrough_columns,
    skip_mask,
)
from cxlens.ingest.validate import check_chunk
from cxlens.schema import Table
from cxlens.store.base import Warehouse
from cxlens.store.changes import Ranges
from cxlens.store.migrate import bump_data_version

Progress = Callable[[str, int, int], None]  # (file, bytes done, bytes total)


@dataclass
class FileResult:
    path: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    rows_skipped: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    #: (source column, value as written) -> values the mapping's value maps made missing
    mapped_to_missing: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: for records (not a file): their ids, whose quarantine entries this import replaces
    ids: list[int] | None = None


@dataclass
class ImportResult:
    import_id: str
    table: str
    files: list[FileResult]
    problems: list[Problem]
    notes: list[str]
    inserted: int = 0
    updated: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated

    @property
    def rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def flagged(self) -> int:
        return sum(f.rows_flagged for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.rows_skipped for f in self.files)

    @property
    def problem_count(self) -> int:
        """Problems found (a row with three problems is one rejected row, three problems)."""
        return sum(p.severity != "skipped" for p in self.problems)

    def summary(self) -> list[str]:
        return summarise(self.problems)


def import_files(wh: Warehouse, table: str | None, files: Sequence[str | Path | Records], *,
                 mapping: str | Path | Mapping | None = None, timezone: str | None = None,
                 strict: bool = False, dry_run: bool = False, encoding: str | None = None,
                 progress: Progress | None = None, sources: Sequence[str] | None = None,
                 mapping_name: str | None = None) -> ImportResult:
    """Import ``files`` into ``table``; see the module docstring for the guarantees.

    ``sources`` names each file as the problems, the quarantine and the import log record it
    (default: its resolved path), and ``mapping_name`` the mapping in the import log: an
    upload or a handed-off import reads a temporary copy but reports the file the user
    chose, so its output and its quarantine read as a local import's (web/uploads.py)."""
    started = pd.Timestamp.now(tz="UTC")
    t0 = time.perf_counter()
    mp = load_mapping(mapping) if isinstance(mapping, str | Path) else mapping
    if encoding:
        mp = (mp or Mapping()).model_copy(update={"encoding": encoding})
    tbl = table_for(mp, table)
    tz = zone(timezone or (mp.timezone if mp else None))
    if mapping_name is None:
        mapping_name = str(mapping) if isinstance(mapping, str | Path) else \
            ("inline" if mp else "")
    result = ImportResult(uuid.uuid4().hex[:12], tbl.name, [], [], [], dry_run=dry_run)
    wh.ensure(QUARANTINE, IMPORTS)
    refusals: list[str] = []
    rejected_records: dict[tuple[str, int], dict[str, Any]] = {}
    with wh.transaction():
        stage: Stage | None = None
        for i, f in enumerate(files):
            path = f if isinstance(f, Records) else Path(f).expanduser().resolve()
            name = str(sources[i]) if sources is not None else str(path)
            fr = FileResult(name, ids=list(f.ids) if isinstance(f, Records) else None)
            result.files.append(fr)
            try:
                stage = _read_file(wh, path, name, tbl, mp, tz, stage, fr, result,
                                   rejected_records, progress)
            except CxlensError as exc:
                refusals.append(str(exc).replace(str(path), name))
        if refusals:
            raise ImportRefused(
                f"import into {tbl.name} refused; nothing was written:\n  " + "\n  ".join(refusals),
                "fix the problems above and run the import again",
            )
        if stage is not None:
            _cross_checks(stage, mp, result, rejected_records)
        _count(result)
        found = [p for p in result.problems if p.severity != "skipped"]
        if strict and found:
            raise ImportRefused(
                f"--strict: {len(found)} problem(s) found; nothing was written:\n  "
                + "\n  ".join(summarise(found)),
                "fix the rows listed, or import without --strict to quarantine them",
            )
        touched: dict[str, Ranges] = {tbl.name: {}}  # no rows staged: nothing moved
        if stage is not None:
            touched = {tbl.name: stage.touched()}
            result.updated = stage.existing()
            result.inserted = stage.rows() - result.updated
            if mp is not None and mp.merge:
                result.inserted = 0
                stage.merge()
            else:
                stage.upsert()
            stage.drop()
        _record(wh, result, started, mapping_name, rejected_records)
        bump_data_version(wh, writes(tbl.name), changes=touched)
        result.seconds = time.perf_counter() - t0
        if dry_run:
            raise _DryRun(result)
    return result


def writes(table: str) -> tuple[str, ...]:
    """The tables an import into ``table`` writes: it, the quarantine and the import log.
    Its data-version bump names only these, so a page reading none of them stays cached
    (importing mentions leaves the survey pages as they are; tests/ingest/test_writes.py
    records every statement an import runs and fails when one writes another table)."""
    return (table, QUARANTINE.name, IMPORTS.name)


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        self.result = result


def validate_files(wh: Warehouse, table: str | None, files: Sequence[str | Path],
                   **kw: object) -> ImportResult:
    """Everything an import does, then roll back: a dry run that writes nothing."""
    try:
        import_files(wh, table, files, dry_run=True, **kw)  # type: ignore[arg-type]
    except _DryRun as done:
        return done.result
    raise AssertionError("a dry run always rolls back")  # pragma: no cover


def _read_file(wh: Warehouse, path: Path | Records, name: str, tbl: Table,
               mp: Mapping | None, tz: object,
               stage: Stage | None, fr: FileResult, result: ImportResult,
               rejected_records: dict[tuple[str, int], dict[str, Any]],
               progress: Progress | None) -> Stage | None:
    total = path.stat().st_size if isinstance(path, Path) and path.is_file() else 0
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(name, min(done, total), total)

    chunks = path.chunks() if isinstance(path, Records) else readers.read_chunks(
        path, encoding=mp.encoding if mp else None, delimiter=mp.delimiter if mp else None,
        sheet=mp.sheet if mp else None, progress=tick)
    first = True
    for chunk in chunks:
        if first:
            columns = list(chunk.data.columns)
            _check_columns(tbl, mp, columns, name)
            fr.ignored_columns = ignored_columns(tbl, mp, columns)
            used = [c for c in columns if c not in fr.ignored_columns]
            sources = _sources(tbl, mp, columns)
            first = False
        data, cells = empty_error_cells(chunk.data, chunk.rows, used, name)
        result.problems.extend(cells)
        if mp is not None and mp.missing:
            data, declared = declared_missing(data, mp.missing, used)
            fr.mapped_to_missing.update(declared)
        data, rows = redact_sources(data, tbl, mp), chunk.rows
        if mp is not None and mp.skip:
            data, rows = _skip(data, rows, mp, name, fr, result, rejected_records)
        fr.mapped_to_missing.update(mapped_to_missing(data, mp))
        mapped = apply_mapping(data, rows, tbl, mp, name)
        checked = check_chunk(mapped, tbl, mp, tz, name, sources)  # type: ignore[arg-type]
        finish(checked.data, tbl, wh)
        fr.rows_read += len(mapped)
        result.problems.extend(checked.problems)
        if checked.rejected is not None and checked.rejected.any():
            bad = mapped.loc[checked.rejected]
            for rec in bad.to_dict("records"):
                row = int(rec.pop(ROW))
                rejected_records[(name, row)] = {
                    str(k): v for k, v in rec.items() if v is not None and v == v}
        if stage is None:
            stage = Stage(wh, tbl, list(checked.data.columns))
        stage.append(checked.good, name)
    if first:
        raise readers.ReadError(f"{path}: the file has a header but no rows",
                                "check the export; nothing to import")
    short = Path(name).name
    if fr.mapped_to_missing:
        counts = ", ".join(f"{col} {value!r} ×{n}"
                           for (col, value), n in sorted(fr.mapped_to_missing.items()))
        result.notes.append(f"{short}: {fr.mapped_to_missing.total()} value(s) the mapping "
                            "reads as missing (missing codes and values mapped to null; left "
                            f"empty, or no answer for a survey question): {counts}")
    if fr.ignored_columns:
        result.notes.append(f"{short}: columns not imported (not in {tbl.name}; map them to "
                            f"use them): {', '.join(fr.ignored_columns)}")
    return stage


def _skip(data: pd.DataFrame, rows: pd.Series, mp: Mapping, path: str, fr: FileResult,
          result: ImportResult, records: dict[tuple[str, int], dict[str, Any]],
          ) -> tuple[pd.DataFrame, pd.Series]:
    """Leave out the rows the mapping's ``skip`` rules name, recording each with its reason."""
    keep = pd.Series(True, index=data.index)
    for rule in mp.skip:
        hit = skip_mask(data, rule.values, rule.source) & keep
        for idx in hit[hit].index:
            row = int(rows[idx])
            value = data.at[idx, rule.source]
            result.problems.append(Problem(path, row, rule.source, str(value), "skipped",
                                           rule.reason, "nothing to fix: the mapping skips "
                                           "these rows on purpose", "skipped"))
            records[(path, row)] = {str(k): v for k, v in data.loc[idx].items()
                                    if v is not None and v == v}
        fr.rows_read += int(hit.sum())
        keep &= ~hit
    return data.loc[keep], rows.loc[keep]


def _sources(tbl: Table, mp: Mapping | None, columns: list[str]) -> dict[str, str]:
    """Canonical column -> the file column it is read from (for fixes that name it)."""
    out = passthrough_columns(tbl, mp, columns)
    if mp is not None:
        out.update({name: spec.source for name, spec in mp.specs(columns).items()
                    if spec.source is not None})
    return out


def _check_columns(tbl: Table, mp: Mapping | None, columns: list[str], where: str) -> None:
    if mp is not None:
        check_mapping(mp, tbl, columns, where)
    produced = set(passthrough_columns(tbl, mp, columns))
    if mp is not None:
        produced |= set(mp.specs(columns))
        if mp.unpivot:
            produced |= {"survey", "score", "scale_min", "scale_max", "response_id"}
    missing = [c for c in tbl.required if c not in produced
               and not (mp is not None and mp.merge and c not in tbl.key)]
    if missing:
        free = [c for c in columns if c not in _sources(tbl, mp, columns).values()]
        guesses = {m: closest(m, free) for m in missing}  # a column in use is no candidate
        fixes: dict[str, Any] = {m: g for m, g in guesses.items() if g is not None}
        named = "".join(f' "{g}" for {m}?' for m, g in fixes.items())
        hint = ("rename the columns in the file, or map them with --mapping "
                "(columns: {canonical_name: Source Column})")
        no_ids = [m for m in missing if m in tbl.key and m not in fixes]
        if no_ids:  # a file without an id column (a survey export, reviews) numbers its rows
            fixes.update({m: {"template": "{_file}-{_row}"} for m in no_ids})
        if fixes and len(fixes) == len(missing):
            hint = (("if those are the columns" if not no_ids else
                     f"if the file has no {' or '.join(no_ids)} (ids from the file name and "
                     "row, stable while the file keeps its name and order)")
                    + f", {add_to_mapping({'columns': fixes})}")
        raise ImportRefused(
            f"{where}: required column(s) {', '.join(missing)} of {tbl.name} are missing; "
            f"the file has: {', '.join(columns)}." + (f" Did you mean{named}" if named else ""),
            hint,
        )


def _cross_checks(stage: Stage, mp: Mapping | None, result: ImportResult,
                  rejected_records: dict[tuple[str, int], dict[str, Any]]) -> None:
    checks = [stage.drop_duplicates]
    if mp is not None and mp.merge:
        empty = mp.time_order == "empty"
        checks += [stage.missing_targets, lambda: stage.merged_time_order(empty)]
    for check in checks:
        problems, records = check()
        result.problems.extend(problems)
        rejected_records.update(as_records(records))
    warnings, notes = stage.unknown_references()
    result.problems.extend(warnings)
    result.notes.extend(notes)


def _count(result: ImportResult) -> None:
    for fr in result.files:
        rows = {(p.row, p.severity) for p in result.problems if p.file == fr.path}
        rejected = {r for r, s in rows if s == "error"}
        fr.rows_rejected = len(rejected)
        fr.rows_skipped = len({r for r, s in rows if s == "skipped"})
        fr.rows_flagged = len({r for r, s in rows if s == "warning"} - rejected)
        fr.rows_loaded = fr.rows_read - fr.rows_rejected - fr.rows_skipped


def _record(wh: Warehouse, result: ImportResult, started: pd.Timestamp, mapping: str,
            rejected_records: dict[tuple[str, int], dict[str, Any]]) -> None:
    files = [fr.path for fr in result.files if fr.ids is None]
    if files:
        marks = ", ".join("?" for _ in files)
        wh.execute(f"DELETE FROM quarantine WHERE table_name = ? AND source_file IN ({marks})",
                   [result.table, *files])
    for fr in result.files:
        if fr.ids:  # records: replace the entries of these records only
            marks = ", ".join("?" for _ in fr.ids)
            wh.execute("DELETE FROM quarantine WHERE table_name = ? AND source_file = ? "
                       f"AND source_row IN ({marks})", [result.table, fr.path, *fr.ids])
    errors = [p for p in result.problems if p.severity == "error"]
    rejected_rows = {(p.file, p.row) for p in errors}
    warnings = [p for p in result.problems
                if p.severity == "warning" and (p.file, p.row) not in rejected_rows]
    frames = [
        quarantine_rows(result.import_id, result.table, started, errors,
                        rejected_records, "rejected"),
        quarantine_rows(result.import_id, result.table, started, warnings, {}, "flagged"),
        quarantine_rows(result.import_id, result.table, started,
                        [p for p in result.problems if p.severity == "skipped"],
                        rejected_records, "skipped"),
    ]
    import pyarrow as pa

    from cxlens.ingest.load import ARROW

    schema = pa.schema([pa.field(c.name, ARROW[c.type]) for c in QUARANTINE.columns])
    for frame in frames:
        if not frame.empty:
            wh.insert_arrow("quarantine", pa.Table.from_pandas(frame, schema=schema,
                                                               preserve_index=False))
    finished = pd.Timestamp.now(tz="UTC")
    for fr in result.files:
        wh.execute(
            "INSERT INTO import_log (import_id, table_name, source_file, mapping, rows_read, "
            "rows_loaded, rows_rejected, rows_flagged, rows_skipped, started_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [result.import_id, result.table, fr.path, mapping, fr.rows_read, fr.rows_loaded,
             fr.rows_rejected, fr.rows_flagged, fr.rows_skipped, started.to_pydatetime(),
             finished.to_pydatetime()],
        )
