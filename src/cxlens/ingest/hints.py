"""Fixes an import error suggests, written so that applying them literally works.

A fix is a piece of mapping (a dict) rendered as one line of flow-style YAML after
``add to the mapping:``; merged into the mapping (a plain ``column: Source`` rename counts as
``{from: Source}``), it makes the rows it was given for load.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable
from typing import Any

import yaml

PREFIX = "add to the mapping: "


def add_to_mapping(patch: dict[str, Any]) -> str:
    """``add to the mapping: {columns: {channel: {from: Channel, values: {Web Chat: chat}}}}``."""
    text = yaml.safe_dump(patch, default_flow_style=True, sort_keys=False, allow_unicode=True,
                          width=1 << 20)
    return PREFIX + text.strip()


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (case-insensitively as a fallback), or None."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {c.lower(): c for c in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None



def column_fix(source: str | None, target: str, **spec: Any) -> str | None:
    """A fix that re-reads ``target`` from its file column with extra settings."""
    if source is None:
        return None
    return add_to_mapping({"columns": {target: {"from": source, **spec}}})


def enum(source: str | None, target: str, written: str, allowed: Iterable[str]) -> str:
    """A value outside ``target``'s list: map the value *as written in the file*."""
    allowed = list(allowed)
    choice = closest(written.lower().replace(" ", "_").replace("-", "_"), allowed)
    fix = column_fix(source, target, values={written: choice}) if choice else None
    if fix:
        return f"if {written!r} means {choice}, {fix}"
    return f"use one of {', '.join(allowed)}: " + to_choose(source, target, written, "one of them")


def to_choose(source: str | None, target: str, written: str, choices: str) -> str:
    """A value map for the user to complete: no fix is guessed."""
    where = f"columns: {{{target}: {{from: {source}, values: {{{written}: …}}}}}}" if source \
        else f"a value map for {target}"
    return f"map the value with {where} (… = {choices})"


def no_value(source: str | None, target: str, written: str, generic: str) -> str:
    """Text in an optional number column (e.g. "n/a"): if it means no value, map it to null."""
    fix = column_fix(source, target, values={written: None})
    return f"{generic}; or, if {written!r} means no value, {fix}" if fix else generic


def date_format(source: str | None, target: str, values: Any) -> str:
    """Unreadable dates: the strptime format that reads every value of the column, if any."""
    import pandas as pd
    from pandas.tseries.api import guess_datetime_format

    generic = ("use ISO 8601 (2024-03-28 16:00:00 or with an offset, +01:00), or give the "
               "format in the mapping (format: '%d/%m/%Y %H:%M')")
    text = pd.Series(values, dtype=object).map(
        lambda v: v.strip() if isinstance(v, str) and v.strip() else None).dropna()
    if source is None or text.empty:
        return generic
    sample = str(text.iloc[0])
    for dayfirst in (False, True):
        with warnings.catch_warnings():  # pandas warns when the guess contradicts dayfirst
            warnings.simplefilter("ignore")
            fmt = guess_datetime_format(sample, dayfirst=dayfirst)
        if fmt and pd.to_datetime(text, format=fmt, errors="coerce").notna().all():
            return f"the column is written like {sample!r}: " + str(
                column_fix(source, target, format=fmt))
    return generic


def timezone(zone: str) -> str:
    """A local time that does not exist (or exists twice) on a daylight-saving change."""
    return ("give the time with its UTC offset; or, if the system that wrote the file records "
            f"UTC rather than {zone} time, {add_to_mapping({'timezone': 'UTC'})}")


#: Separator settings a misread number may need, most common first: (decimal, thousands).
SEPARATORS = [(",", "."), (".", ","), (",", " "), (".", " "), (",", ""), (".", ""),
              (".", "'")]


def separators_patch(decimal: str, thousands: str) -> dict[str, Any]:
    from cxlens.ingest.mapping import default_thousands

    patch: dict[str, Any] = {"decimal": decimal}
    if thousands != default_thousands(decimal):
        patch["thousands"] = thousands
    return patch


def number_separators(columns: list[Any], current: tuple[str, str]) -> tuple[str, str] | None:
    """The separators, other than ``current``, that read every number-like text value of
    each column in ``columns`` (the misread column first), or None."""
    from cxlens.ingest import coerce

    for option in SEPARATORS:
        if option == current:
            continue
        pattern = coerce.number_pattern(*option)
        if all(pattern.match(v) for col in columns for v in coerce.numberish(col)):
            return option
    return None


def misread_number(written: str, current: tuple[str, str], fix: str | None) -> str:
    decimal, thousands = current
    why = (f"with decimal {decimal!r} and thousands "
           + (f"{thousands!r}" if thousands else "none")
           + " (digits between thousands separators come in threes)")
    if fix is None:
        return (f"{written!r} does not read as a number {why}; write it as 1234.5, or set "
                "decimal: and thousands: in the mapping (docs/import.md)")
    return f"{written!r} does not read as a number {why}; if the file writes numbers so, {fix}"


def _day(day: int, month: int, year: int) -> str:
    import datetime as dt

    year = year + 2000 if year < 100 else year
    try:
        return dt.date(year, month, day).strftime("%-d %B %Y")
    except ValueError:
        return f"day {day} of month {month}"


def day_order(written: str, first: int, second: int, year: int) -> tuple[str, str]:
    """Message and fix for a date that reads either way (05/01/2026): both fixes offered."""
    day_first, month_first = _day(first, second, year), _day(second, first, year)
    message = f"{written} could be {day_first} (day first) or {month_first} (month first)"
    fix = (f"say which the file means: day first ({day_first}), "
           f"{add_to_mapping({'dayfirst': True})}; month first ({month_first}), "
           f"{add_to_mapping({'dayfirst': False})}")
    return message, fix
