"""Case mix: complexity-adjusted figures per agent and the cherry-picking check.

An agent who takes the easy tickets looks good on raw CSAT and AHT. cxlens fits a case-mix
model of the outcome on what the agent does not control (:mod:`cxlens.casemix.model`: ticket
type, channel, priority, product, language, customer segment, complexity), compares each
agent's observed figure with what the average agent would get on the same contacts (O/E, with
an interval), compares their ticket mix with their team's (Jensen–Shannon divergence and a χ²
test) and flags agents whose raw score is high only because their tickets are easy
(:mod:`cxlens.casemix.agents`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.casemix.agents import CHERRY_PICKING, COLUMNS, INSUFFICIENT, When, adjusted
from cxlens.dates import year_to_latest
from cxlens.store.base import Warehouse

#: The figures checked by default: handle time and satisfaction.
DEFAULT_METRICS = ("aht", "csat")


def period(wh: Warehouse, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """[first day, day after the last day) from inclusive ``--from``/``--to`` dates; by
    default the year up to the latest contact."""
    return year_to_latest(wh, "interactions", "created_at", start, end)


def cherry_picking(wh: Warehouse, start: When, end: When, *, where: str | None = None,
                   metrics: tuple[str, ...] = DEFAULT_METRICS) -> pd.DataFrame:
    """``adjusted`` for each metric, one table (a ``metric`` column tells them apart)."""
    frames = [adjusted(wh, m, start, end, where=where) for m in metrics]
    notes = [n for f in frames for n in f.attrs.get("notes", [])]
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.DataFrame(columns=COLUMNS)
    out.attrs["notes"] = notes
    return out


def flagged(table: pd.DataFrame) -> list[str]:
    """Agents flagged for cherry-picking on any metric, sorted."""
    return sorted(set(table.loc[table["flag"] == CHERRY_PICKING, "agent_id"]))


__all__ = ["CHERRY_PICKING", "COLUMNS", "DEFAULT_METRICS", "INSUFFICIENT", "adjusted",
           "cherry_picking", "flagged", "period"]
