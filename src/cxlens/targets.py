"""Targets of headline figures and whether a figure meets one: met, at risk or missed.

Where a target comes from: with a vendor chosen, that vendor's contract when it holds a KPI on
the metric for the vendor as a whole (no ``where`` on the KPI, no site or scope on the
contract) — the number the vendor is paid against; otherwise the warehouse's own target, set
on the admin settings page and kept in ``cxlens_meta`` as ``target.METRIC`` with its "at risk"
margin as ``target_margin.METRIC`` (both in the metric's unit).

The status, for a figure that is better when higher (mirrored when lower is better):

- **missed** — the figure is below the target;
- **at risk** — the figure meets the target, but its 95 % interval reaches below it, or the
  figure is within the margin above it (target ≤ figure ≤ target + margin);
- **met** — the figure meets the target by more than the margin and its whole interval is
  on the target's good side.

So a figure that only meets its target by noise, or by less than the margin, is not called
met. A figure without a value (no data) has no status.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cxlens.contracts.spec import Contract
from cxlens.contracts.store import contracts
from cxlens.errors import ConfigError
from cxlens.store import meta
from cxlens.store.base import Warehouse

Status = Literal["met", "at risk", "missed"]
#: The overview's headline metrics: the figures a target can be set for.
HEADLINE = ("nps:relational", "csat", "ces", "fcr", "response_rate")
TARGET, MARGIN = "target.", "target_margin."


@dataclass(frozen=True)
class Target:
    """A target in the metric's unit, the at-risk margin, which side is good and where the
    target comes from ("settings" or "contract NAME")."""

    value: float
    margin: float
    higher_is_better: bool
    source: str


def stored(wh: Warehouse, metric: str) -> tuple[float | None, float | None]:
    """The warehouse's own (target, margin) for ``metric``; None where not set."""
    return _float(meta.get(wh, TARGET + metric)), _float(meta.get(wh, MARGIN + metric))


def _float(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def store(wh: Warehouse, metric: str, target: str, margin: str) -> None:
    """Keep (or, given empty text, remove) ``metric``'s target and margin (call inside the
    change's transaction). Refuses text that is not a number, and a negative margin."""
    for what, text in (("target", target), ("margin", margin)):
        if text.strip():
            value = _float(text.strip())
            if value is None or not math.isfinite(value):
                raise ConfigError(f"the {what} of {metric} must be a number, not {text!r}",
                                  "write it in the metric's unit, e.g. 80 for 80 %")
            if what == "margin" and value < 0:
                raise ConfigError(f"the at-risk margin of {metric} is negative ({text})",
                                  "give a margin of 0 or more, in the metric's unit")
    for key, text in ((TARGET + metric, target), (MARGIN + metric, margin)):
        if text.strip():
            meta.put(wh, key, text.strip())
        else:
            wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [key])


def target(wh: Warehouse, metric: str, higher_is_better: bool, vendor: str | None = None,
           saved: Sequence[Contract] | None = None) -> Target | None:
    """``metric``'s target: ``vendor``'s contract KPI when there is one, else the setting.
    ``saved``: the warehouse's contracts when already read (several targets at once)."""
    value, margin = stored(wh, metric)
    if vendor:
        for contract in contracts(wh) if saved is None else saved:
            if contract.vendor != vendor or contract.site or contract.scope:
                continue
            for kpi in contract.kpis:
                if kpi.metric == metric and not kpi.where:
                    return Target(kpi.target, margin or 0.0,
                                  contract.direction(kpi) == "higher",
                                  f"contract {contract.label}")
    if value is None:
        return None
    return Target(value, margin or 0.0, higher_is_better, "settings")


def status(value: float | None, low: float | None, high: float | None,
           goal: Target) -> Status | None:
    """Met, at risk or missed (module docstring); None without a value."""
    if value is None:
        return None
    sign = 1.0 if goal.higher_is_better else -1.0
    ahead = sign * (value - goal.value)  # how far on the good side
    if ahead < 0:
        return "missed"
    worst = low if goal.higher_is_better else high  # the interval's end nearest a miss
    crosses = worst is not None and sign * (worst - goal.value) < 0
    return "at risk" if crosses or ahead <= goal.margin else "met"
