"""Create and migrate every table of the registry (canonical and operational); record the
schema version."""

from __future__ import annotations

import secrets
import uuid

from cxlens.errors import SchemaError
from cxlens.personal import keep
from cxlens.schema import SCHEMA_VERSION, Column, Table, Type
from cxlens.store.base import Warehouse

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


def data_version(wh: Warehouse) -> str:
    """Changes whenever imported or generated data changes: the key of the dashboard's cache."""
    value = wh.scalar("SELECT value FROM cxlens_meta WHERE key = 'data_version'")
    return str(value) if value is not None else "0"


def bump_data_version(wh: Warehouse) -> None:
    """Call inside the transaction that changes the data."""
    wh.execute("DELETE FROM cxlens_meta WHERE key = 'data_version'")
    wh.execute("INSERT INTO cxlens_meta VALUES ('data_version', ?)", [uuid.uuid4().hex])


def secret(wh: Warehouse, key: str = "web.secret") -> str:
    """A signing secret made once and kept in the warehouse (sessions and survey links
    survive a restart)."""
    value = wh.scalar("SELECT value FROM cxlens_meta WHERE key = ?", [key])
    if value is None:
        value = secrets.token_urlsafe(32)
        wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [key, value])
    return str(value)
