"""Issue 16: numbers and dates are never misread. Decimal and thousands separators and the
day/month order are import options; a value that is ambiguous under them is quarantined with
a fix, never guessed. Expected values are worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from cxlens.errors import ConfigError
from cxlens.ingest import coerce
from cxlens.ingest.mapping import parse_mapping
from cxlens.ingest.pipeline import ImportResult, import_files
from cxlens.store.base import Warehouse


def run(wh: Warehouse, table: str, tmp_path: Path, text: str,
        mapping: dict[str, Any] | None = None) -> ImportResult:
    f = tmp_path / "in.csv"
    f.write_text(text)
    if not mapping:
        return import_files(wh, table, [f])
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(mapping))
    return import_files(wh, table, [f], mapping=path)


def amounts(wh: Warehouse) -> dict[str, float]:
    return {k: float(v) for k, v in wh.query("SELECT order_id, amount FROM orders")}


def orders(*rows: tuple[str, str]) -> str:
    return "order_id,ordered_at,amount\n" + "".join(
        f'{i},2026-01-05,"{v}"\n' for i, v in rows)


def errors(r: ImportResult) -> dict[str, Any]:
    return {p.value: p for p in r.problems if p.severity == "error"}


# --- numbers ----------------------------------------------------------------------------


def test_default_separators_keep_todays_correct_readings(wh: Warehouse, tmp_path: Path) -> None:
    r = run(wh, "orders", tmp_path, orders(("a", "1,234.5"), ("b", "12.5"), ("c", "1234"),
                                           ("d", "+7"), ("e", "1,234,567"), ("f", "0.5")))
    assert r.rejected == 0, r.summary()
    assert amounts(wh) == {"a": 1234.5, "b": 12.5, "c": 1234.0, "d": 7.0, "e": 1234567.0,
                           "f": 0.5}


def test_decimal_comma_is_quarantined_not_read_as_thousands(wh: Warehouse,
                                                            tmp_path: Path) -> None:
    # today 12,5 became 125 and 1.234,5 became 1.2345
    r = run(wh, "orders", tmp_path, orders(("a", "12,5"), ("b", "1.234,5"), ("c", "7")))
    assert (r.loaded, r.rejected) == (1, 2)
    assert amounts(wh) == {"c": 7.0}
    bad = errors(r)
    p = bad["12,5"]
    assert (Path(p.file).name, p.row, p.column) == ("in.csv", 2, "amount")
    assert "add to the mapping: {decimal: ','}" in p.hint
    assert "12,5" in p.message
    assert bad["1.234,5"].row == 3


@pytest.mark.parametrize("written", ["1,23", "12,34,567", "1,2345.5", "1.2.3"])
def test_grouping_not_in_threes_is_quarantined(wh: Warehouse, tmp_path: Path,
                                               written: str) -> None:
    r = run(wh, "orders", tmp_path, orders(("a", written), ("b", "3")))
    assert (r.loaded, r.rejected) == (1, 1)
    assert errors(r)[written].column == "amount"


def test_mapping_separators(wh: Warehouse, tmp_path: Path) -> None:
    r = run(wh, "orders", tmp_path,
            orders(("a", "12,5"), ("b", "1.234,5"), ("c", "1.234"), ("d", "7")),
            {"decimal": ",", "thousands": "."})
    assert r.rejected == 0, r.summary()
    assert amounts(wh) == {"a": 12.5, "b": 1234.5, "c": 1234.0, "d": 7.0}


def test_decimal_comma_alone_groups_with_points(wh: Warehouse, tmp_path: Path) -> None:
    r = run(wh, "orders", tmp_path, orders(("a", "1.234,5"), ("b", "12,5"), ("c", "1.5")),
            {"decimal": ","})
    assert amounts(wh) == {"a": 1234.5, "b": 12.5}
    assert errors(r)["1.5"].row == 4  # 1.5 is no grouping of three: refused, not 15


def test_no_thousands_separator(wh: Warehouse, tmp_path: Path) -> None:
    r = run(wh, "orders", tmp_path, orders(("a", "1,234"), ("b", "1234.5")),
            {"thousands": ""})
    assert amounts(wh) == {"b": 1234.5}
    assert "1,234" in errors(r)


def test_column_separators_override_the_mapping(wh: Warehouse, tmp_path: Path) -> None:
    text = ("order_id,ordered_at,Total,customer_id\n"
            'a,2026-01-05,"1,234.5",c1\n')
    r = run(wh, "orders", tmp_path, text,
            {"decimal": ",", "columns": {"amount": {"from": "Total", "decimal": ".",
                                                    "thousands": ","}}})
    assert r.rejected == 0, r.summary()
    assert amounts(wh) == {"a": 1234.5}


@pytest.mark.parametrize("written", ["inf", "-inf", "Infinity", "NaN", "nan", "+INF"])
def test_infinities_and_nan_text_are_refused(wh: Warehouse, tmp_path: Path,
                                             written: str) -> None:
    r = run(wh, "orders", tmp_path, orders(("a", written), ("b", "3")))
    assert (r.loaded, r.rejected) == (1, 1)
    p = errors(r)[written]
    assert (p.row, p.column, p.rule) == (2, "amount", "type")


@pytest.mark.parametrize("column", ["talk_seconds", "reopen_count", "complexity"])
def test_infinity_is_refused_in_every_number_column(wh: Warehouse, tmp_path: Path,
                                                    column: str) -> None:
    text = (f"interaction_id,channel,created_at,{column}\n"
            "a,phone,2026-01-05 09:00,inf\nb,phone,2026-01-05 09:00,Infinity\n"
            "c,phone,2026-01-05 09:00,3\n")
    r = run(wh, "interactions", tmp_path, text)
    assert (r.loaded, r.rejected) == (1, 2)
    assert {p.column for p in r.problems} == {column}


def test_duration_with_decimal_comma(wh: Warehouse, tmp_path: Path) -> None:
    text = ("interaction_id,channel,created_at,talk_seconds\n"
            'a,phone,2026-01-05 09:00,"2,5"\nb,phone,2026-01-05 09:00,3:45\n')
    r = run(wh, "interactions", tmp_path, text)
    assert r.rejected == 1 and "{decimal: ','}" in errors(r)["2,5"].hint
    r = run(wh, "interactions", tmp_path, text, {"decimal": ","})
    assert r.rejected == 0, r.summary()
    assert dict(wh.query("SELECT interaction_id, talk_seconds FROM interactions")) == {
        "a": 2.5, "b": 225.0}


def test_to_number_options() -> None:
    s = pd.Series(["12,5", "1.234,5", "1,234.5", "inf", "NaN", "abc", "", None], dtype=object)
    values, bad = coerce.to_number(s)
    assert list(bad) == [True, True, False, True, True, True, False, False]
    assert values[2] == 1234.5
    values, bad = coerce.to_number(s, decimal=",", thousands=".")
    assert list(bad) == [False, False, True, True, True, True, False, False]
    assert (values[0], values[1]) == (12.5, 1234.5)
    values, bad = coerce.to_number(pd.Series([float("inf"), 2.0, float("-inf")]))
    assert list(bad) == [True, False, True]


def test_separators_must_differ() -> None:
    with pytest.raises(ConfigError):
        parse_mapping({"decimal": ",", "thousands": ","})
    with pytest.raises(ConfigError):
        parse_mapping({"decimal": ";"})


# --- dates ------------------------------------------------------------------------------


def created(wh: Warehouse) -> dict[str, str]:
    return {i: str(t)[:10] for i, t in wh.query(
        "SELECT interaction_id, created_at FROM interactions")}


def calls(*rows: tuple[str, str]) -> str:
    return "interaction_id,channel,created_at\n" + "".join(f"{i},phone,{v}\n" for i, v in rows)


def test_ambiguous_dates_are_quarantined(wh: Warehouse, tmp_path: Path) -> None:
    # today both were stored as 1 May
    r = run(wh, "interactions", tmp_path, calls(("a", "05/01/2026"), ("b", "5.1.2026"),
                                                ("c", "2026-01-05"), ("d", "05/05/2026")))
    assert (r.loaded, r.rejected) == (2, 2)
    assert created(wh) == {"c": "2026-01-05", "d": "2026-05-05"}
    bad = errors(r)
    p = bad["05/01/2026"]
    assert (Path(p.file).name, p.row, p.column, p.rule) == ("in.csv", 2, "created_at", "type")
    assert "add to the mapping: {dayfirst: true}" in p.hint
    assert "add to the mapping: {dayfirst: false}" in p.hint
    assert bad["5.1.2026"].row == 3


def test_unambiguous_dates_import(wh: Warehouse, tmp_path: Path) -> None:
    r = run(wh, "interactions", tmp_path, calls(("a", "13/01/2026"), ("b", "2026-01-05")))
    assert r.rejected == 0, r.summary()
    assert created(wh) == {"a": "2026-01-13", "b": "2026-01-05"}


@pytest.mark.parametrize(("other", "expected"), [("13/01/2026", "2026-01-05"),
                                                 ("01/13/2026", "2026-05-01")])
def test_the_files_other_values_settle_the_order(wh: Warehouse, tmp_path: Path, other: str,
                                                 expected: str) -> None:
    r = run(wh, "interactions", tmp_path, calls(("a", "05/01/2026"), ("b", other)))
    assert r.rejected == 0, r.summary()
    assert created(wh)["a"] == expected


def test_contradicting_values_settle_nothing(wh: Warehouse, tmp_path: Path) -> None:
    r = run(wh, "interactions", tmp_path, calls(("a", "05/01/2026"), ("b", "13/01/2026"),
                                                ("c", "01/13/2026")))
    assert r.rejected == 1 and "05/01/2026" in errors(r)


def test_dayfirst_option(wh: Warehouse, tmp_path: Path) -> None:
    text = calls(("a", "05/01/2026"), ("b", "5.1.2026"))
    run(wh, "interactions", tmp_path, text, {"dayfirst": True})
    assert created(wh) == {"a": "2026-01-05", "b": "2026-01-05"}
    run(wh, "interactions", tmp_path, text, {"dayfirst": True, "columns": {
        "created_at": {"from": "created_at", "dayfirst": False}}})
    assert created(wh) == {"a": "2026-05-01", "b": "2026-05-01"}
    run(wh, "interactions", tmp_path, text, {"columns": {
        "created_at": {"from": "created_at", "format": "%d/%m/%Y"}}})
    assert created(wh) == {"a": "2026-01-05", "b": "2026-05-01"}  # b kept from before


def test_bands_and_offsets_follow_the_separators(wh: Warehouse, tmp_path: Path) -> None:
    text = ("interaction_id,channel,created_at,Wait\n"
            'a,phone,2026-01-05 09:00,"1,5"\nb,phone,2026-01-05 09:00,inf\n')
    r = run(wh, "interactions", tmp_path, text, {"decimal": ",", "columns": {
        "answered_at": {"from": "Wait", "unit": "minutes", "offset_from": "created_at"}}})
    assert (r.loaded, r.rejected) == (1, 1)  # inf minutes after a time is no time
    assert str(wh.scalar("SELECT answered_at FROM interactions"))[:19] == "2026-01-05 09:01:30"
