"""The warehouse a command works on (``--db`` / ``CXLENS_DB``), and the rule that only the
commands that bring data in may create one: a mistyped path is an error, not a new empty
warehouse that answers every question with nothing."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.errors import NotFound

if TYPE_CHECKING:
    from cxlens.handoff import Handoff
    from cxlens.store.base import Warehouse

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="CXLENS_DB", show_envvar=True,
                 help="Warehouse: a DuckDB file path (default ./cxlens.duckdb) or a "
                      "postgresql:// URL."),
]

# Commands that may create a DuckDB warehouse that does not exist yet (docs/cli.md says so).
CREATORS = ("demo", "import", "sync", "restore")


def missing_file(db: str | None) -> Path | None:
    """The DuckDB file ``db`` (default ``$CXLENS_DB`` or ``./cxlens.duckdb``) names when it does
    not exist; None when it exists or is not a DuckDB file (``:memory:``, Postgres, a lake)."""
    from cxlens import store

    path = store.duckdb_path(db or store.default_url())
    if path is None or path == ":memory:":
        return None
    file = Path(path).expanduser()
    return None if file.exists() else file


def _nearby(file: Path) -> str:
    """' Did you mean "other.duckdb"?' for a DuckDB file of a similar name in the same folder
    (names compared without the suffix, which they all share)."""
    folder = file.resolve().parent
    others = {p.stem: p.name for p in folder.glob("*.duckdb")} if folder.is_dir() else {}
    close = difflib.get_close_matches(file.stem, list(others), n=1, cutoff=0.6)
    return f' Did you mean "{folder / others[close[0]]}"?' if close else ""


def open_warehouse(db: str | None, *, create: bool = False) -> Warehouse:
    """Connect to ``db`` (default ``$CXLENS_DB`` or ``./cxlens.duckdb``). Unless ``create``, a
    DuckDB file that does not exist is an error naming the path and how to build one."""
    from cxlens import store

    file = None if create else missing_file(db)
    if file is not None:
        raise NotFound(
            f"no warehouse at {file.resolve()}.{_nearby(file)}",
            f"check the path (--db or CXLENS_DB; default ./cxlens.duckdb in the current "
            f"folder), or build it: cxlens demo --db {file}, or cxlens import TABLE FILE "
            f"--db {file}")
    return store.connect(db)


def handing_off(server: Handoff, what: str) -> None:
    """The one line (on stderr) that says a command's ``what`` (import, sync) runs in the
    server that holds the DuckDB file (cxlens.handoff); its output on stdout stays a local
    run's."""
    from cxlens.cli.output import err_console

    err_console.print(f"the warehouse is held by cxlens serve (process {server.pid}): the "
                      f"{what} runs there ({server.url})", highlight=False, soft_wrap=True)
