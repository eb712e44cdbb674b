"""Long commands say they are working: a spinner with what is being done and the time elapsed,
on stderr (results and JSON on stdout stay clean), and only when stderr is a terminal (logs
and pipes get nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cxlens.cli.output import err_console


@contextmanager
def working(what: str, console: Console | None = None) -> Iterator[None]:
    """Show ``what`` with a spinner and the elapsed time until the block ends."""
    out = console or err_console
    if not out.is_terminal:
        yield
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=out, transient=True) as bar:
        bar.add_task(what, total=None)
        yield
