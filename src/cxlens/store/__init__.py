"""The warehouse: ``connect(url)`` gives a :class:`Warehouse` on DuckDB (default) or Postgres,
with the canonical tables created and migrated."""

from __future__ import annotations

import os
from pathlib import Path

from cxlens.errors import ConfigError, did_you_mean
from cxlens.store.base import Warehouse

__all__ = ["DEFAULT_DB", "Warehouse", "connect", "default_url", "duckdb_path"]

DEFAULT_DB = "./cxlens.duckdb"
_SCHEMES = ("duckdb", "postgresql", "postgres", "spark+lake")


def default_url() -> str:
    """The warehouse used when none is given: ``$CXLENS_DB`` or ``./cxlens.duckdb``."""
    return os.environ.get("CXLENS_DB") or DEFAULT_DB


def duckdb_path(url: str) -> str | None:
    """The file (or ``:memory:``) a DuckDB URL names; None for other engines' URLs."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("", "duckdb"):
        return None
    path = url.split("://", 1)[1] if scheme else url
    if path.startswith("/") and scheme:
        path = path[1:] if path.startswith("//") else path
    return path


def connect(url: str | None = None, *, migrate: bool = True, read_only: bool = False) -> Warehouse:
    """Open a warehouse.

    ``url`` is a file path (``./cxlens.duckdb``), ``duckdb:///path``, ``:memory:`` or
    ``postgresql://user:pass@host:port/db``, or ``spark+lake:///path/to/lake`` (a Parquet lake
    written by ``cxlens export-lake``, queried with Spark; read-only). With ``migrate`` (the
    default) the canonical tables are created or brought up to the current schema version.
    """
    url = url or default_url()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    wh: Warehouse
    if scheme == "spark+lake":
        from cxlens.store.lake import SparkLake

        return SparkLake(url)
    if scheme in ("postgresql", "postgres"):
        from cxlens.extras import require

        require("postgres")
        from cxlens.store.pg import PostgresWarehouse

        wh = PostgresWarehouse(url)
    elif (path := duckdb_path(url)) is not None:
        from cxlens.store.duck import DuckDBWarehouse

        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(
                    f"cannot create the warehouse {path}: folder {parent} does not exist",
                    "create the folder first or pass --db with a path in an existing folder",
                )
        wh = DuckDBWarehouse(path, read_only=read_only)
    else:
        raise ConfigError(
            f'unknown warehouse URL scheme "{scheme}" in {url}.{did_you_mean(scheme, _SCHEMES)}',
            "use a file path such as ./cxlens.duckdb, duckdb:///path/to/file.duckdb or "
            "postgresql://user:password@host:5432/dbname",
        )
    if migrate and not read_only:
        from cxlens.store.migrate import migrate as _migrate

        _migrate(wh)
    return wh
