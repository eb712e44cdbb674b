"""The cherry-picking check on a vendor's statement: the vendor's agents whose raw handle time
or CSAT beats their team's only because their tickets are easier (:mod:`cxlens.casemix`), in
the quarter ending with the statement's month (a month is too few contacts per agent)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cxlens.casemix import CHERRY_PICKING, INSUFFICIENT
from cxlens.casemix.shared import agents_table
from cxlens.contracts import measure
from cxlens.store.base import Warehouse

WINDOW_MONTHS = 3
SHOWN = ("metric", "agent_id", "team", "n", "raw", "team_raw", "expected", "vs_team",
         "vs_team_ci_low", "vs_team_ci_high", "mix_js")


@dataclass(frozen=True)
class CherryCheck:
    start: dt.date
    last: dt.date
    checked: int  # the vendor's agents with enough contacts on at least one figure
    too_few: int  # the vendor's agents with too few on every figure
    flagged: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.last.isoformat(),
                "agents_checked": self.checked, "agents_too_few_contacts": self.too_few,
                "flagged": list(self.flagged)}


def check(wh: Warehouse, vendor: str, month: dt.date) -> CherryCheck:
    start = measure.months_back(month, WINDOW_MONTHS)[0]
    last = measure.month_end(month)
    table = agents_table(wh, start, last + dt.timedelta(days=1))  # shared by every vendor
    mine = table[table["vendor"] == vendor]
    enough = mine[mine["flag"] != INSUFFICIENT].groupby("agent_id").size()
    agents = set(mine["agent_id"])
    flagged = mine[mine["flag"] == CHERRY_PICKING]
    rows = tuple({str(k): (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                 for r in flagged[list(SHOWN)].to_dict("records"))
    return CherryCheck(start, last, len(enough), len(agents) - len(enough), rows)
