"""Named values kept in the warehouse's ``cxlens_meta`` table (settings stored as text, such as
the survey configuration and the alert rules)."""

from __future__ import annotations

from cxlens.store.base import Warehouse


def get(wh: Warehouse, key: str) -> str | None:
    value = wh.scalar("SELECT value FROM cxlens_meta WHERE key = ?", [key])
    return None if value is None else str(value)


def put(wh: Warehouse, key: str, value: str) -> None:
    """Replace ``key``'s value (call inside the change's transaction)."""
    wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [key])
    wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [key, value])
