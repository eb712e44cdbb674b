from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cxlens.errors import NotFound
from cxlens.ingest.readers import ReadError, read_chunks


def _all(path: Path, **kw: object) -> tuple[pd.DataFrame, list[int]]:
    chunks = list(read_chunks(path, **kw))  # type: ignore[arg-type]
    return pd.concat([c.data for c in chunks], ignore_index=True), [c.first_row for c in chunks]


def test_csv_values_stay_text_and_rows_count_from_two(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('\ufeffid, score ,note\n1,007,"a, b"\n2,,"line\nbreak"\n3,5,x\n',
                 encoding="utf-8")
    df, firsts = _all(p, chunk_rows=2)
    assert list(df.columns) == ["id", "score", "note"]
    assert df["score"].tolist()[0] == "007"  # not turned into 7 before validation
    assert pd.isna(df["score"][1])
    assert df["note"].tolist()[:2] == ["a, b", "line\nbreak"]
    assert firsts[0] == 2


def test_semicolon_and_tab_delimiters_are_sniffed(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("a;b\n1;2\n")
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n")
    for name in ("s.csv", "t.tsv"):
        df, _ = _all(tmp_path / name)
        assert df.to_dict("records") == [{"a": "1", "b": "2"}]


def test_non_utf8_csv_says_how_to_fix(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_bytes("name,city\nJos\xe9,M\xe1laga\n".encode("cp1252"))
    with pytest.raises(ReadError, match="encoding"):
        _all(p)
    df, _ = _all(p, encoding="cp1252")
    assert df["name"][0] == "José"


def test_ragged_csv_is_a_read_error(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("a,b\n1,2,3\n")
    with pytest.raises(ReadError, match="cannot parse"):
        _all(p)


def test_duplicate_header_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,a\n1,2\n")
    with pytest.raises(ReadError, match="more than once"):
        _all(tmp_path / "d.csv")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ReadError, match="empty"):
        _all(tmp_path / "e.csv")


def test_json_api_page_and_nested_fields(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text(json.dumps({"ticket_metrics": [
        {"ticket_id": 1, "reply_time_in_minutes": {"calendar": 5, "business": 3}}],
        "next_page": None, "count": 1}))
    df, _ = _all(p)
    assert df["reply_time_in_minutes.calendar"][0] == 5


def test_json_with_two_lists_is_ambiguous(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"a": [], "b": []}))
    with pytest.raises(ReadError, match="cannot tell"):
        _all(p)


def test_jsonl_reports_the_bad_line(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n\n{"a": 2}\n{oops}\n')
    with pytest.raises(ReadError, match="line 4"):
        _all(p)
    p.write_text('{"a": 1}\n{"a": 2}\n')
    df, _ = _all(p)
    assert df["a"].tolist() == [1, 2]


def test_parquet(tmp_path: Path) -> None:
    p = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1, 2, 3], "t": pd.to_datetime(["2024-01-01"] * 3, utc=True)}).to_parquet(p)
    df, firsts = _all(p, chunk_rows=2)
    assert df["a"].tolist() == [1, 2, 3]
    assert firsts == [2, 4]


def test_xlsx_sheets_and_trailing_blank_rows(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Calls"
    ws.append(["Call ID", "Talk"])
    ws.append(["c1", "3:45"])
    ws.append([None, None])
    book.create_sheet("Other").append(["x"])
    book.save(p)
    df, _ = _all(p)
    assert df.to_dict("records") == [{"Call ID": "c1", "Talk": "3:45"}]
    with pytest.raises(ReadError, match='Did you mean "Calls"'):
        _all(p, sheet="calls")


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        _all(tmp_path / "nope.csv")
    (tmp_path / "x.xls").write_text("a")
    with pytest.raises(ReadError, match="extension"):
        _all(tmp_path / "x.xls")
