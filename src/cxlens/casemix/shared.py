"""One case-mix table per warehouse, data version and period, shared by everything that
shows it: every agent page of a period and every vendor's statement of a quarter read the
same fit (two GLMs over every contact of the period: ~15 s on the scale-1 demo), so it is
computed once, by whichever thread asks first, while the others wait for it instead of
fitting it again (the dashboard's pre-computation and a request may ask at the same time)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from cxlens.casemix import cherry_picking
from cxlens.casemix.agents import When
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version

#: Tables kept (a period each: the agent pages' year, a few statement quarters).
ENTRIES = 8


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    table: pd.DataFrame | None = None


_slots: OrderedDict[tuple[str, ...], _Slot] = OrderedDict()
_guard = threading.Lock()


def agents_table(wh: Warehouse, start: When, end: When) -> pd.DataFrame:
    """``cherry_picking(wh, start, end)`` for the default metrics, computed once per
    warehouse, data version and period (callers filter it; they must not change it)."""
    version = data_version(wh)
    if version == "0":  # no version stamped: nothing tells this warehouse's data apart
        return cherry_picking(wh, start, end)
    key = (wh.url, version, str(start), str(end))
    with _guard:
        slot = _slots.setdefault(key, _Slot())
        _slots.move_to_end(key)
        while len(_slots) > ENTRIES:
            _slots.popitem(last=False)
    with slot.lock:  # one fit per key: a second caller waits for the first one's table
        if slot.table is None:
            slot.table = cherry_picking(wh, start, end)
        return slot.table
