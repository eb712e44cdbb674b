"""Results kept while the tables they read keep their data version (store/memo.py, issue 18):
kept across changes of other tables, computed again when one of theirs or everything changes,
never kept on a warehouse without versions, and each caller given its own copy. The CLV fits
of the customers page are kept this way, by the orders' version."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxlens import store
from cxlens.store import memo
from cxlens.store.base import Warehouse
from cxlens.store.migrate import bump_data_version


def _bump(wh: Warehouse, tables: list[str] | None) -> None:
    with wh.transaction():
        bump_data_version(wh, tables)


def test_kept_while_its_tables_keep_their_version(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"n": [len(calls)]})

    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        memo.clear()
        first = memo.kept(wh, ["orders"], "k", compute)  # no version stamped yet
        assert len(calls) == 1 and memo.kept(wh, ["orders"], "k", compute).at[0, "n"] == 2
        _bump(wh, None)
        assert memo.kept(wh, ["orders"], "k", compute).at[0, "n"] == 3
        got = memo.kept(wh, ["orders"], "k", compute)
        assert got.at[0, "n"] == 3 and len(calls) == 3  # kept
        got.loc[0, "n"] = 99  # the caller's copy: what is kept does not change
        assert memo.kept(wh, ["orders"], "k", compute).at[0, "n"] == 3
        _bump(wh, ["interactions"])  # another table: still kept
        assert memo.kept(wh, ["orders"], "k", compute).at[0, "n"] == 3
        assert memo.kept(wh, ["orders"], "other key", compute).at[0, "n"] == 4
        _bump(wh, ["orders"])  # its own table
        assert memo.kept(wh, ["orders"], "k", compute).at[0, "n"] == 5
        _bump(wh, None)  # everything
        assert memo.kept(wh, ["orders"], "k", compute).at[0, "n"] == 6
        assert first.at[0, "n"] == 1


def test_clv_is_kept_by_the_orders_version(demo_db: str, tmp_path: Path) -> None:
    import shutil

    from cxlens.insights.clv import warehouse_value

    shutil.copy(demo_db, tmp_path / "d.duckdb")
    with store.connect(str(tmp_path / "d.duckdb")) as wh:
        memo.clear()
        start = memo.counts.copy()
        first = warehouse_value(wh, resamples=2)
        _bump(wh, ["interactions", "survey_responses"])
        again = warehouse_value(wh, resamples=2)
        assert memo.counts - start == {"computed": 1, "hit": 1}
        assert [c.value.mean.value for c in first if c.value] == [
            c.value.mean.value for c in again if c.value]
        _bump(wh, ["orders"])
        warehouse_value(wh, resamples=2)
        assert memo.counts - start == {"computed": 2, "hit": 1}
