"""cxlens: open customer-experience measurement with honest statistics.

Public API: :func:`connect` (a warehouse) and :func:`query` (metrics as a DataFrame)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "connect", "query"]

if TYPE_CHECKING:
    from cxlens.metrics.query import query
    from cxlens.store import connect


def __getattr__(name: str) -> Any:
    # imported lazily so `import cxlens` (and the CLI's start) stays fast
    if name == "query":
        from cxlens.metrics.query import query

        return query
    if name == "connect":
        from cxlens.store import connect

        return connect
    raise AttributeError(f"module 'cxlens' has no attribute {name!r}")
