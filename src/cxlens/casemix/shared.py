"""One case-mix table per warehouse, data version and period: every agent page of a period and
every vendor's statement of a quarter read the same fit (two GLMs over every contact of the
period: ~15 s of the first agent page's 21 s on the scale-1 demo), so it is made once
(:mod:`cxlens.store.shared`)."""

from __future__ import annotations

import pandas as pd

from cxlens.casemix import cherry_picking
from cxlens.casemix.agents import When
from cxlens.store.base import Warehouse
from cxlens.store.shared import shared


def agents_table(wh: Warehouse, start: When, end: When) -> pd.DataFrame:
    """``cherry_picking(wh, start, end)`` for the default metrics, shared (callers filter it;
    they must not change it)."""
    table: pd.DataFrame = shared(wh, ("casemix", str(start), str(end)),
                                 lambda: cherry_picking(wh, start, end))
    return table
