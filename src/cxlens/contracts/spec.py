"""Contracts with outsourced contact centres as data: one YAML file per vendor (or per vendor
and site / line of business) in a ``contracts/`` folder. ``load_folder`` reports every problem
of every file at once.

Money, in the words of a BPO contract: the monthly **fee** comes from the pricing model; a share
of it is **at risk**; each KPI carries a **weight** — its share of the at-risk amount that is
credited back to the client when the KPI is missed; credits are **capped**; a KPI above its
**stretch** target earns a **bonus** (a share of the fee); a credit is **earned back** when the
KPI is met in each of the following ``earn_back_months`` months. A KPI measured on fewer than
``min_sample`` cases is *not measurable* — never a miss."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.specfile import parse_yaml, read

HINT = "see docs/contracts.md for every field and docs/examples/contracts/ for examples"
#: KPI sources outside the metric catalogue.
QA_SCORE = "qa_score"
#: Metrics that depend on product and price as much as on the vendor: allowed as targets,
#: but the statement says so.
BRAND_METRICS = ("nps",)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pricing(_Model):
    model: Literal["per_fte", "per_transaction", "outcome", "hybrid"] = Field(
        description="per_fte: seats × seat_rate; per_transaction: units × rate; outcome: "
        "resolved contacts × rate; hybrid: base + units × rate.")
    seats: float | None = Field(default=None, ge=0, description="Seats (FTE), per_fte.")
    seat_rate: float | None = Field(default=None, ge=0, description="Monthly rate per seat.")
    unit: Literal["contact", "resolved_contact", "minute"] = Field(
        default="contact", description="What a transaction is (per_transaction, hybrid).")
    rate: float | None = Field(default=None, ge=0, description="Price per unit or outcome.")
    base: float | None = Field(default=None, ge=0, description="Fixed monthly fee, hybrid.")

    @model_validator(mode="after")
    def _complete(self) -> Pricing:
        need = {"per_fte": ("seats", "seat_rate"), "per_transaction": ("rate",),
                "outcome": ("rate",), "hybrid": ("base", "rate")}[self.model]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"pricing model {self.model} needs {', '.join(missing)}")
        return self


class Kpi(_Model):
    name: str = Field(description="Short name shown on the statement, e.g. csat_billing.")
    metric: str = Field(description="A catalogue metric (cxlens metrics), with :variant if "
                        "needed, or qa_score.")
    target: float = Field(description="The contractual target, in the metric's unit "
                          "(percent 0–100, seconds, points).")
    direction: Literal["higher", "lower"] | None = Field(
        default=None, description="Better when higher or lower (default: the metric's).")
    weight: float = Field(default=0, ge=0, le=1,
                          description="Share of the at-risk amount credited when missed.")
    where: str | None = Field(default=None, description="Segment filter (SQL on the metric's "
                              "table), e.g. category = 'billing'.")
    stretch: float | None = Field(default=None, description="Stretch target for the bonus.")
    bonus: float = Field(default=0, ge=0, le=1, description="Share of the fee paid as bonus "
                         "when the stretch target is reached.")
    min_sample: int | None = Field(default=None, ge=1, description="Below this n the KPI is "
                                   "not measurable (default: the contract's).")

    @model_validator(mode="after")
    def _check(self) -> Kpi:
        if not _NAME.match(self.name):
            raise ValueError(f"KPI name {self.name!r} must be lower-case letters, digits or _")
        if self.bonus and self.stretch is None:
            raise ValueError(f"KPI {self.name}: a bonus needs a stretch target")
        if self.metric != QA_SCORE:
            try:
                resolve(self.metric)
            except NotFound as exc:
                raise ValueError(f"KPI {self.name}: {exc.message}") from None
        return self


class Contract(_Model):
    vendor: str = Field(description="Vendor, as in interactions.vendor.")
    site: str | None = Field(default=None, description="Only this site of the vendor.")
    scope: str | None = Field(default=None, description="Line of business: a SQL filter on "
                              "the interactions, e.g. category IN ('billing', 'returns').")
    name: str | None = Field(default=None, description="Label (default: vendor [/ site]).")
    start: dt.date | None = Field(default=None, description="First month of the contract "
                                  "(earlier months are left out of statements).")
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    period: Literal["month"] = "month"
    pricing: Pricing
    at_risk: float = Field(ge=0, le=1, description="Share of the monthly fee at risk.")
    credit_cap: float | None = Field(default=None, ge=0, le=1, description="Credits per month "
                                     "at most this share of the fee (default: at_risk).")
    bonus_cap: float | None = Field(default=None, ge=0, le=1,
                                    description="Bonuses per month at most this share.")
    earn_back_months: int = Field(default=0, ge=0, le=12, description="A credit comes back "
                                  "when the KPI is met in each of the next N months (0: never).")
    uncertainty: Literal["point", "confidence"] = Field(
        default="point", description="point: the estimate decides; confidence: a miss only "
        "when the whole 95 % interval is on the wrong side of the target.")
    min_sample: int = Field(default=30, ge=1)
    kpis: tuple[Kpi, ...]

    @model_validator(mode="after")
    def _check(self) -> Contract:
        if not self.kpis:
            raise ValueError("a contract needs at least one KPI under kpis:")
        names = [k.name for k in self.kpis]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"KPI names must be unique: {', '.join(dupes)}")
        total = sum(k.weight for k in self.kpis)
        if total > 1 + 1e-9:
            raise ValueError(f"the KPI weights add up to {total:g}: they are shares of the "
                             "at-risk amount, so at most 1")
        return self

    @property
    def label(self) -> str:
        return self.name or (f"{self.vendor} / {self.site}" if self.site else self.vendor)

    def direction(self, kpi: Kpi) -> Literal["higher", "lower"]:
        if kpi.direction:
            return kpi.direction
        if kpi.metric == QA_SCORE:
            return "higher"
        return "lower" if resolve(kpi.metric).higher_is_better is False else "higher"


def _metric_problems(contract: Contract, where: str) -> list[str]:
    known = catalogue()
    problems = []
    for i, kpi in enumerate(contract.kpis):
        if kpi.metric == QA_SCORE:
            continue
        metric = resolve(kpi.metric, known)  # (the model checked the name)
        if kpi.direction is None and metric.higher_is_better is None:
            problems.append(f"{where}: kpis.{i} ({kpi.name}): {kpi.metric} has no better "
                            "direction; say direction: higher or lower")
    return problems


def parse(text: str, where: str = "contract.yaml") -> Contract:
    contract = parse_yaml(text, Contract, where, HINT)
    problems = _metric_problems(contract, where)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s): " + "; ".join(problems), HINT)
    return contract


def scope_clashes(contracts: list[Contract]) -> list[str]:
    """One problem per pair of contracts for the same vendor, site and scope."""
    problems = []
    seen: dict[tuple[str, str | None, str | None], str] = {}
    for c in contracts:
        key = (c.vendor, c.site, c.scope)
        if key in seen:
            problems.append(f"two contracts for {c.label} with the same scope: "
                            f"{seen[key]} and {c.label}")
        seen[key] = c.label
    return problems


def load_folder(folder: str | Path) -> list[Contract]:
    """Every ``*.yaml`` / ``*.yml`` contract in ``folder`` (or one file); every problem of
    every file reported at once."""
    path = Path(folder)
    files = [path] if path.is_file() else sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    if not files:
        raise ConfigError(f"no contracts in {path}", f"put one YAML file per contract there; "
                          f"{HINT}")
    contracts, problems = [], []
    for file in files:
        text = read(file, "contract", HINT)
        try:
            contracts.append(parse(text, str(file)))
        except ConfigError as exc:
            problems.append(exc.message)
    problems += scope_clashes(contracts)
    if problems:
        raise ConfigError(" | ".join(problems), HINT)
    return contracts


def for_vendor(contracts: list[Contract], vendor: str) -> list[Contract]:
    found = [c for c in contracts if c.vendor == vendor]
    if not found:
        raise NotFound(f"no contract for vendor {vendor!r}."
                       f"{did_you_mean(vendor, sorted({c.vendor for c in contracts}))}",
                       "cxlens contracts check lists the contracts")
    return found
