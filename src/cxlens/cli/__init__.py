"""The ``cxlens`` command line. One module per command group; errors print without a
traceback, with the fix, and exit with status 2."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from cxlens.cli import (
    alerts,
    casemix,
    contracts,
    customers,
    demo,
    docs,
    drivers,
    impact,
    ingest,
    inspect,
    lake,
    metrics,
    qa,
    report,
    schedule,
    surveys,
    text,
    web,
)
from cxlens.cli.output import err_console
from cxlens.errors import CxlensError


class _Group(TyperGroup):
    """Turns a CxlensError into a two-line message (what, fix) and exit status 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CxlensError as exc:
            err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False,
                              soft_wrap=True)
            if exc.hint:
                err_console.print(f"[bold]fix:[/] {exc.hint}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    name="cxlens",
    cls=_Group,
    help="Measure customer experience from your own data, with honest statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
ingest.register(app)
inspect.register(app)
demo.register(app)
docs.register(app)
metrics.register(app)
schedule.register(app)
lake.register(app)
web.register(app)
report.register(app)
surveys.register(app)
casemix.register(app)
contracts.register(app)
qa.register(app)
customers.register(app)
drivers.register(app)
impact.register(app)
alerts.register(app)
text.register(app)


def main() -> None:
    app()
