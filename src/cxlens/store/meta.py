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


def delete(wh: Warehouse, key: str) -> None:
    """Remove ``key`` (nothing happens when it is not there)."""
    wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [key])


def names(wh: Warehouse, prefix: str) -> list[str]:
    """The keys starting with ``prefix`` (``schedule.``), the prefix taken off, sorted."""
    rows = wh.query("SELECT key FROM cxlens_meta WHERE key LIKE ? ORDER BY 1", [prefix + "%"])
    # (``_`` and ``%`` in a prefix are LIKE wildcards: the exact test is in Python)
    return [str(k).removeprefix(prefix) for (k,) in rows if str(k).startswith(prefix)]
