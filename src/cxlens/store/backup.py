"""Backups: one engine-neutral format for DuckDB and Postgres, so a backup restores into either.

A backup is a folder: ``manifest.json`` (format, schema version, source engine, and per table
its columns, row count and the SHA-256 of its file) and ``tables/NAME.parquet``, one per table
of the registry (:mod:`cxlens.store.registry`), so a table added there is backed up without a
change here. Parquet keeps the types exactly (64-bit integers, doubles, UTC timestamps to the
microsecond, NULL apart from an empty string), which a CSV would not.

- ``backup`` reads every table inside one read-only snapshot (a transaction; REPEATABLE READ on
  Postgres), so a backup taken while the server imports is consistent; it writes into
  ``PATH.partial`` and renames it to ``PATH`` once complete, so ``PATH`` is never half a backup.
- ``restore`` verifies every checksum and row count before touching the target, then deletes
  and inserts inside one transaction: all the tables or none. A target that already holds data
  is refused unless ``replace`` is asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxlens.errors import ConfigError, NotFound, SchemaError
from cxlens.schema import SCHEMA_VERSION, Table, Type
from cxlens.store import ddl
from cxlens.store.base import Warehouse
from cxlens.store.duck import fsync

if TYPE_CHECKING:
    import pyarrow as pa

FORMAT = "cxlens-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 100_000  # rows per Parquet row group and per insert (memory stays flat at 10 M rows)
META = "cxlens_meta"
#: Rows a freshly migrated warehouse already holds: it is still "empty" for a restore.
_FRESH_META_KEYS = ("schema_version",)

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int


def arrow_type(type_: Type) -> pa.DataType:
    import pyarrow as pa

    return {
        Type.STRING: pa.string(),
        Type.INTEGER: pa.int64(),
        Type.FLOAT: pa.float64(),
        Type.BOOLEAN: pa.bool_(),
        Type.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    }[type_]


def arrow_schema(table: Table) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c.type)) for c in table.columns])


def _tables() -> tuple[Table, ...]:
    from cxlens.store import registry

    return registry.tables()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rows(wh: Warehouse, table: Table) -> Iterator[pa.RecordBatch]:
    """The rows of ``table`` as Arrow batches of the registry's types, in key order (so two
    backups of the same data are the same bytes)."""
    cols = ", ".join(ddl.quote(c) for c in table.column_names)
    order = ", ".join(ddl.quote(c) for c in (table.key or table.column_names))
    yield from wh.arrow_batches(f"SELECT {cols} FROM {ddl.quote(table.name)} ORDER BY {order}",
                                arrow_schema(table), BATCH)


def backup(wh: Warehouse, path: Path, progress: Progress | None = None) -> list[TableCopy]:
    """Write every registered table of ``wh`` to the backup folder ``path`` (which must not
    exist); return each table's row count."""
    import pyarrow.parquet as pq

    if path.exists():
        raise ConfigError(f"{path} already exists: a backup never overwrites",
                          "name a new folder (e.g. with the date: backups/cxlens-2026-01-31), "
                          "or delete the old one first")
    if not path.parent.is_dir():
        raise NotFound(f"cannot write the backup {path}: folder {path.parent} does not exist",
                       "create the folder first or give a path in an existing folder")
    partial = path.with_name(path.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)  # left by a backup that was killed
    (partial / "tables").mkdir(parents=True)
    entries: dict[str, Any] = {}
    copies: list[TableCopy] = []
    try:
        with wh.transaction():
            if wh.dialect == "postgres":  # one snapshot for every table (DuckDB's is already)
                wh.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in _tables():
                file = partial / "tables" / f"{table.name}.parquet"
                rows = 0
                with pq.ParquetWriter(file, arrow_schema(table)) as writer:
                    for batch in _rows(wh, table):
                        writer.write_batch(batch)
                        rows += batch.num_rows
                fsync(file)
                entries[table.name] = {
                    "file": f"tables/{table.name}.parquet", "rows": rows,
                    "sha256": _sha256(file),
                    "columns": [[c.name, c.type.value] for c in table.columns]}
                copies.append(TableCopy(table.name, rows))
                if progress:
                    progress(table.name, rows)
            from cxlens.store.migrate import schema_version

            version = schema_version(wh)
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                    "schema_version": version, "source": wh.dialect,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "tables": entries}
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        fsync(partial / MANIFEST)
        fsync(partial / "tables")
        fsync(partial)
        os.replace(partial, path)
        fsync(path.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return copies


@dataclass(frozen=True)
class Manifest:
    folder: Path
    schema_version: int
    source: str
    created: str
    tables: dict[str, dict[str, Any]]


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at ``path``, with every file's checksum and row count
    verified (a truncated or altered backup is refused before anything is restored)."""
    import pyarrow.parquet as pq

    file = path / MANIFEST
    if not file.is_file():
        raise NotFound(f"no backup at {path}: {MANIFEST} is missing",
                       "give the folder written by cxlens backup (it holds manifest.json and "
                       "tables/)")
    try:
        data = json.loads(file.read_text())
        ok = data.get("format") == FORMAT
    except (ValueError, AttributeError):
        ok = False
    if not ok:
        raise SchemaError(f"{file} is not a cxlens backup manifest",
                          "give the folder written by cxlens backup")
    if data.get("format_version") != FORMAT_VERSION:
        raise SchemaError(f"{path} is backup format {data.get('format_version')}; this cxlens "
                          f"reads format {FORMAT_VERSION}",
                          "restore it with the cxlens version that wrote it "
                          "(pip install -U cxlens)")
    version = int(data.get("schema_version") or 0)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"the backup {path} has schema version {version}, newer than this "
                          f"cxlens (version {SCHEMA_VERSION})",
                          "upgrade cxlens (pip install -U cxlens) and restore again")
    known = {t.name: t for t in _tables()}
    for name, entry in data["tables"].items():
        if name not in known:
            raise SchemaError(f"the backup {path} holds table {name}, unknown to this cxlens",
                              "restore it with the cxlens version that wrote it")
        for column, type_ in entry["columns"]:
            if column not in known[name].column_names or \
                    known[name].column(column).type.value != type_:
                raise SchemaError(f"the backup {path}: column {name}.{column} ({type_}) does "
                                  "not match this cxlens's schema",
                                  "restore it with the cxlens version that wrote it")
        table_file = path / entry["file"]
        if not table_file.is_file() or _sha256(table_file) != entry["sha256"]:
            raise SchemaError(f"the backup {path} is damaged: {entry['file']} is missing or "
                              "its checksum differs from the manifest",
                              "restore from another copy of the backup; nothing was changed")
        rows = pq.ParquetFile(table_file).metadata.num_rows
        if rows != entry["rows"]:
            raise SchemaError(f"the backup {path} is damaged: {entry['file']} holds {rows} "
                              f"rows, the manifest says {entry['rows']}",
                              "restore from another copy of the backup; nothing was changed")
    return Manifest(path, version, str(data.get("source")), str(data.get("created")),
                    data["tables"])


def holdings(wh: Warehouse) -> dict[str, int]:
    """Tables of ``wh`` that hold data (a fresh warehouse's schema version does not count)."""
    found: dict[str, int] = {}
    for table in _tables():
        if wh.existing_columns(table.name) is None:
            continue
        where = ""
        if table.name == META:
            where = " WHERE key NOT IN (" + ", ".join(f"'{k}'" for k in _FRESH_META_KEYS) + ")"
        n = int(wh.scalar(f"SELECT count(*) FROM {ddl.quote(table.name)}{where}"))
        if n:
            found[table.name] = n
    return found


def restore(wh: Warehouse, path: Path, *, replace: bool = False,
            progress: Progress | None = None) -> list[TableCopy]:
    """Put the backup at ``path`` into the migrated warehouse ``wh``: all of it or, on any
    error, nothing. A warehouse holding data is refused unless ``replace`` (its rows in every
    registered table are then deleted in the same transaction)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    manifest = read_manifest(path)
    copies: list[TableCopy] = []
    with wh.transaction():
        held = holdings(wh)
        if held and not replace:
            shown = ", ".join(f"{name} ({n:,} rows)" for name, n in sorted(held.items()))
            raise ConfigError(f"the warehouse {wh.url} already holds data: {shown}",
                              "restore into a new DuckDB file or an empty Postgres database, "
                              "or pass --replace to delete what it holds (in the same "
                              "transaction as the restore)")
        tables = _tables()
        for table in reversed(tables):
            wh.execute(f"DELETE FROM {ddl.quote(table.name)}")
        for table in tables:
            entry = manifest.tables.get(table.name)
            if entry is None:  # a table newer than the backup: it stays empty
                continue
            reader = pq.ParquetFile(path / entry["file"])
            for batch in reader.iter_batches(batch_size=BATCH):
                wh.insert_arrow(table.name, pa.Table.from_batches([batch]))
            rows = wh.count(table.name)
            if rows != entry["rows"]:
                raise SchemaError(f"restoring {table.name}: {rows} rows arrived, the backup "
                                  f"holds {entry['rows']}; nothing was restored",
                                  "report this as a bug with the backup's manifest.json")
            copies.append(TableCopy(table.name, rows))
            if progress:
                progress(table.name, rows)
        # the tables are this cxlens's (migrated on opening): an older backup's rows fit them
        from cxlens.store.migrate import bump_data_version

        if wh.scalar("SELECT count(*) FROM cxlens_meta WHERE key = 'data_version'") == 0:
            bump_data_version(wh)  # the backup's own data version names its data; else a new one
        wh.execute("DELETE FROM cxlens_meta WHERE key = 'schema_version'")
        wh.execute("INSERT INTO cxlens_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return copies
