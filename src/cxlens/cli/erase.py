"""cxlens erase: a customer's data, on request."""

from __future__ import annotations

from typing import Annotated

import typer

from cxlens.cli.output import console
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command()
    def erase(customer: Annotated[str, typer.Argument(help="The customer_id to erase.")],
              yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")]
              = False, db: DbOption = None) -> None:
        """Erase a customer's data from every table, as each table's policy says
        (docs/data-model.md): answers, invitations, cases and their history deleted, texts
        that quote them redacted, contact details emptied; then the database files are
        rewritten so the bytes are gone (logged in the audit log)."""
        from cxlens.erase import erase as run_erase

        if not yes and not typer.confirm(f"erase every answer and case of {customer}?"):
            raise typer.Exit(1)
        with open_warehouse(db) as wh:
            counts = run_erase(wh, customer)
        from cxlens.store import registry

        action = {t.name: t.personal.action for t in registry.tables() if t.personal}
        for verb, kind in (("deleted", "delete"), ("redacted", "redact")):
            rows = ", ".join(f"{v:,} {k}" for k, v in counts.items()
                             if v and action.get(k) == kind)
            if rows:
                console.print(f"{verb} for {customer}: {rows}", highlight=False)
        if not any(counts.values()):
            console.print(f"{customer}: nothing left to erase", highlight=False)
        console.print(counts.storage, highlight=False)
