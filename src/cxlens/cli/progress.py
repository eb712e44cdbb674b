"""Long commands say they are working: a spinner with what is being done and the time elapsed,
on stderr (results and JSON on stdout stay clean), and only when stderr is a terminal (logs
and pipes get nothing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

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


#: Told each step: (what is being done, how many steps are done, how many in all).
Step = Callable[[str, int, int], None]


@contextmanager
def counted(what: str, console: Console | None = None) -> Iterator[Step]:
    """A bar counting steps ("Computing key drivers of CSAT ━━━━━ 7/14 0:00:21") on a
    terminal, updated by the function yielded; off a terminal, that function does nothing."""
    out = console or err_console
    if not out.is_terminal:
        yield lambda step, done, total: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=out,
                  transient=True) as bar:
        task = bar.add_task(what, total=None)

        def step(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)
            bar.refresh()

        yield step
