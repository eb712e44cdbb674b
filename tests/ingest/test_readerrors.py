"""Issue 16: files that cannot be read as they are get a clear error naming the file (and the
column when known) and a fix that works when applied, never a traceback or a misread; the
import stays atomic. Each fix is applied in the test to show it works. Expected values are
worked out by hand."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cxlens.cli import app
from cxlens.errors import ConfigError, ImportRefused
from cxlens.ingest.mapping import parse_mapping
from cxlens.ingest.pipeline import ImportResult, import_files
from cxlens.store.base import Warehouse

UTC = dt.UTC
ROWS = [("i1", "phone", "2026-01-05 10:00"), ("i2", "chat", "2026-01-05 11:30")]
#: 2026-01-05 10:00 UTC and 11:30 UTC as seconds since 1970-01-01 UTC, worked by hand:
#: 2026-01-01 is day 20454 (56 years, 14 of them leap: 56*365+14); +4 days = 20458;
#: 20458*86400 = 1767571200; +10 h = 1767607200; +11.5 h = 1767612600.
EPOCH = [1767607200, 1767612600]
WHEN = [dt.datetime(2026, 1, 5, 10, 0, tzinfo=UTC), dt.datetime(2026, 1, 5, 11, 30, tzinfo=UTC)]


def mapping_file(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def refused(wh: Warehouse, path: Path, **kw: Any) -> str:
    """The refusal's text (message and fix), after checking nothing was written."""
    with pytest.raises(ImportRefused) as info:
        import_files(wh, "interactions", [path], **kw)
    assert wh.query("SELECT count(*) FROM interactions") == [(0,)]
    assert wh.query("SELECT count(*) FROM import_log") == [(0,)]
    return str(info.value)


def loaded(wh: Warehouse) -> dict[str, tuple[str, dt.datetime]]:
    rows = wh.query("SELECT interaction_id, channel, created_at FROM interactions")
    return {i: (c, pd.Timestamp(t).tz_convert("UTC").to_pydatetime()) for i, c, t in rows}


def ok(r: ImportResult) -> None:
    assert (r.rows_read, r.loaded, r.rejected) == (2, 2, 0), r.summary()


# --- 1. a truncated XLSX ---------------------------------------------------------------


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["interaction_id", "channel", "created_at"])
    for i in range(300):  # big enough that half the bytes lose the zip's directory
        ws.append([f"i{i}", "phone", f"2026-01-05 10:{i % 60:02d}"])
    book.save(path)
    return path


def test_truncated_xlsx_says_incomplete_workbook(duck: Warehouse, tmp_path: Path) -> None:
    whole = workbook(tmp_path / "full.xlsx").read_bytes()
    cut = tmp_path / "calls.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    text = refused(duck, cut)
    assert f"{cut}: not a complete Excel workbook" in text
    assert "download or export it again" in text
    # the fix: the whole file imports
    cut.write_bytes(whole)
    assert import_files(duck, "interactions", [cut]).loaded == 300


def test_workbook_whose_sheet_is_cut_short_says_incomplete(duck: Warehouse,
                                                           tmp_path: Path) -> None:
    # the archive is whole but its sheet's XML stops halfway: damage found while reading rows
    whole = workbook(tmp_path / "full.xlsx")
    damaged = tmp_path / "calls.xlsx"
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if "worksheets/" in item.filename else data)
    text = refused(duck, damaged)
    assert f"{damaged}: not a complete Excel workbook" in text


def test_old_xls_bytes_named_xlsx_say_save_as_xlsx(duck: Warehouse, tmp_path: Path) -> None:
    f = tmp_path / "calls.xlsx"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # an OLE2 header
    assert "save it as Excel Workbook (.xlsx)" in refused(duck, f)


def test_file_that_is_no_zip_says_not_an_excel_workbook(duck: Warehouse,
                                                        tmp_path: Path) -> None:
    csv_named_xlsx = tmp_path / "calls.xlsx"
    csv_named_xlsx.write_text("interaction_id,channel,created_at\ni1,phone,2026-01-05\n")
    text = refused(duck, csv_named_xlsx)
    assert f"{csv_named_xlsx}: not an Excel workbook" in text
    assert "rename" in text  # a text file with the wrong extension: rename it .csv


# --- 2. integers in a Parquet timestamp column ----------------------------------------


def epoch_parquet(path: Path, scale: int) -> Path:
    pd.DataFrame({"interaction_id": ["i1", "i2"], "channel": ["phone", "chat"],
                  "created_at": pd.Series([e * scale for e in EPOCH], dtype="int64")}
                 ).to_parquet(path)
    return path


@pytest.mark.parametrize(("scale", "unit"), [(1, "seconds"), (1000, "milliseconds")])
def test_epoch_integers_in_a_timestamp_column_are_refused_with_the_unit(
        duck: Warehouse, tmp_path: Path, scale: int, unit: str) -> None:
    f = epoch_parquet(tmp_path / "calls.parquet", scale)
    text = refused(duck, f)
    assert f"{f}, column created_at: holds integers" in text
    assert f"e.g. {EPOCH[0] * scale}" in text
    assert "2026-01-05 10:00:00 UTC" in text  # what the suggested unit reads the first as
    fix = "add to the mapping: {columns: {created_at: {from: created_at, epoch: " + unit + "}}}"
    assert fix in text
    # the fix, applied as written, reads the times
    ok(import_files(duck, "interactions", [f],
                    mapping=mapping_file(tmp_path, {"columns": {"created_at": {
                        "from": "created_at", "epoch": unit}}})))
    assert loaded(duck) == {"i1": ("phone", WHEN[0]), "i2": ("chat", WHEN[1])}


@pytest.mark.parametrize("tz", [None, "UTC"])
def test_nanosecond_parquet_times_load_to_the_microsecond(duck: Warehouse, tmp_path: Path,
                                                          tz: str | None) -> None:
    # they crashed the load ("Casting from timestamp[ns] ... would lose data")
    f = tmp_path / "calls.parquet"
    pd.DataFrame({"interaction_id": ["i1"], "channel": ["phone"], "created_at": pd.to_datetime(
        ["2026-01-05 10:00:00.123456789"]).tz_localize(tz)}).to_parquet(f)
    assert import_files(duck, "interactions", [f]).loaded == 1
    assert loaded(duck) == {"i1": ("phone", dt.datetime(2026, 1, 5, 10, 0, 0, 123456,
                                                        tzinfo=UTC))}


def test_epoch_option_reads_text_numbers_and_quarantines_the_rest(duck: Warehouse,
                                                                   tmp_path: Path) -> None:
    f = tmp_path / "calls.csv"
    f.write_text("id,channel,start\ni1,phone,1767607200000\ni2,chat,1767612600000\n"
                 "i3,chat,yesterday\n")
    r = import_files(duck, "interactions", [f], mapping=mapping_file(tmp_path, {"columns": {
        "interaction_id": "id", "created_at": {"from": "start", "epoch": "milliseconds"}}}))
    assert (r.loaded, r.rejected) == (2, 1)
    (p,) = [p for p in r.problems if p.severity == "error"]
    assert (p.row, p.column, p.value) == (4, "created_at", "yesterday")
    assert "not a number of milliseconds since 1970-01-01" in p.message
    assert loaded(duck) == {"i1": ("phone", WHEN[0]), "i2": ("chat", WHEN[1])}


def test_epoch_only_on_timestamps_and_not_with_a_format() -> None:
    from cxlens.ingest.mapping import check_mapping
    from cxlens.schema import table

    cols = ["id", "t", "channel"]
    with pytest.raises(ConfigError, match=r"columns.channel.epoch: channel is string"):
        check_mapping(parse_mapping({"columns": {"channel": {"from": "channel",
                                                              "epoch": "seconds"}}}),
                      table("interactions"), cols, "m")
    with pytest.raises(ConfigError, match=r"columns.created_at: give epoch or format"):
        check_mapping(parse_mapping({"columns": {"created_at": {
            "from": "t", "epoch": "seconds", "format": "%Y"}}}), table("interactions"), cols,
            "m")


# --- 3. UTF-16 text (Excel's "Unicode text") -------------------------------------------


def unicode_text(path: Path) -> Path:
    """What Excel's "Unicode text" writes: UTF-16 LE with a byte-order mark, tab-separated."""
    lines = ["interaction_id\tchannel\tcreated_at", *("\t".join(r) for r in ROWS)]
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    assert path.read_bytes()[:2] == b"\xff\xfe"
    return path


@pytest.mark.parametrize("name", ["calls.txt", "calls.csv"])
def test_utf16_file_is_named_and_read_with_the_encoding(duck: Warehouse, tmp_path: Path,
                                                        name: str) -> None:
    f = unicode_text(tmp_path / name)
    text = refused(duck, f)
    assert f"{f}: the file is UTF-16 (little-endian, with a byte-order mark)" in text
    assert "add to the mapping: {encoding: utf-16}" in text
    assert "--encoding utf-16" in text
    ok(import_files(duck, "interactions", [f],
                    mapping=mapping_file(tmp_path, {"encoding": "utf-16"})))
    assert loaded(duck) == {"i1": ("phone", WHEN[0]), "i2": ("chat", WHEN[1])}


def test_utf16_file_with_another_encoding_given_is_refused(duck: Warehouse,
                                                           tmp_path: Path) -> None:
    # cp1252 decodes every byte, so the file would be read as garbage with NULs
    f = unicode_text(tmp_path / "calls.txt")
    text = refused(duck, f, encoding="cp1252")
    assert "the file is UTF-16" in text and "not cp1252" in text
    ok(import_files(duck, "interactions", [f], encoding="utf-16"))


def test_utf16_json_lines_is_named_and_read_with_the_encoding(duck: Warehouse,
                                                              tmp_path: Path) -> None:
    f = tmp_path / "calls.jsonl"
    f.write_bytes("".join(
        f'{{"interaction_id": "{i}", "channel": "{c}", "created_at": "{t}"}}\n'
        for i, c, t in ROWS).encode("utf-16"))
    assert "add to the mapping: {encoding: utf-16}" in refused(duck, f)
    ok(import_files(duck, "interactions", [f], encoding="utf-16"))  # a newline is 2 bytes
    assert loaded(duck) == {"i1": ("phone", WHEN[0]), "i2": ("chat", WHEN[1])}


def test_utf8_bom_file_given_cp1252_is_refused(duck: Warehouse, tmp_path: Path) -> None:
    # read as cp1252, "José" would load as "JosÃ©"
    f = tmp_path / "calls.csv"
    f.write_bytes("\ufeffinteraction_id,channel,created_at,agent_id\n"
                  "i1,phone,2026-01-05 10:00,José\n".encode())
    text = refused(duck, f, encoding="cp1252")
    assert f"{f}: the file is UTF-8 (with a byte-order mark), not cp1252" in text
    assert "--encoding utf-8" in text
    assert import_files(duck, "interactions", [f], encoding="utf-8").loaded == 1
    assert duck.query("SELECT agent_id FROM interactions") == [("José",)]


# --- 4. the wrong delimiter -----------------------------------------------------------


SEMI = "interaction_id;channel;created_at\n" + "".join(";".join(r) + "\n" for r in ROWS)


def test_semicolon_file_read_with_comma_names_the_delimiter(duck: Warehouse,
                                                             tmp_path: Path) -> None:
    f = tmp_path / "calls.csv"
    f.write_text(SEMI)
    text = refused(duck, f, mapping=mapping_file(tmp_path, {"delimiter": ","}))
    assert (f'{f}: the header reads as one column, "interaction_id;channel;created_at", '
            'with delimiter ","') in text
    assert "it splits into 3 columns with \";\"" in text
    assert "add to the mapping: {delimiter: ;}" in text
    ok(import_files(duck, "interactions", [f],
                    mapping=mapping_file(tmp_path, {"delimiter": ";"})))


def test_quoted_commas_in_a_semicolon_header_do_not_fool_the_sniffing(
        duck: Warehouse, tmp_path: Path) -> None:
    # as many commas (inside quotes) as semicolons: counting characters picked ","
    f = tmp_path / "calls.csv"
    f.write_text('"Call ID, ACD";"Channel, type";Start\n'
                 + "".join(";".join(r) + "\n" for r in ROWS))
    m = mapping_file(tmp_path, {"columns": {"interaction_id": "Call ID, ACD",
                                            "channel": "Channel, type", "created_at": "Start"}})
    ok(import_files(duck, "interactions", [f], mapping=m))
    assert loaded(duck) == {"i1": ("phone", WHEN[0]), "i2": ("chat", WHEN[1])}


def test_semicolon_tsv_names_the_delimiter(duck: Warehouse, tmp_path: Path) -> None:
    f = tmp_path / "calls.tsv"  # .tsv means tab unless told otherwise
    f.write_text(SEMI)
    assert "add to the mapping: {delimiter: ;}" in refused(duck, f)


# --- through the CLI: an error, never a traceback ---------------------------------------


def test_cli_prints_each_error_without_a_traceback(tmp_path: Path) -> None:
    whole = workbook(tmp_path / "full.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(whole[: len(whole) // 2])
    epoch_parquet(tmp_path / "epoch.parquet", 1)
    unicode_text(tmp_path / "unicode.txt")
    (tmp_path / "semi.tsv").write_text(SEMI)
    db = str(tmp_path / "w.duckdb")
    runner = CliRunner()
    for name, words in [("cut.xlsx", "not a complete Excel workbook"),
                        ("epoch.parquet", "holds integers"),
                        ("unicode.txt", "the file is UTF-16"),
                        ("semi.tsv", "delimiter: ;")]:
        result = runner.invoke(app, ["import", "interactions", str(tmp_path / name), "--db", db])
        assert result.exit_code == 2, (name, result.exception)  # the CLI's exit code for errors
        assert words in result.stderr, result.stderr
        assert "nothing was written" in result.stderr
        assert "Traceback" not in result.stdout + result.stderr



def test_missing_columns_without_a_close_name_ask_no_empty_question(duck: Warehouse,
                                                                     tmp_path: Path) -> None:
    # it ended "the file has: foo, bar. Did you mean" with nothing after it
    f = tmp_path / "calls.csv"
    f.write_text("foo,bar\n1,2\n")
    text = refused(duck, f)
    assert "the file has: foo, bar.\n" in text
    assert "Did you mean" not in text
