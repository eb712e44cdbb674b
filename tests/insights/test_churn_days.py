"""The churn features' kept per-day aggregates (insights/churn/days.py, issue 18): after each
kind of import — a new day, contacts moved and changed in the past, answers and orders, new
customers, a bump that does not say what it changed — the features from the kept days equal
the SQL read's (the oracle: :mod:`cxlens.insights.churn.features`' query, run with nothing
kept), and only what the import touched was read again. A tie of two answers on one day is
worked by hand."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.insights.churn import days
from cxlens.insights.churn.features import features_at
from cxlens.store.base import Warehouse
from cxlens.store.duck import DuckDBWarehouse
from cxlens.store.migrate import bump_data_version

#: The demo's last day is 2026-09-30: training, holdout and scoring days as the page asks.
CUTS = [dt.date(2026, 4, 4), dt.date(2026, 7, 3), dt.date(2026, 10, 1)]
LATER = [c + dt.timedelta(days=1) for c in CUTS]


def _same_as_sql(wh: Warehouse, cuts: list[dt.date], monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept days' features equal the SQL read's on every day, exactly."""
    kept = features_at(wh, cuts, lean=cuts[:2])
    with monkeypatch.context() as m:
        m.setattr(days, "DIALECTS", ())  # nothing kept: the SQL read
        oracle = features_at(wh, cuts, lean=cuts[:2])
    for day in cuts:
        assert len(kept[day]) > 100
        pd.testing.assert_frame_equal(kept[day], oracle[day], check_exact=True)


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def copy(demo_db: str, tmp_path: Path) -> Warehouse:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return store.connect(str(path))


def test_kept_days_follow_every_kind_of_import(copy: Warehouse, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    wh = copy
    days.clear()
    start = days.counts.copy()
    _same_as_sql(wh, CUTS, monkeypatch)
    assert (days.counts - start)["built"] == 1
    who = [str(c) for (c,) in wh.query(
        "SELECT customer_id FROM customers WHERE acquired_at < '2026-01-01' "
        "AND churned_at IS NULL ORDER BY customer_id LIMIT 4")]
    old = [str(i) for (i,) in wh.query(
        "SELECT interaction_id FROM interactions WHERE customer_id IS NOT NULL "
        "AND created_at BETWEEN '2026-03-01' AND '2026-03-31' ORDER BY interaction_id LIMIT 3")]

    # a new day of contacts and answers, for the day after the last
    contacts = _csv(tmp_path / "day.csv", "interaction_id,customer_id,channel,created_at,"
                    "reopen_count,escalated,resolved\n" + "".join(
                        f"new{i},{c},chat,2026-10-01 0{i}:30,{i},true,false\n"
                        for i, c in enumerate(who)))
    answers = _csv(tmp_path / "answers.csv", "response_id,customer_id,survey,score,"
                   "responded_at\n" + "".join(f"nr{i},{c},nps,{i},2026-10-01 1{i}:00\n"
                                               for i, c in enumerate(who)))
    before = days.counts.copy()
    import_files(wh, "interactions", [contacts])
    import_files(wh, "survey_responses", [answers])
    _same_as_sql(wh, LATER, monkeypatch)
    assert days.counts - before == {"days read": 2}  # one per table, nothing built

    # contacts of March moved into May and changed (reopens, escalation), an answer of the
    # past rescored, an order of a customer in the window: the past is read again
    moved = _csv(tmp_path / "moved.csv", "interaction_id,customer_id,channel,created_at,"
                 "reopen_count,escalated,resolved\n" + "".join(
                     f"{i},{who[k]},email,2026-05-0{k + 1} 12:00,7,true,false\n"
                     for k, i in enumerate(old)))
    orders = _csv(tmp_path / "orders.csv", "order_id,customer_id,ordered_at,amount,status\n"
                  f"no1,{who[0]},2026-06-15 10:00,12.5,completed\n"
                  f"no2,{who[1]},2026-06-15 11:00,12.5,refunded\n")
    rescored = _csv(tmp_path / "rescored.csv", "response_id,customer_id,survey,score,"
                    f"responded_at\nnr1,{who[1]},nps,10,2026-06-20 09:00\n")
    before = days.counts.copy()
    for table, path in (("interactions", moved), ("orders", orders),
                        ("survey_responses", rescored)):
        import_files(wh, table, [path])
    _same_as_sql(wh, LATER, monkeypatch)
    assert days.counts - before == {"days read": 3}

    # a bump that does not say what it changed: that table is read again whole
    before = days.counts.copy()
    with wh.transaction():
        wh.execute("UPDATE interactions SET reopen_count = 3 WHERE interaction_id = ?",
                   [old[0]])
        bump_data_version(wh, ["interactions"])
    _same_as_sql(wh, LATER, monkeypatch)
    assert days.counts - before == {"table read": 1}

    # new customers renumber the rows: everything is built again
    people = _csv(tmp_path / "people.csv", "customer_id,acquired_at,segment\n"
                  "AAA-new,2026-01-05 00:00,smb\n")
    before = days.counts.copy()
    import_files(wh, "customers", [people])
    _same_as_sql(wh, LATER, monkeypatch)
    assert days.counts - before == {"built": 1}
    # and asked again with nothing changed, they are kept as they are
    before = days.counts.copy()
    features_at(wh, LATER)
    assert days.counts - before == {"kept": 1}


def test_the_last_answer_of_a_day_by_hand(duck: Warehouse) -> None:
    """Two NPS answers of one customer on one day: the later one is the last; at the same
    second, the larger response id. A last answer without a score counts as no answer."""
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    duck.insert_rows("customers", ["customer_id", "acquired_at"], [
        ("A", dt.datetime(2025, 1, 1, tzinfo=dt.UTC)), ("B", dt.datetime(2025, 1, 1,
                                                                         tzinfo=dt.UTC))])
    duck.insert_rows("survey_responses", ["response_id", "customer_id", "survey", "score",
                                          "responded_at"], [
        ("r1", "A", "nps", 9, at + dt.timedelta(hours=2)),  # A's last: later that day
        ("r2", "A", "nps", 2, at),
        ("r3", "B", "nps", 4, at), ("r4", "B", "nps", 6, at),  # same second: r4 is last
        ("r5", "B", "csat", None, at), ("r6", "B", "csat", 5, at - dt.timedelta(days=1)),
    ])
    with duck.transaction():
        bump_data_version(duck)  # versions stamped: the kept days are used
    start = days.counts.copy()
    got = features_at(duck, [dt.date(2026, 3, 3)])[dt.date(2026, 3, 3)].set_index(
        "customer_id")
    assert days.counts - start in ({"built": 1}, {"kept": 1})
    assert (got.loc["A", "last_nps"], got.loc["B", "last_nps"]) == (9.0, 6.0)
    assert (got.loc["B", "no_csat"], got.loc["B", "last_csat"]) == (1.0, 0.0)
    assert got.loc["A", "no_csat"] == 1.0
    assert math.isclose(got.loc["A", "tenure_years"], 426 / 365.25)  # 365 + 31 + 28 + 2 days


class _Interleaved(DuckDBWarehouse):
    """The demo's connection, where another connection imports a customer whose id sorts
    first (renumbering every customer's rows) right after the first Arrow read."""

    def __init__(self, wh: DuckDBWarehouse) -> None:
        super().__init__(wh.path, con=wh.con)
        self.other, self.done = wh.sibling(), False

    def query_arrow(self, sql: str, params: Sequence[object] = ()) -> pa.Table:
        out = super().query_arrow(sql, params)
        if not self.done:
            self.done = True
            with self.other.transaction():
                self.other.execute("INSERT INTO customers (customer_id, acquired_at) "
                                   "VALUES ('0-first', TIMESTAMPTZ '2025-01-01 00:00:00+00')")
                bump_data_version(self.other, ["customers"])
        return out


def test_an_import_during_the_build_is_not_half_seen(copy: Warehouse,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The build reads the customers and the rows per day in one snapshot: a customer
    imported between two of its reads is in neither, not in the numbering of one only."""
    assert isinstance(copy, DuckDBWarehouse)
    with monkeypatch.context() as m:
        m.setattr(days, "DIALECTS", ())
        before = features_at(copy, CUTS, lean=CUTS[:2])
    days.clear()
    during = features_at(_Interleaved(copy), CUTS, lean=CUTS[:2])
    for day in CUTS:
        pd.testing.assert_frame_equal(during[day], before[day], check_exact=True)
    start = days.counts.copy()
    _same_as_sql(copy, CUTS, monkeypatch)  # and the next read sees the customer
    assert days.counts - start == {"built": 1}
