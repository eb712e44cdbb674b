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


def test_seconds_on_duckdb_are_the_interval_epoch(duck: Warehouse) -> None:
    """DuckDB's seconds from epoch microseconds split into days and the rest (the fast form)
    are ``extract(epoch FROM (end - start))`` to the last bit: hand-picked pairs (fractional
    seconds, a leap day, end before start, equal, missing) and 20,000 random ones over ±500
    days with microseconds."""
    from cxlens.insights.drivers import _secs

    fast, plain = _secs("a", "b", "duckdb"), _secs("a", "b")
    assert "epoch_us" in fast and plain == "extract(epoch FROM (b - a))"
    pairs = [("2026-01-15 09:00:00.5", "2026-03-01 10:00:00.123456"),
             ("2026-03-01 10:00:00.123456", "2026-01-15 09:00:00.5"),
             ("2024-02-28 23:59:59.999999", "2024-03-01 00:00:00.000001"),
             ("2026-05-01 12:00:00", "2026-05-01 12:00:00"),
             ("2026-05-01 12:00:00", "2026-05-01 12:00:20")]
    for a, b in pairs:
        got, want = duck.query(f"SELECT {fast}, {plain} FROM (SELECT TIMESTAMPTZ '{a}+00' AS a, "
                               f"TIMESTAMPTZ '{b}+00' AS b)")[0]
        assert got == want
    assert duck.query(f"SELECT {fast} FROM (SELECT NULL::TIMESTAMPTZ AS a, now() AS b)") == \
        [(None,)]
    # 86,400.000002 s across the leap day; 20 s exactly
    assert duck.scalar(f"SELECT {fast} FROM (SELECT TIMESTAMPTZ '2024-02-28 23:59:59.999999+00'"
                       " AS a, TIMESTAMPTZ '2024-03-01 00:00:00.000001+00' AS b)") == 86400.000002
    differ = duck.scalar(
        "WITH t AS (SELECT make_timestamptz(1600000000000000 + (i * 7919 % 200000) * "
        "1000000007) AS a, (i * 104729 % 86400000) * 1000003 - 4000000000000 AS d "
        "FROM range(20000) r(i)) "
        f"SELECT count(*) FILTER (WHERE {fast} IS DISTINCT FROM {plain}) "
        "FROM (SELECT a, make_timestamptz(epoch_us(a) + d) AS b FROM t)")
    assert differ == 0
