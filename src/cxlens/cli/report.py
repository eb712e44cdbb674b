"""cxlens report: the CX scorecard as a self-contained HTML file and a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.options import FromOption, ToOption
from cxlens.cli.output import console
from cxlens.cli.progress import counted, working
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        start: FromOption = None,
        end: ToOption = None,
        grain: Annotated[str, typer.Option(help="Trend periods: week, month, quarter, year.")]
        = "month",
        out: Annotated[Path, typer.Option(help="HTML file to write (opens offline).")]
        = Path("report.html"),
        pdf: Annotated[Path | None, typer.Option(help="Also print a PDF here (Chromium).")]
        = None,
        vendor: Annotated[str | None, typer.Option(
            help="Only this vendor's rows (the report a vendor may see).")] = None,
        db: DbOption = None,
    ) -> None:
        """Write the CX report: executive summary, touchpoints, journey, vendors and sites,
        CSAT by ticket type, agent leaderboard, key drivers of CSAT, support-cohort NPS,
        initiative impact, customers (CLV, churn), comment themes, alerts, verbatims,
        definitions."""
        from cxlens import accounts
        from cxlens.present.filters import Filters
        from cxlens.reports.html import render_html, write_pdf
        from cxlens.reports.model import build_report

        params = {"from": start or "", "to": end or "", "grain": grain}
        with open_warehouse(db) as wh:
            with counted("computing the report") as step:
                model = build_report(wh, Filters.from_query(params), vendor,
                                     lambda s, done, total: step(s.doing, done, total))
            out.write_text(render_html(model), encoding="utf-8")
            accounts.ensure(wh)
            accounts.audit.record(wh, "cli", "export", f"report {out}"
                                  f"{f' vendor={vendor}' if vendor else ''}")
        console.print(f"report written to {out}", highlight=False)
        if pdf is not None:
            with working("printing the PDF with Chromium"):
                size = write_pdf(out, pdf, numbered=True)
            console.print(f"PDF written to {pdf} ({size / 1024:,.0f} KiB)", highlight=False)
