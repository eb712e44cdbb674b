"""The quarantine (rejected and flagged rows, with reasons and source location) and the
import log. Both are operational tables owned by the import."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from cxlens.ingest.problems import Problem
from cxlens.personal import by, delete, keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

S, INT, T = Type.STRING, Type.INTEGER, Type.TIMESTAMP

QUARANTINE = Table(
    "quarantine",
    "Rows an import rejected (status rejected: not loaded), loaded with a warning "
    "(flagged), or left out on purpose by the mapping (skipped), with every reason and where "
    "the row came from.",
    (
        Column("import_id", S, "Import that found the problem.", required=True),
        Column("table_name", S, "Canonical table the row was meant for.", required=True),
        Column("source_file", S, "File the row came from (absolute path).", required=True),
        Column("source_row", INT, "Row in the file; the header is row 1."),
        Column("status", S, "rejected (not loaded), flagged (loaded with a warning) or "
               "skipped (left out by a mapping rule).", enum=("rejected", "flagged", "skipped")),
        Column("rules", S, "Rules broken, comma-separated (type, enum, out_of_scale, ...)."),
        Column("reason", S, "Every problem of the row, one per line: column, what is wrong, "
               "the value, the fix."),
        Column("record", S, "The row's values as read (JSON)."),
        Column("quarantined_at", T, "When the import ran."),
    ),
    key=(),
    personal=delete(by("mention", "record"), by("mention", "reason")),
)

IMPORTS = Table(
    "import_log",
    "One row per file per import: what was read, loaded, rejected and flagged.",
    (
        Column("import_id", S, "Id shared by the files of one `cxlens import`.", required=True),
        Column("table_name", S, "Canonical table loaded.", required=True),
        Column("source_file", S, "File imported (absolute path).", required=True),
        Column("mapping", S, "Mapping or preset used."),
        Column("rows_read", INT, "Records read (answers, for an unpivoted survey export)."),
        Column("rows_loaded", INT, "Rows inserted or updated."),
        Column("rows_rejected", INT, "Rows sent to quarantine."),
        Column("rows_flagged", INT, "Rows loaded with a warning."),
        Column("rows_skipped", INT, "Rows a mapping rule left out on purpose."),
        Column("started_at", T, "Start of the import."),
        Column("finished_at", T, "End of the import."),
    ),
    key=(),
    personal=keep("counts per file, no row data"),
)
TABLES = (QUARANTINE, IMPORTS)


def _plain(value: Any) -> Any:
    """JSON for numpy scalars (as numbers) and timestamps (ISO 8601)."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def quarantine_rows(import_id: str, table: str, started: pd.Timestamp,
                    problems: Sequence[Problem], records: dict[tuple[str, int], dict[str, Any]],
                    status: str) -> pd.DataFrame:
    """One quarantine row per (file, row), joining all of that row's problems."""
    by_row: dict[tuple[str, int], list[Problem]] = {}
    for p in problems:
        by_row.setdefault((p.file, p.row or 0), []).append(p)
    out = []
    for (file, row), probs in by_row.items():
        out.append({
            "import_id": import_id,
            "table_name": table,
            "source_file": file,
            "source_row": row or None,
            "status": status,
            "rules": ",".join(sorted({p.rule for p in probs})),
            "reason": "\n".join(
                f"{p.column or '-'}: {p.message}" + (f" (value {p.value!r})" if p.value else "")
                + f" — fix: {p.hint}" for p in probs),
            "record": json.dumps(records.get((file, row), {}), default=_plain,
                                 ensure_ascii=False),
            "quarantined_at": started,
        })
    return pd.DataFrame(out, columns=list(QUARANTINE.column_names))


def list_quarantine(wh: Warehouse, *, table: str | None = None, status: str = "rejected",
                    limit: int | None = 100) -> pd.DataFrame:
    """Quarantined rows, newest import first."""
    wh.ensure(QUARANTINE)
    sql = ("SELECT table_name, source_file, source_row, status, rules, reason, record, import_id "
           "FROM quarantine WHERE status = ?")
    params: list[Any] = [status]
    if table:
        sql += " AND table_name = ?"
        params.append(table)
    sql += " ORDER BY quarantined_at DESC, source_file, source_row"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return wh.query_df(sql, params)


def recent_imports(wh: Warehouse, limit: int = 20) -> pd.DataFrame:
    """The latest ``limit`` imports, newest first, one row each with its files' totals."""
    wh.ensure(IMPORTS)
    return wh.query_df(
        "SELECT import_id, min(table_name) AS table_name, string_agg(source_file, ', ') AS files, "
        "sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded, "
        "sum(rows_rejected) AS rows_rejected, sum(rows_flagged) AS rows_flagged, "
        "max(finished_at) AS finished_at FROM import_log GROUP BY import_id "
        f"ORDER BY max(finished_at) DESC LIMIT {int(limit)}")


def import_log_of(wh: Warehouse, import_id: str) -> pd.DataFrame:
    """The import log's rows (one per file) of import ``import_id``."""
    wh.ensure(IMPORTS)
    return wh.query_df("SELECT * FROM import_log WHERE import_id = ? ORDER BY source_file",
                       [import_id])


def quarantine_of(wh: Warehouse, import_id: str, limit: int = 500) -> pd.DataFrame:
    """The quarantine's rows of import ``import_id`` (every status), in file order."""
    wh.ensure(QUARANTINE)
    return wh.query_df(
        "SELECT source_file, source_row, status, rules, reason, record FROM quarantine "
        "WHERE import_id = ? ORDER BY source_file, source_row, status "
        f"LIMIT {int(limit)}", [import_id])
