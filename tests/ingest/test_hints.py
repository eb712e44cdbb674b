"""Every fix an import error suggests works when applied literally: the test copies the
suggested piece of mapping out of the message, merges it into the mapping as a person would
(a plain rename becomes {from: ...}), imports again and checks the rows now load, with the
values a person would expect."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cxlens.errors import CxlensError
from cxlens.ingest.pipeline import ImportResult, import_files
from cxlens.store.base import Warehouse

FIX = re.compile(r"add to the mapping: ")


def fixes(text: str) -> list[str]:
    """Every ``add to the mapping: {...}`` in ``text``: the flow mapping after the words, up
    to its closing brace (a hint may offer two fixes, e.g. day first or month first)."""
    out: list[str] = []
    for m in FIX.finditer(text):
        depth, quote, start = 0, "", m.end()
        for i in range(start, len(text)):
            ch = text[i]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    out.append(text[start:i + 1])
                    break
    return out


def merged(mapping: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(mapping)
    for key, value in patch.items():
        old = out.get(key)
        if isinstance(value, dict):
            old = {"from": old} if isinstance(old, str) else old
            out[key] = merged(old if isinstance(old, dict) else {}, value)
        else:
            out[key] = value
    return out


def apply_fixes(mapping: dict[str, Any], text: str) -> dict[str, Any]:
    patches = fixes(text)
    assert patches, f"no fix to apply in: {text}"
    for patch in patches:
        mapping = merged(mapping, yaml.safe_load(patch))
    return mapping


def run(wh: Warehouse, table: str, f: Path, mapping: dict[str, Any]) -> ImportResult:
    """Import ``f`` with ``mapping`` written to a YAML file, as a person would."""
    if not mapping:
        return import_files(wh, table, [f])
    path = f.parent / "mapping.yaml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True))
    return import_files(wh, table, [f], mapping=path)


def first_error(r: ImportResult) -> str:
    errors = [p for p in r.problems if p.severity == "error"]
    assert errors, r.summary()
    return errors[0].hint


def fixed_import(wh: Warehouse, table: str, f: Path, mapping: dict[str, Any],
                 choice: int | None = None) -> ImportResult:
    """Import, apply the first error's fix (or the refusal's), import again. ``choice``
    picks one of several fixes the hint offers."""
    try:
        hint = first_error(run(wh, table, f, mapping))
    except CxlensError as exc:
        hint = str(exc)
    if choice is not None:
        offered = fixes(hint)
        assert len(offered) > choice, hint
        hint = "add to the mapping: " + offered[choice]
    again = run(wh, table, f, apply_fixes(mapping, hint))
    assert again.rejected == 0, again.summary()
    return again


def csv_file(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "in.csv"
    f.write_text(text)
    return f


@pytest.mark.parametrize(("mapping", "written", "expected"), [
    ({}, "Web Chat", "chat"),                                        # unmapped column
    ({"columns": {"channel": {"from": "channel", "values": {"Mail": "email"}}}},
     "Social Media", "social"),                                      # a map that lacks it
    ({"columns": {"channel": "channel"}}, "TELEPHONE", "phone"),     # a plain rename
])
def test_enum_fix_maps_the_value_as_written(wh: Warehouse, tmp_path: Path,
                                            mapping: dict[str, Any], written: str,
                                            expected: str) -> None:
    f = csv_file(tmp_path, f"interaction_id,channel,created_at\na,{written},2024-03-01 09:00\n"
                 "b,Phone,2024-03-01 09:00\n")
    fixed_import(wh, "interactions", f, mapping)
    assert wh.scalar("SELECT channel FROM interactions WHERE interaction_id = 'a'") == expected


def test_date_format_fix(wh: Warehouse, tmp_path: Path) -> None:
    # year/day/month: row a cannot be read, and row b would be read as 4 February without
    # the format; with the suggested format both are right
    f = csv_file(tmp_path, "interaction_id,channel,Start\na,phone,2024/28/03 16:05\n"
                 "b,phone,2024/02/04 09:00\n")
    fixed_import(wh, "interactions", f, {"columns": {"created_at": "Start"}})
    got = {i: str(t)[:16] for i, t in wh.query("SELECT interaction_id, created_at "
                                               "FROM interactions")}
    assert got == {"a": "2024-03-28 16:05", "b": "2024-04-02 09:00"}


def test_timezone_fix(wh: Warehouse, tmp_path: Path) -> None:
    # 01:30 on 31 March 2024 does not exist in London (clocks went 01:00 -> 02:00)
    f = csv_file(tmp_path, "interaction_id,channel,created_at\na,phone,2024-03-31 01:30\n")
    fixed_import(wh, "interactions", f, {"timezone": "Europe/London"})
    assert str(wh.scalar("SELECT created_at FROM interactions"))[:16] == "2024-03-31 01:30"


def test_missing_required_column_fix(wh: Warehouse, tmp_path: Path) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,Created\na,phone,2024-03-01 09:00\n")
    fixed_import(wh, "interactions", f, {})
    assert wh.count("interactions") == 1


def test_mapping_column_rename_fix(wh: Warehouse, tmp_path: Path) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,Created at\na,phone,01/03/2024 09:00\n")
    mapping = {"columns": {"created_at": {"from": "Created At", "format": "%d/%m/%Y %H:%M"}}}
    fixed_import(wh, "interactions", f, mapping)
    assert str(wh.scalar("SELECT created_at FROM interactions"))[:16] == "2024-03-01 09:00"


def test_time_order_fix_keeps_the_row_and_flags_it(wh: Warehouse, tmp_path: Path) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,created_at,resolved_at\n"
                 "a,phone,2024-03-01 09:00,2024-03-01 08:00\n")
    r = fixed_import(wh, "interactions", f, {})
    assert (r.loaded, r.flagged) == (1, 1)
    assert wh.query("SELECT resolved_at FROM interactions") == [(None,)]


def test_an_enum_value_with_no_close_match_gets_no_made_up_label(wh: Warehouse,
                                                                 tmp_path: Path) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,created_at\na,pigeon,2024-03-01 09:00\n")
    hint = first_error(run(wh, "interactions", f, {}))
    assert "add to the mapping" not in hint
    assert "columns: {channel: {from: channel, values: {pigeon: …}}}" in hint


def test_a_no_value_code_in_an_optional_number_column(wh: Warehouse, tmp_path: Path) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,created_at,Reopens\n"
                 "a,phone,2024-03-01 09:00,n/a\nb,phone,2024-03-01 09:00,2\n")
    fixed_import(wh, "interactions", f, {"columns": {"reopen_count": "Reopens"}})
    assert dict(wh.query("SELECT interaction_id, reopen_count FROM interactions")) == {
        "a": None, "b": 2}


def test_a_boolean_the_import_cannot_read_asks_rather_than_guesses(wh: Warehouse,
                                                                   tmp_path: Path) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,created_at,resolved\n"
                 "a,phone,2024-03-01 09:00,Oui\n")
    hint = first_error(run(wh, "interactions", f, {}))
    assert "add to the mapping" not in hint
    assert "columns: {resolved: {from: resolved, values: {Oui: …}}} (… = true or false)" in hint


def test_many_distinct_bad_values_share_one_generic_hint(wh: Warehouse, tmp_path: Path) -> None:
    rows = "".join(f"i{n},chan{n},2024-03-01 09:00\n" for n in range(30))
    f = csv_file(tmp_path, "interaction_id,channel,created_at\n" + rows)
    r = run(wh, "interactions", f, {})
    assert r.rejected == 30 and len(r.problems) == 30
    assert len({p.hint for p in r.problems}) == 21  # 20 values with their own, one shared


def test_a_file_without_an_id_column_is_told_how_to_number_its_rows(wh: Warehouse,
                                                                    tmp_path: Path) -> None:
    f = csv_file(tmp_path, "survey,score,responded_at\ncsat,5,2024-03-01\nnps,9,2024-03-02\n")
    fixed_import(wh, "survey_responses", f, {})
    assert sorted(wh.query("SELECT response_id, score FROM survey_responses")) == [
        ("in-2", 5), ("in-3", 9)]


def test_decimal_comma_fix(wh: Warehouse, tmp_path: Path) -> None:
    # 12,5 is not read as 125 nor 1.234,5 as 1.2345: the fix sets the decimal comma
    f = csv_file(tmp_path, 'order_id,ordered_at,amount\na,2026-01-05,"12,5"\n'
                 'b,2026-01-05,"1.234,5"\nc,2026-01-05,7\n')
    fixed_import(wh, "orders", f, {})
    assert dict(wh.query("SELECT order_id, amount FROM orders")) == {
        "a": 12.5, "b": 1234.5, "c": 7.0}


def test_decimal_comma_fix_in_one_column(wh: Warehouse, tmp_path: Path) -> None:
    # the file's durations use a decimal point, its amounts a comma: the fix for the amount
    # is the column's, as a file-wide decimal comma would misread 1.5 seconds
    f = csv_file(tmp_path, 'interaction_id,channel,created_at,talk_seconds,Complexity\n'
                 'a,phone,2026-01-05 09:00,1.5,"0,25"\n')
    fixed_import(wh, "interactions", f, {"columns": {"complexity": "Complexity"}})
    assert wh.query("SELECT talk_seconds, complexity FROM interactions") == [(1.5, 0.25)]


@pytest.mark.parametrize(("choice", "expected"), [(0, "2026-01-05"), (1, "2026-05-01")])
def test_day_or_month_first_fix(wh: Warehouse, tmp_path: Path, choice: int,
                                expected: str) -> None:
    f = csv_file(tmp_path, "interaction_id,channel,created_at\na,phone,05/01/2026\n"
                 "b,phone,5.1.2026\nc,phone,2026-01-05\n")
    fixed_import(wh, "interactions", f, {}, choice)
    got = {i: str(t)[:10] for i, t in wh.query("SELECT interaction_id, created_at "
                                               "FROM interactions")}
    assert got == {"a": expected, "b": expected, "c": "2026-01-05"}
