"""Create and migrate every table of the registry (canonical and operational); record the
schema version."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping

from cxlens.errors import SchemaError
from cxlens.personal import keep
from cxlens.schema import SCHEMA_VERSION, Column, Table, Type
from cxlens.store import changes as log
from cxlens.store.base import Warehouse
from cxlens.store.changes import Ranges

META = Table(
    "cxlens_meta",
    "Warehouse facts kept by cxlens (schema version, ...).",
    (
        Column("key", Type.STRING, "Name of the fact.", required=True),
        Column("value", Type.STRING, "Its value."),
    ),
    key=("key",),
    personal=keep("settings and versions of the warehouse, no customer data"),
)
TABLES = (META,)


def schema_version(wh: Warehouse) -> int | None:
    """The schema version recorded in the warehouse, or None for an empty warehouse."""
    if wh.existing_columns(META.name) is None:
        return None
    value = wh.scalar("SELECT value FROM cxlens_meta WHERE key = 'schema_version'")
    return int(value) if value is not None else None


def migrate(wh: Warehouse) -> int:
    """Bring the warehouse to :data:`SCHEMA_VERSION`; return the version it had before (0 if new).

    Migrations are additive: missing tables and columns are created — every table of the
    registry (:mod:`cxlens.store.registry`), so none is left to its first use; nothing is
    dropped.
    """
    found = schema_version(wh)
    if found is not None and found > SCHEMA_VERSION:
        raise SchemaError(
            f"the warehouse {wh.url} has schema version {found}, newer than this cxlens "
            f"(version {SCHEMA_VERSION})",
            "upgrade cxlens (pip install -U cxlens) or open another warehouse",
        )
    if found == SCHEMA_VERSION:
        return found
    from cxlens.store import registry  # its owners import pandas: only when migrating

    with wh.transaction():
        registry.ensure(wh)
        wh.execute("DELETE FROM cxlens_meta WHERE key = 'schema_version'")
        wh.execute("INSERT INTO cxlens_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return found or 0


#: cxlens_meta's key of the global data version; a table's own is ``data_version:TABLE``.
VERSION_KEY = "data_version"


def data_version(wh: Warehouse, tables: Iterable[str] | None = None) -> str:
    """Changes whenever imported or generated data changes: the key of the dashboard's cache.

    ``tables``: the version of what those tables hold only (the global version and their own
    versions); None: of everything (the global version and every table's own), so a caller
    that names nothing sees every change. Changes only through :func:`bump_data_version`."""
    rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key = ? OR key LIKE ?",
                    [VERSION_KEY, f"{VERSION_KEY}:%"])
    found = {str(k): str(v) for k, v in rows}
    base = found.pop(VERSION_KEY, "0")
    wanted = None if tables is None else {f"{VERSION_KEY}:{t}" for t in tables}
    own = sorted((k, v) for k, v in found.items() if wanted is None or k in wanted)
    if not own:
        return base
    digest = hashlib.sha256("\n".join(f"{k}={v}" for k, v in own).encode()).hexdigest()
    return f"{base}.{digest[:16]}"


def bump_data_version(wh: Warehouse, tables: Iterable[str] | None = None,
                      changes: Mapping[str, Ranges] | None = None) -> None:
    """Call inside the transaction that changes the data. ``tables``: the only tables it
    changed (registry names; an unknown one is refused), so what reads none of them stays
    cached; None (the default, and the safe choice): everything changes. ``changes``: for a
    table named, the time ranges the change touched (:mod:`cxlens.store.changes`), so what
    was computed before can be brought up to date period by period; a table without them is
    recomputed in full by whatever reads it."""
    if tables is None:
        wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [VERSION_KEY])
        wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [VERSION_KEY, uuid.uuid4().hex])
        return
    from cxlens.store import registry  # its owners import pandas: only when bumping by table

    known = {t.name for t in registry.tables()}
    unknown = sorted(set(tables) - known)
    if unknown:
        raise SchemaError(f"bump_data_version: no table {', '.join(unknown)} in the registry",
                          "name registered tables (cxlens.store.registry), or pass no tables "
                          "to bump everything")
    value = uuid.uuid4().hex
    for table in sorted(set(tables)):
        key = f"{VERSION_KEY}:{table}"
        if changes is not None and table in changes:
            prev = wh.scalar("SELECT value FROM cxlens_meta WHERE key = ?", [key])
            log.record(wh, table, value, None if prev is None else str(prev), changes[table])
        wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [key])
        wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [key, value])


def secret(wh: Warehouse, key: str = "web.secret") -> str:
    """A signing secret made once and kept in the warehouse (sessions and survey links
    survive a restart)."""
    value = wh.scalar("SELECT value FROM cxlens_meta WHERE key = ?", [key])
    if value is None:
        value = secrets.token_urlsafe(32)
        wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [key, value])
    return str(value)
