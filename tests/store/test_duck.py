"""DuckDB results reach Python in pieces (``FETCH_ROWS`` at a time, so no single conversion
holds the interpreter lock for long): the pieces add up to what DuckDB's own one-go
conversion gives, types included."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxlens import store
from cxlens.store.duck import FETCH_ROWS

#: Three pieces and a bit; the only null of each nullable column sits in the last piece, so
#: the first pieces alone would not be nullable.
N = 3 * FETCH_ROWS + 5
SQL = (f"SELECT i, CASE WHEN i = {N - 1} THEN NULL ELSE i % 7 END::INTEGER AS n, "
       f"CASE WHEN i = {N - 1} THEN NULL ELSE i % 2 = 0 END AS b, "
       f"CASE WHEN i = {N - 1} THEN NULL ELSE 'id-' || i END AS s, "
       "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i) AS at FROM range(?) t(i)")


def test_frame_in_pieces_equals_one_go(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    got = wh.query_df(SQL, [N])
    assert len(got) == N
    assert str(got["n"].dtype) == "Int32" and str(got["b"].dtype) == "boolean"
    assert got["s"].iloc[-1] is None and got["s"].iloc[FETCH_ROWS] == f"id-{FETCH_ROWS}"
    pd.testing.assert_frame_equal(got, wh.con.execute(SQL, [N]).df())


def test_empty_and_small_results(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    empty = wh.query_df(SQL, [0])
    assert list(empty.columns) == ["i", "n", "b", "s", "at"] and len(empty) == 0
    assert wh.query_df("SELECT 1 AS x").to_dict("list") == {"x": [1]}


def test_rows_in_pieces(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "w.duckdb"))
    rows = wh.query("SELECT i FROM range(?) t(i) ORDER BY i", [N])
    assert len(rows) == N and rows[0] == (0,) and rows[-1] == (N - 1,)
    assert wh.query("SELECT 1 WHERE false") == []
