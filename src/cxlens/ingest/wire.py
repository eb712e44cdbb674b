"""An :class:`~cxlens.ingest.pipeline.ImportResult` as JSON and back: a server that runs an
import for someone else (the dashboard's JSON answer, ``cxlens import`` handed to a running
server) sends the whole result, so the caller prints exactly what a local import prints."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cxlens.ingest.pipeline import FileResult, ImportResult
from cxlens.ingest.problems import Problem


def result_json(result: ImportResult) -> dict[str, Any]:
    """Every field of ``result`` as JSON values, plus the totals a reader wants at a glance."""
    return {
        "import_id": result.import_id, "table": result.table, "dry_run": result.dry_run,
        "inserted": result.inserted, "updated": result.updated, "seconds": result.seconds,
        "rows_read": result.rows_read, "rejected": result.rejected, "flagged": result.flagged,
        "skipped": result.skipped, "problem_count": result.problem_count,
        "files": [{"path": f.path, "rows_read": f.rows_read, "rows_loaded": f.rows_loaded,
                   "rows_rejected": f.rows_rejected, "rows_flagged": f.rows_flagged,
                   "rows_skipped": f.rows_skipped, "ignored_columns": f.ignored_columns,
                   "mapped_to_missing": [[c, v, n] for (c, v), n in
                                         f.mapped_to_missing.items()]}
                  for f in result.files],
        "problems": [p.as_dict() for p in result.problems],
        "notes": result.notes,
    }


def result_from_json(doc: dict[str, Any]) -> ImportResult:
    """The :class:`ImportResult` that :func:`result_json` wrote (the totals are recomputed
    from the files and problems, as for a local result)."""
    files = []
    for f in doc["files"]:
        missing: Counter[tuple[str, str]] = Counter(
            {(str(c), str(v)): int(n) for c, v, n in f["mapped_to_missing"]})
        files.append(FileResult(f["path"], f["rows_read"], f["rows_loaded"], f["rows_rejected"],
                                f["rows_flagged"], f["rows_skipped"], list(f["ignored_columns"]),
                                missing))
    return ImportResult(doc["import_id"], doc["table"], files,
                        [Problem(**p) for p in doc["problems"]], list(doc["notes"]),
                        inserted=doc["inserted"], updated=doc["updated"],
                        seconds=doc["seconds"], dry_run=doc["dry_run"])
