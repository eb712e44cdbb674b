"""The money of one contract month, as pure functions (tested against hand-computed
statements): the fee from the pricing model, a verdict per KPI, credits with their cap,
bonuses with theirs, and earn-back of earlier credits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from cxlens.contracts.spec import Contract, Kpi, Pricing

Status = Literal["met", "missed", "not measurable"]


@dataclass(frozen=True)
class Actual:
    """A KPI's measured value in a month, with its sample size and 95 % interval."""

    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class Volume:
    contacts: float = 0
    resolved_contacts: float = 0
    minutes: float = 0


def fee(pricing: Pricing, volume: Volume) -> float:
    units = {"contact": volume.contacts, "resolved_contact": volume.resolved_contacts,
             "minute": volume.minutes}[pricing.unit]
    if pricing.model == "per_fte":
        return float(pricing.seats or 0) * float(pricing.seat_rate or 0)
    if pricing.model == "per_transaction":
        return units * float(pricing.rate or 0)
    if pricing.model == "outcome":
        return volume.resolved_contacts * float(pricing.rate or 0)
    return float(pricing.base or 0) + units * float(pricing.rate or 0)


def _known(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def verdict(contract: Contract, kpi: Kpi, actual: Actual) -> Status:
    """Met, missed or not measurable (too few cases, or no value). With ``uncertainty:
    confidence`` a KPI is missed only when its whole interval is on the wrong side."""
    minimum = kpi.min_sample or contract.min_sample
    if actual.n < minimum or not _known(actual.value):
        return "not measurable"
    higher = contract.direction(kpi) == "higher"
    value = float(actual.value)  # type: ignore[arg-type]
    if contract.uncertainty == "confidence":
        bound = actual.ci_high if higher else actual.ci_low
        if _known(bound):
            value = float(bound)  # type: ignore[arg-type]
    ok = value >= kpi.target if higher else value <= kpi.target
    return "met" if ok else "missed"


def stretched(contract: Contract, kpi: Kpi, actual: Actual, status: Status) -> bool:
    """Above the stretch target (on the point estimate) — only for a measurable KPI."""
    if kpi.stretch is None or status == "not measurable" or not _known(actual.value):
        return False
    value = float(actual.value)  # type: ignore[arg-type]
    higher = contract.direction(kpi) == "higher"
    return value >= kpi.stretch if higher else value <= kpi.stretch


@dataclass(frozen=True)
class Settlement:
    fee: float
    at_risk: float
    credits_before_cap: float
    credits: float  # after the cap
    bonuses_before_cap: float
    bonuses: float
    earned_back: float
    credit_by_kpi: dict[str, float]  # after the cap, pro rata
    bonus_by_kpi: dict[str, float]

    @property
    def adjusted_fee(self) -> float:
        return self.fee - self.credits + self.bonuses + self.earned_back

    @property
    def capped(self) -> bool:
        return self.credits < self.credits_before_cap - 1e-9


def settle(contract: Contract, fee_amount: float, statuses: dict[str, Status],
           stretch: dict[str, bool], earned_back: float = 0.0) -> Settlement:
    """Credits for misses (weight × at-risk amount, capped; the cap shrinks every KPI's
    credit in proportion) and bonuses for stretch targets (share of the fee, capped)."""
    at_risk = fee_amount * contract.at_risk
    raw = {k.name: at_risk * k.weight if statuses[k.name] == "missed" else 0.0
           for k in contract.kpis}
    cap = fee_amount * (contract.credit_cap if contract.credit_cap is not None
                        else contract.at_risk)
    total = sum(raw.values())
    scale = min(1.0, cap / total) if total > 0 else 1.0
    credits = {k: v * scale for k, v in raw.items()}
    bonus_raw = {k.name: fee_amount * k.bonus if stretch.get(k.name) else 0.0
                 for k in contract.kpis}
    bonus_total = sum(bonus_raw.values())
    bonus_cap = fee_amount * contract.bonus_cap if contract.bonus_cap is not None \
        else bonus_total
    bscale = min(1.0, bonus_cap / bonus_total) if bonus_total > 0 else 1.0
    return Settlement(fee=fee_amount, at_risk=at_risk, credits_before_cap=total,
                      credits=sum(credits.values()), bonuses_before_cap=bonus_total,
                      bonuses=bonus_total * bscale, earned_back=earned_back,
                      credit_by_kpi=credits, bonus_by_kpi={k: v * bscale
                                                           for k, v in bonus_raw.items()})


def earn_back(contract: Contract, earlier: Settlement | None,
              statuses_since: list[dict[str, Status]]) -> float:
    """Credits of the month ``earn_back_months`` ago whose KPI was met in every month since
    (``statuses_since``: those months, oldest first, ending with this one)."""
    n = contract.earn_back_months
    if not n or earlier is None or len(statuses_since) < n:
        return 0.0
    return sum(amount for kpi, amount in earlier.credit_by_kpi.items()
               if amount > 0 and all(s.get(kpi) == "met" for s in statuses_since[-n:]))
