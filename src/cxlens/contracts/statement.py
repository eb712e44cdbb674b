"""A vendor's monthly statement: for each of its contracts, every KPI's actual with n and
interval against the target, the verdict, credit or bonus, the adjusted fee, and the last
twelve months; beside it, the support-cohort NPS of the vendor's customers as brand health
(never a penalty)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from cxlens.contracts import cherry, measure, money
from cxlens.contracts.money import Actual, Settlement, Status, Volume
from cxlens.contracts.spec import BRAND_METRICS, QA_SCORE, Contract, Kpi, for_vendor
from cxlens.dates import utc
from cxlens.errors import ConfigError
from cxlens.insights.cohorts import WINDOW_DAYS, answers, contacts_before
from cxlens.metrics.catalogue import resolve
from cxlens.stats.nps import nps_interval
from cxlens.store.base import Warehouse

YEAR = 12
BRAND_WARNING = ("NPS depends on product, pricing and brand as much as on the vendor's "
                 "service: treat it as brand health, not as the vendor's performance.")
COHORT_DAYS = WINDOW_DAYS  # the support-cohort window of cxlens.insights.cohorts


@dataclass(frozen=True)
class KpiLine:
    kpi: Kpi
    label: str
    unit: str
    direction: str
    actual: Actual
    status: Status
    stretch: bool
    credit: float
    bonus: float
    warning: str | None = None


@dataclass(frozen=True)
class ContractMonth:
    contract: Contract
    month: dt.date
    volume: Volume
    lines: tuple[KpiLine, ...]
    settlement: Settlement


@dataclass(frozen=True)
class Statement:
    vendor: str
    month: dt.date
    current: tuple[ContractMonth, ...]  # one per contract of the vendor
    year: tuple[tuple[ContractMonth, ...], ...]  # per contract, the last 12 months
    brand: Actual  # support-cohort NPS (points), quarter ending with the month
    warnings: tuple[str, ...] = field(default_factory=tuple)
    cherry: cherry.CherryCheck | None = None  # agents picking easy tickets, that quarter

    def as_dict(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "month": self.month.isoformat(),
                "contracts": [_month_dict(m) for m in self.current],
                "year": [[_month_dict(m, lines=False) for m in months]
                         for months in self.year],
                "brand_health": {"metric": "support-cohort NPS", "value": self.brand.value,
                                 "n": self.brand.n, "ci_low": self.brand.ci_low,
                                 "ci_high": self.brand.ci_high,
                                 "window": f"{COHORT_DAYS} days of support contact before "
                                           "each relational NPS answer of the quarter"},
                "cherry_picking": self.cherry.as_dict() if self.cherry else None,
                "warnings": list(self.warnings)}


def _label_unit(kpi: Kpi) -> tuple[str, str]:
    if kpi.metric == QA_SCORE:
        return "QA score", "score"
    metric = resolve(kpi.metric)
    return metric.label, metric.unit


def evaluate(wh: Warehouse, contract: Contract, months: list[dt.date],
             qa: measure.QaSource | None = None) -> list[ContractMonth]:
    """The contract month by month (oldest first); earn-back needs the months before."""
    actuals = measure.actuals(wh, contract, months, qa)
    volumes = measure.volumes(wh, contract, months)
    out: list[ContractMonth] = []
    statuses: list[dict[str, Status]] = []
    for i, month in enumerate(months):
        lines, st, stretch = [], {}, {}
        for kpi in contract.kpis:
            actual = actuals[(kpi.name, month)]
            st[kpi.name] = money.verdict(contract, kpi, actual)
            stretch[kpi.name] = money.stretched(contract, kpi, actual, st[kpi.name])
        statuses.append(st)
        k = contract.earn_back_months
        earlier = out[i - k].settlement if k and i >= k else None
        back = money.earn_back(contract, earlier, statuses[i - k + 1:i + 1] if k else [])
        fee = money.fee(contract.pricing, volumes[month])
        settlement = money.settle(contract, fee, st, stretch, back)
        for kpi in contract.kpis:
            label, unit = _label_unit(kpi)
            base = kpi.metric.split(":")[0]
            lines.append(KpiLine(kpi, label, unit, contract.direction(kpi),
                                 actuals[(kpi.name, month)], st[kpi.name], stretch[kpi.name],
                                 settlement.credit_by_kpi[kpi.name],
                                 settlement.bonus_by_kpi[kpi.name],
                                 BRAND_WARNING if base in BRAND_METRICS else None))
        out.append(ContractMonth(contract, month, volumes[month], tuple(lines), settlement))
    return out


def statement(wh: Warehouse, contracts: list[Contract], vendor: str, month: dt.date,
              qa: measure.QaSource | None = None) -> Statement:
    month = month.replace(day=1)
    mine = for_vendor(contracts, vendor)
    year = []
    for contract in mine:
        months = measure.months_back(month, YEAR + contract.earn_back_months)
        if contract.start:
            months = [m for m in months if m >= contract.start.replace(day=1)]
        if month not in months:
            raise ConfigError(f"the contract {contract.label} starts on {contract.start}, "
                              f"after {month:%Y-%m}", "ask for a month from its start on")
        year.append(tuple(evaluate(wh, contract, months, qa)[-YEAR:]))
    warnings = sorted({line.warning for months in year for line in months[-1].lines
                       if line.warning})
    return Statement(vendor, month, tuple(m[-1] for m in year), tuple(year),
                     support_cohort_nps(wh, vendor, month), tuple(warnings),
                     cherry.check(wh, vendor, month))


def support_cohort_nps(wh: Warehouse, vendor: str, month: dt.date) -> Actual:
    """Relational NPS (the catalogue's ``nps:relational``), in the quarter ending with
    ``month``, of customers whose latest support contact in the 90 days before answering was
    handled by ``vendor``."""
    start = measure.months_back(month, 3)[0]
    end = measure.month_end(month) + dt.timedelta(days=1)
    j = contacts_before(wh, answers(wh, utc(start), utc(end)), COHORT_DAYS)
    j = j.filter(j.interaction_id.notnull())
    latest = ibis.window(group_by=j._rid, order_by=[ibis.desc(j.created_at),
                                                    ibis.desc(j.interaction_id)])
    j = j.mutate(_rn=ibis.row_number().over(latest))
    j = j.filter((j._rn == 0) & (j.vendor == vendor))
    got = j.aggregate(n=j.count(), pos=j._pos.sum(), neg=j._neg.sum()).to_pandas()
    n, promoters, detractors = (int(0 if pd.isna(x) else x) for x in got.iloc[0])
    if not n:
        return Actual(None, 0)
    value, lo, hi = nps_interval(promoters, detractors, n)
    return Actual(float(value), n, float(lo), float(hi))


def _month_dict(m: ContractMonth, lines: bool = True) -> dict[str, Any]:
    s = m.settlement
    out: dict[str, Any] = {
        "contract": m.contract.label, "month": m.month.isoformat(),
        "currency": m.contract.currency, "fee": s.fee, "at_risk": s.at_risk,
        "credits_before_cap": s.credits_before_cap, "credits": s.credits,
        "credit_capped": s.capped, "bonuses": s.bonuses, "earned_back": s.earned_back,
        "adjusted_fee": s.adjusted_fee,
        "volume": {"contacts": m.volume.contacts,
                   "resolved_contacts": m.volume.resolved_contacts,
                   "minutes": m.volume.minutes},
        "status": {line.kpi.name: line.status for line in m.lines}}
    if lines:
        out["kpis"] = [{"name": line.kpi.name, "metric": line.kpi.metric, "label": line.label,
                        "unit": line.unit, "direction": line.direction,
                        "target": line.kpi.target, "stretch": line.kpi.stretch,
                        "weight": line.kpi.weight, "value": line.actual.value,
                        "n": line.actual.n, "ci_low": line.actual.ci_low,
                        "ci_high": line.actual.ci_high, "status": line.status,
                        "stretch_met": line.stretch, "credit": line.credit,
                        "bonus": line.bonus, "warning": line.warning} for line in m.lines]
    return out
