"""Reading the warehouse back with hand-written SQL, for literal comparisons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxlens.store.base import Warehouse


def utc(value: Any) -> Any:
    """A timestamp as 'YYYY-MM-DD HH:MM' in UTC (other values unchanged)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    return value


def rows(wh: Warehouse, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return [tuple(utc(v) for v in r) for r in wh.query(sql, params or [])]


def tables(wh: Warehouse) -> list[str]:
    return [r[0] for r in wh.query(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() ORDER BY table_name")]
