"""Alert rules as data: which metric, split by what, judged how (docs/alerts.md).

Four checks, each on the last complete month before the check's moment ("as of"):

- ``threshold``: the figure is below ``below`` or above ``above`` (the point value).
- ``sla``: the figure misses ``target`` on the metric's bad side; by default only when the
  whole 95 % interval misses it (``miss: confidence``), or on the point (``miss: point``).
- ``control``: the month is outside its control limits computed from the ``baseline_months``
  before it — Laney p′ for rates, ±``sigmas`` standard errors for NPS and means.
- ``drift``: the last ``months`` months against the ``months`` before them, a significant change
  (Benjamini–Hochberg across the rule's segments at ``alpha``) for the worse of at least
  ``min_change`` (display units).
- ``emerging``: a theme of comments (the latest ``cxlens themes track`` run) that is new, or
  whose share of the month's comments rose significantly against the ``months`` before
  (Benjamini–Hochberg across themes at ``alpha``, at least ``min_change`` points;
  :mod:`cxlens.alerts.emerging`). It needs no ``metric``, ``by`` or ``where``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxlens.errors import NotFound, did_you_mean
from cxlens.specfile import parse_yaml

HINT = "see docs/alerts.md for the fields of an alert rule (or cxlens alerts rules --example)"
CHECKS = ("threshold", "sla", "control", "drift", "emerging")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Model):
    name: str = Field(description="Unique name; alerts are kept per rule and segment.")
    metric: str = Field(default="", description="Any metric of the catalogue, e.g. fcr, "
                        "csat, nps:relational, service_level (not for emerging).")
    by: tuple[str, ...] = Field(default=(), description="Segment by these attributes, e.g. "
                                "[vendor]; empty: the whole population.")
    where: str | None = Field(default=None, description="SQL filter on the metric's table.")
    check: Literal["threshold", "sla", "control", "drift", "emerging"]
    below: float | None = Field(default=None, description="threshold: alert below this.")
    above: float | None = Field(default=None, description="threshold: alert above this.")
    target: float | None = Field(default=None, description="sla: the target.")
    miss: Literal["confidence", "point"] = Field(
        default="confidence", description="sla: a miss needs the whole interval on the wrong "
        "side of the target (confidence) or only the figure (point).")
    baseline_months: int = Field(default=12, ge=3, le=36,
                                 description="control: months before the one judged.")
    sigmas: float = Field(default=3.0, gt=0, description="control: width of the limits.")
    months: int = Field(default=3, ge=1, le=12,
                        description="drift: length of each of the two windows compared; "
                        "emerging: the months before the one judged.")
    alpha: float = Field(default=0.05, gt=0, lt=1,
                         description="drift, emerging: false-discovery rate.")
    min_change: float = Field(default=0.0, ge=0, description="drift, emerging: smallest change "
                              "worth an alert, in the metric's display units (emerging: "
                              "percentage points of share).")
    min_sample: int | None = Field(default=None, ge=1, description="Segments with fewer are "
                                   "not judged (default: the metric's own minimum sample; "
                                   "emerging: a theme's comments in the month, default 10).")
    email: tuple[str, ...] = Field(default=(), description="Recipients of this rule's alerts "
                                   "(added to the configuration's default recipients).")

    @model_validator(mode="after")
    def _check(self) -> Rule:
        problems = []
        if not _NAME.match(self.name):
            problems.append(f"rule name {self.name!r}: letters, digits, _ . - only")
        if self.check == "threshold" and self.below is None and self.above is None:
            problems.append(f"rule {self.name}: a threshold rule needs below or above")
        if self.check != "emerging" and not self.metric:
            problems.append(f"rule {self.name}: a {self.check} rule needs a metric")
        if self.check == "emerging" and (self.metric or self.by or self.where):
            problems.append(f"rule {self.name}: an emerging rule judges the comment themes; "
                            "leave out metric, by and where")
        if self.check == "sla" and self.target is None:
            problems.append(f"rule {self.name}: an sla rule needs a target")
        problems += [f"rule {self.name}: {a!r} is not an e-mail address"
                     for a in self.email if not _EMAIL.match(a)]
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Config(_Model):
    email: tuple[str, ...] = Field(default=(), description="Default recipients of every alert "
                                   "(sent through the SMTP server of the survey configuration's "
                                   "delivery: email:).")
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Config:
        names = [r.name for r in self.rules]
        twice = sorted({n for n in names if names.count(n) > 1})
        problems = [f"rule name {n!r} is used twice" for n in twice]
        problems += [f"{a!r} is not an e-mail address" for a in self.email
                     if not _EMAIL.match(a)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        names = [r.name for r in self.rules]
        raise NotFound(f"no alert rule {name!r}.{did_you_mean(name, names)}",
                       "cxlens alerts rules lists them")


def parse(text: str, where: str = "the alert rules") -> Config:
    return parse_yaml(text, Config, where, HINT)
