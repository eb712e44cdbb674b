"""What a contract's KPIs and volumes were, month by month, through the metric layer (the
same definitions, intervals and minimum samples as every other figure in cxlens)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pandas as pd

from cxlens.contracts.money import Actual, Volume
from cxlens.contracts.spec import QA_SCORE, Contract, Kpi
from cxlens.metrics.query import query
from cxlens.qa import disputes
from cxlens.qa.scoring import quality_scores
from cxlens.sqltext import equals
from cxlens.store.base import Warehouse

#: Measures ``qa_score`` for (contract filter, first day, last day) → Actual; replaceable.
QaSource = Callable[[Warehouse, Contract, dt.date, dt.date], Actual]


def scope_filter(contract: Contract) -> str:
    own = {"vendor": contract.vendor} | ({"site": contract.site} if contract.site else {})
    parts = [equals(own)]
    if contract.scope:
        parts.append(f"({contract.scope})")
    return " AND ".join(parts)


def kpi_filter(contract: Contract, kpi: Kpi) -> str:
    base = scope_filter(contract)
    return f"{base} AND ({kpi.where})" if kpi.where else base


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def months_back(month: dt.date, count: int) -> list[dt.date]:
    """``count`` months ending with ``month`` (first days), oldest first."""
    out = [month.replace(day=1)]
    while len(out) < count:
        prev = out[0] - dt.timedelta(days=1)
        out.insert(0, prev.replace(day=1))
    return out


def latest_complete_month(wh: Warehouse, today: dt.date | None = None) -> dt.date:
    """The month a statement shows by default: the latest month with contacts, or the month
    before when that one is still running (or when there are no contacts)."""
    last = wh.scalar("SELECT max(created_at) FROM interactions")
    running = (today or dt.datetime.now(dt.UTC).date()).replace(day=1)
    before = months_back(running, 2)[0]
    if not isinstance(last, dt.datetime | dt.date):
        return before
    month = (last.date() if isinstance(last, dt.datetime) else last).replace(day=1)
    return before if month >= running else month


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _by_month(frame: pd.DataFrame) -> dict[tuple[str, dt.date], Actual]:
    out = {}
    records: list[Any] = list(frame.itertuples(index=False))
    for row in records:
        month = pd.Timestamp(row.period).date().replace(day=1)
        out[(str(row.metric), month)] = Actual(_num(row.value), int(row.n or 0),
                                               _num(row.ci_low), _num(row.ci_high))
    return out


def actuals(wh: Warehouse, contract: Contract, months: list[dt.date],
            qa: QaSource | None = None) -> dict[tuple[str, dt.date], Actual]:
    """Each KPI's actual per month (``Actual(None, 0)`` when nothing was measured)."""
    groups: dict[str, list[Kpi]] = defaultdict(list)
    for kpi in contract.kpis:
        if kpi.metric != QA_SCORE:
            groups[kpi_filter(contract, kpi)].append(kpi)
    first, last = months[0], month_end(months[-1])
    out: dict[tuple[str, dt.date], Actual] = {}
    for where, kpis in groups.items():
        frame = query(sorted({k.metric for k in kpis}), grain="month", start=first, end=last,
                      where=where, db=wh)
        found = _by_month(frame)
        for kpi in kpis:
            for month in months:
                out[(kpi.name, month)] = found.get((kpi.metric, month), Actual(None, 0))
    for kpi in contract.kpis:
        if kpi.metric == QA_SCORE:
            measure = qa or qa_actual
            for month in months:
                out[(kpi.name, month)] = measure(wh, contract, month, month_end(month))
    return out


def volumes(wh: Warehouse, contract: Contract, months: list[dt.date]) -> dict[dt.date, Volume]:
    """Contacts, resolved contacts and handled minutes per month, for the pricing."""
    where = scope_filter(contract)
    first, last = months[0], month_end(months[-1])
    frame = query(["contact_volume", "aht"], grain="month", start=first, end=last,
                  where=where, db=wh)
    resolved = query("contact_volume", grain="month", start=first, end=last,
                     where=f"{where} AND resolved", db=wh)
    got, done = _by_month(frame), _by_month(resolved)
    out = {}
    for month in months:
        contacts = got.get(("contact_volume", month), Actual(0, 0)).value or 0.0
        aht = got.get(("aht", month), Actual(None, 0))
        minutes = (aht.value or 0.0) * aht.n / 60
        out[month] = Volume(contacts, done.get(("contact_volume", month),
                                               Actual(0, 0)).value or 0.0, minutes)
    return out


def qa_actual(wh: Warehouse, contract: Contract, start: dt.date, end: dt.date) -> Actual:
    """Mean QA review score (0–100, Zendesk-QA scoring) of the contract's interactions
    reviewed in the period, with dispute decisions applied (as ``cxlens qa scores`` and the
    dashboard show them)."""
    by = ["vendor", "site"] if contract.site else ["vendor"]
    frame = quality_scores(wh, by=by, start=start, end=end,
                           source=disputes.effective_reviews_sql(wh))
    rows = frame[frame["vendor"] == contract.vendor]
    if contract.site:
        rows = rows[rows["site"] == contract.site]
    if rows.empty:
        return Actual(None, 0)
    row = rows.iloc[0]
    return Actual(_num(row["value"]), int(row["n"]), _num(row["ci_low"]), _num(row["ci_high"]))
