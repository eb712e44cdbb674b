"""The key-driver rows read only the interaction attributes asked for (channel and category
always): each is a string column read and converted for every answer, seconds at 10 M."""

from __future__ import annotations

import pandas as pd

from cxlens.insights.drivers import fetch
from cxlens.store.base import Warehouse
from tests.insights.test_drivers import END, START, _world

BASE = ["response_id", "y", "no_contact", "fcr", "reopened", "escalated", "aht_s", "wait_s"]


def test_rows_carry_only_the_attributes_asked_for(wh: Warehouse) -> None:
    _world(wh)
    every = fetch(wh, "csat", START, END)
    lean = fetch(wh, "csat", START, END, segments=())
    assert list(lean.columns) == [*BASE, "channel", "category", "ces"]
    pd.testing.assert_frame_equal(lean, every[lean.columns])
    cut = fetch(wh, "csat", START, END, segments=("vendor",))
    assert list(cut.columns) == [*BASE, "vendor", "channel", "category", "ces"]
    assert cut.loc[cut["response_id"] == "R001", "vendor"].item() == "S1"  # the snapshot wins
    pd.testing.assert_frame_equal(cut, every[cut.columns])
    nps = fetch(wh, "nps", START, END, segments=("site",))
    assert list(nps.columns) == [*BASE, "site", "channel", "category", "ces"]
    assert len(nps) == 4
