"""The case-mix rows come from the catalogue's definition: a derived column (the customer's
next contact) and a parameter (``window_days``, its default or the warehouse's stored value)
work, and a survey answer takes its contact's features and the snapshot's attribution.

Hand-worked world (June 2026): customer X contacts on days 1, 4 and 21, customer Y on day 2,
customer Z on day 3 (abandoned: outside the population). Repeat-contact FCR with a 7-day
window: X's day-1 contact is followed 3 days later (not resolved), day 4 by day 21 (17 days:
resolved), day 21 by nothing (resolved); Y resolved. With window_days = 20 stored, X's day-4
contact fails too.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.casemix import rows
from cxlens.store.base import Warehouse

T0 = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
START, END = "2026-06-01", "2026-07-01"
# (interaction, customer, day, abandoned, agent, team, category, complexity)
CONTACTS = [("I1", "X", 0, False, "A", "T1", "billing", 2.0),
            ("I2", "Y", 1, False, "B", "T1", "orders", 3.0),
            ("I3", "Z", 2, True, "A", "T1", "orders", 4.0),
            ("I4", "X", 3, False, "B", "T1", "orders", 5.0),
            ("I5", "X", 20, False, "A", "T1", "billing", 6.0)]


def _world(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "created_at",
                                    "abandoned_at", "channel", "agent_id", "team", "category",
                                    "complexity"],
                   [[i, c, T0 + dt.timedelta(days=d), T0 + dt.timedelta(days=d, minutes=1)
                     if ab else None, "phone", a, t, cat, cx]
                    for i, c, d, ab, a, t, cat, cx in CONTACTS])


def _y(frame: pd.DataFrame) -> dict[tuple[str, float], float]:
    return {(str(a), float(c)): float(y)
            for a, c, y in frame[["agent_id", "complexity", "y"]].to_numpy(object).tolist()}


def test_derived_column_and_parameter(wh: Warehouse) -> None:
    _world(wh)
    metric = rows.outcome("fcr:repeat_contact")
    got = rows.fetch(wh, metric, START, END)
    assert _y(got) == {("A", 2.0): 0.0, ("B", 3.0): 1.0, ("B", 5.0): 1.0, ("A", 6.0): 1.0}
    assert list(got["category"]) == ["billing", "orders", "orders", "billing"]  # in time order
    wh.execute("INSERT INTO cxlens_meta VALUES ('param.window_days', '20')")
    assert _y(rows.fetch(wh, metric, START, END)) == {
        ("A", 2.0): 0.0, ("B", 3.0): 1.0, ("B", 5.0): 0.0, ("A", 6.0): 1.0}


def test_an_answer_takes_its_contact_and_the_snapshot(wh: Warehouse) -> None:
    _world(wh)
    # R1 rates I1 with team T9 snapshotted when sent; R2 rates a contact not stored
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id", "team"],
                   [["R1", "csat", 5, 1, 5, T0 + dt.timedelta(hours=2), "I1", "T9"],
                    ["R2", "csat", 1, 1, 5, T0 + dt.timedelta(hours=3), "I404", None]])
    got = rows.fetch(wh, rows.outcome("csat"), START, END)
    assert got[["agent_id", "team", "category", "complexity", "y"]].values.tolist() == [
        ["A", "T9", "billing", 2.0, 1.0]]
    assert rows.fetch(wh, rows.outcome("csat"), START, END, "team = 'T1'").empty
