"""The table registry: every table cxlens keeps, canonical or operational, declared once by its
owner module (a ``TABLES`` collection there) with its personal-data policy
(:attr:`cxlens.schema.Table.personal`). ``migrate`` creates them all, ``cxlens erase`` applies
their policies and docs/data-model.md lists them, so a new table is covered by adding it to
its owner's ``TABLES`` (a test fails when a table in a warehouse is missing here).

Owners are named by dotted path and imported when asked for (``importlib``), not imported
at the top: the store is the lowest layer and must not import the domain packages above it;
and opening a warehouse stays free of the owners' heavy imports (pandas, scipy).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cxlens.errors import SchemaError
from cxlens.schema import Table
from cxlens.store.base import Warehouse

#: Modules that declare tables, canonical first (the order of docs/data-model.md).
OWNERS = (
    "cxlens.schema",
    "cxlens.store.migrate",
    "cxlens.ingest.quarantine",
    "cxlens.webhooks",
    "cxlens.loop.cases",
    "cxlens.alerts.store",
    "cxlens.contracts.store",
    "cxlens.qa.disputes",
    "cxlens.qa.coaching",
    "cxlens.qa.sampling",
    "cxlens.qa.escalation_audit",
    "cxlens.qa.sessions",
    "cxlens.qa.machine",
    "cxlens.accounts.users",
    "cxlens.accounts.sessions",
    "cxlens.accounts.tokens",
    "cxlens.accounts.audit",
    "cxlens.connectors.state",
    "cxlens.accounts.throttle",
    "cxlens.store.runs",
    "cxlens.store.buckets",
    "cxlens.text.model_store",
    "cxlens.text.theme_store",
)


@dataclass(frozen=True)
class Entry:
    owner: str
    table: Table


def entries() -> tuple[Entry, ...]:
    """Every registered table with its owner; a name declared twice, or a table without a
    personal-data policy, is refused."""
    found: dict[str, Entry] = {}
    for owner in OWNERS:
        declared = importlib.import_module(owner).TABLES
        tables: Iterable[Table] = declared.values() if isinstance(declared, Mapping) \
            else declared
        for table in tables:
            if table.name in found:
                raise SchemaError(f"table {table.name} is declared by both "
                                  f"{found[table.name].owner} and {owner}",
                                  "declare each table once, in the module that owns it")
            if table.personal is None:
                raise SchemaError(f"table {table.name} ({owner}) has no personal-data policy",
                                  "give its Table a personal= policy (cxlens.personal: delete, "
                                  "redact, or keep with a reason)")
            found[table.name] = Entry(owner, table)
    return tuple(found.values())


def tables() -> tuple[Table, ...]:
    return tuple(e.table for e in entries())


def ensure(wh: Warehouse) -> None:
    """Create every registered table that is missing and add missing columns."""
    wh.ensure(*tables())
