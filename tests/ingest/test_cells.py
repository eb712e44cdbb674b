"""Spreadsheet error cells, in XLSX error cells and in CSV text, are missing and flagged."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse


def test_error_cells_in_a_workbook_are_missing_and_counted_per_column(wh: Warehouse,
                                                                      tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["customer_id", "segment", "region", "country"])
    ws.append(["a", "#NULL!", "#DIV/0!", "FR"])
    ws.append(["b", "smb", "#REF!", "#NAME?"])
    ws.append(["c", "SMB", "north", "#NUM!"])
    ws.append(["d", "#VALUE!", "north", "#N/A"])
    path = tmp_path / "c.xlsx"
    book.save(path)
    r = import_files(wh, "customers", [path])
    assert (r.loaded, r.rejected, r.flagged) == (4, 0, 4)
    assert {c: (s, g) for c, s, g in wh.query(
        "SELECT customer_id, segment, region FROM customers")} == {
        "a": (None, None), "b": ("smb", None), "c": ("smb", "north"), "d": (None, "north")}
    assert wh.scalar("SELECT count(*) FROM customers WHERE country LIKE '#%'") == 0
    assert r.summary()[0] == ("warning: spreadsheet_error — 7 problem(s) in 4 row(s); "
                              "by column: country 3, segment 2, region 2")


def test_error_text_in_a_csv_any_case_and_only_in_used_columns(wh: Warehouse,
                                                               tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("customer_id,segment,notes\na,#null!,#N/A\nb, #n/a ,ok\nc,#Nope,ok\n")
    r = import_files(wh, "customers", [f])
    assert dict(wh.query("SELECT customer_id, segment FROM customers")) == {
        "a": None, "b": None, "c": "#nope"}  # "#Nope" is not an Excel error: kept as written
    assert sorted((p.row, p.column, p.value) for p in r.problems) == [
        (2, "segment", "#null!"), (3, "segment", "#n/a")]
