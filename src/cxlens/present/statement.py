"""A contract statement as self-contained HTML (printable to PDF with Chromium), its figures
through the one formatter, or as CSV rows (raw values). It lives in the presentation layer
because it formats; the statement itself is computed by :mod:`cxlens.contracts.statement`."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

import cxlens.contracts
from cxlens.contracts.statement import ContractMonth, Statement
from cxlens.csvsafe import rows_csv
from cxlens.format import interval, number

_TEMPLATES = Path(cxlens.contracts.__file__).with_name("templates")
_env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))


def money(amount: float, m: ContractMonth) -> str:
    return f"{amount:,.2f} {m.contract.currency}"


def html(s: Statement) -> str:
    return _env.get_template("statement.html").render(s=s, number=number, interval=interval,
                                                      money=money)


CSV_COLUMNS = ("vendor", "contract", "month", "currency", "kpi", "metric", "where", "value",
               "n", "ci_low", "ci_high", "direction", "target", "stretch", "weight", "status",
               "credit", "bonus", "fee", "credits", "bonuses", "earned_back", "adjusted_fee")


def csv_text(s: Statement) -> str:
    """One row per contract, month (the last twelve) and KPI, with the month's money."""
    rows: list[list[object]] = [list(CSV_COLUMNS)]
    for months in s.year:
        for m in months:
            st = m.settlement
            for line in m.lines:
                a = line.actual
                rows.append([s.vendor, m.contract.label, m.month.isoformat(),
                             m.contract.currency, line.kpi.name, line.kpi.metric,
                             line.kpi.where or "", a.value, a.n, a.ci_low, a.ci_high,
                             line.direction, line.kpi.target, line.kpi.stretch,
                             line.kpi.weight, line.status, round(line.credit, 2),
                             round(line.bonus, 2), round(st.fee, 2), round(st.credits, 2),
                             round(st.bonuses, 2), round(st.earned_back, 2),
                             round(st.adjusted_fee, 2)])
    return rows_csv(rows)
