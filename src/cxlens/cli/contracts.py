"""cxlens contracts check and cxlens statement: BPO contracts and monthly statements."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from cxlens import store
from cxlens.cli.common import DbOption, Format, FormatOption, console, emit, emit_json
from cxlens.errors import ConfigError

contracts_app = typer.Typer(help="Contracts with outsourced contact centres.",
                            no_args_is_help=True)
ContractsOption = Annotated[Path, typer.Option(
    "--contracts", envvar="CXLENS_CONTRACTS", show_envvar=True,
    help="Folder of contract YAML files (or one file).")]


class StatementFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    csv = "csv"
    json = "json"


def _month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:7] + "-01")
    except ValueError:
        raise ConfigError(f"--month {text!r} is not a month", "write it as YYYY-MM, "
                          "e.g. --month 2026-06") from None


def register(app: typer.Typer) -> None:
    app.add_typer(contracts_app, name="contracts")

    @app.command("statement")
    def statement_cmd(
        vendor: Annotated[str, typer.Argument(help="Vendor, as in interactions.vendor.")],
        month: Annotated[str, typer.Option(help="Month, YYYY-MM.")],
        contracts: ContractsOption = Path("contracts"),
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
        from cxlens.contracts import render
        from cxlens.contracts.spec import load_folder
        from cxlens.contracts.statement import statement

        cs = load_folder(contracts)
        with store.connect(db) as wh:
            s = statement(wh, cs, vendor, _month(month))
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


@contracts_app.command("check")
def check(
    contracts: ContractsOption = Path("contracts"),
    fmt: FormatOption = Format.table,
) -> None:
    """Validate the contract files (every problem at once) and list them."""
    from cxlens.contracts.spec import load_folder

    cs = load_folder(contracts)
    emit(pd.DataFrame([{
        "contract": c.label, "vendor": c.vendor, "site": c.site or "", "start": c.start,
        "pricing": c.pricing.model, "currency": c.currency, "at_risk": c.at_risk,
        "credit_cap": c.credit_cap if c.credit_cap is not None else c.at_risk,
        "earn_back_months": c.earn_back_months, "uncertainty": c.uncertainty,
        "kpis": ", ".join(f"{k.name} ({k.weight:g})" for k in c.kpis)} for c in cs]),
        fmt, f"{len(cs)} contract(s)")
