"""cxlens statement: a vendor's monthly statement under its contract."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.contracts import ContractsOption, contracts_for, parse_month
from cxlens.cli.output import console, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse


class StatementFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("statement")
    def statement_cmd(
        vendor: Annotated[str, typer.Argument(help="Vendor, as in interactions.vendor.")],
        month: Annotated[str, typer.Option(help="Month, YYYY-MM.")],
        contracts: ContractsOption = None,
        fmt: Annotated[StatementFormat, typer.Option(
            "--format", help="html (self-contained), pdf (Chromium), csv or json.")]
        = StatementFormat.html,
        out: Annotated[Path | None, typer.Option(
            help="File to write (default: statement-VENDOR-MONTH.EXT; csv/json: stdout).")]
        = None,
        db: DbOption = None,
    ) -> None:
        """The vendor's monthly statement: each KPI's actual with n and interval against
        its target, met / missed / not measurable, credits (capped), bonuses, earn-back,
        the adjusted fee, the last twelve months, and support-cohort NPS as brand health."""
        from cxlens.contracts.statement import statement
        from cxlens.present import statement as render

        with open_warehouse(db) as wh:
            s = statement(wh, contracts_for(contracts, wh), vendor, parse_month(month))
        if fmt is StatementFormat.json and out is None:
            emit_json(s.as_dict())
            return
        if fmt is StatementFormat.csv and out is None:
            sys.stdout.write(render.csv_text(s))
            return
        slug = "".join(ch if ch.isalnum() else "-" for ch in vendor.lower()).strip("-")
        target = out or Path(f"statement-{slug}-{s.month:%Y-%m}.{fmt.value}")
        if fmt is StatementFormat.csv:
            target.write_text(render.csv_text(s), encoding="utf-8")
        elif fmt is StatementFormat.json:
            import json

            target.write_text(json.dumps(s.as_dict(), indent=2, default=str), encoding="utf-8")
        elif fmt is StatementFormat.html:
            target.write_text(render.html(s), encoding="utf-8")
        else:
            from cxlens.reports.html import write_pdf

            page = target.with_suffix(".html")
            page.write_text(render.html(s), encoding="utf-8")
            write_pdf(page, target)
        console.print(f"statement written to {target}", highlight=False)
