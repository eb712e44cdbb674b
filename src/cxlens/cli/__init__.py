"""The ``cxlens`` command line. One module per command or command group, named after it
(``import_`` for ``import``); each imports pandas, ibis and the domain only inside its
commands, so ``cxlens --help`` starts at once. Errors print without a traceback, with the fix,
and exit with status 2."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from cxlens.cli import (
    alerts,
    backup,
    casemix,
    cases,
    churn_risk,
    clv,
    cohorts,
    compare,
    contracts,
    demo,
    docs,
    drivers,
    erase,
    export_lake,
    impact,
    import_,
    metrics,
    moved,
    presets,
    qa,
    quarantine,
    query,
    report,
    restore,
    schedule,
    sentiment,
    serve,
    statement,
    surveys,
    sync,
    tables,
    themes,
    users,
    validate,
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
for module in (
    import_, validate, quarantine, presets, tables, demo, docs, query, compare, metrics,
    schedule, export_lake, serve, users, report, surveys, cases, erase, casemix, contracts,
    statement, qa, clv, churn_risk, drivers, impact, moved, cohorts, alerts, sentiment,
    themes, sync, backup, restore,
):
    module.register(app)

def main() -> None:
    app()
