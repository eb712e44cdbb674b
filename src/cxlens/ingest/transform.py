"""Apply a mapping to one chunk of source records: canonical column names, raw values.

Type conversion happens afterwards (``coerce``); this step only renames, maps values,
sets constants, fills templates and unpivots wide survey exports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from cxlens.ingest.mapping import FILE_TOKEN, ROW_TOKEN, ColumnSpec, Mapping
from cxlens.schema import SURVEY_SCALES, Table

ROW = ROW_TOKEN  # the bookkeeping column is also the template token {_row}


def normalise_header(name: str) -> str:
    """"Created At" → "created_at", so files whose headers are canonical need no mapping."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def passthrough_columns(table: Table, mapping: Mapping | None,
                        source_columns: list[str]) -> dict[str, str]:
    """Canonical column → source column, for unmapped source columns named like canonical ones."""
    mapped = set(mapping.specs(source_columns)) if mapping else set()
    if mapping and mapping.unpivot:
        mapped |= {"survey", "score", "scale_min", "scale_max", "comment", "response_id"}
    out: dict[str, str] = {}
    for src in source_columns:
        canon = normalise_header(src)
        if canon in table.column_names and canon not in mapped and canon not in out:
            out[canon] = src
    return out


def ignored_columns(table: Table, mapping: Mapping | None, source_columns: list[str]) -> list[str]:
    used = set(passthrough_columns(table, mapping, source_columns).values())
    if mapping:
        used.update(s.source for s in mapping.skip)
        for spec in mapping.specs(source_columns).values():
            if spec.source:
                used.add(spec.source)
            used.update(spec.template_fields())
            used.update(spec.only_if or {})
        if mapping.unpivot:
            for q in mapping.unpivot.questions:
                used.add(q.source)
                if q.comment:
                    used.add(q.comment)
    return [c for c in source_columns if c not in used]


_YAML_BOOL_SPELLINGS = {True: ("true", "yes", "on"), False: ("false", "no", "off")}


def _lookup(values: dict[Any, Any]) -> dict[str, Any]:
    """Lower-cased keys. YAML reads unquoted Yes/No/On/Off keys as booleans, so a boolean key
    matches every spelling YAML would have turned into it."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(k, bool):
            for spelling in _YAML_BOOL_SPELLINGS[k]:
                out.setdefault(spelling, v)
        else:
            out[str(k).strip().lower()] = v
    return out


def _keys(series: pd.Series) -> pd.Series:
    return series.map(lambda v: None if v is None or v != v else str(_plain(v)).strip().lower())


def map_values(series: pd.Series, values: dict[Any, Any], other: Any = None) -> pd.Series:
    """Case-insensitive value map; values not in the map pass through unchanged, or become
    ``other`` when it is given."""
    table = _lookup(values)
    keys = _keys(series)
    mapped = keys.map(table)
    hit = keys.isin(list(table))
    out = series.astype(object).where(~hit, mapped)
    if other is not None:
        out = out.where(hit | keys.isna(), other)
    return out


def skip_mask(data: pd.DataFrame, values: list[Any], column: str) -> pd.Series:
    wanted = set(_lookup(dict.fromkeys(values, True)))
    return _keys(data[column]).isin(wanted)


def _template(frame: pd.DataFrame, template: str, extra: dict[str, str] | None = None) -> pd.Series:
    """Fill a ``str.format`` template row by row; rows with an empty field give None."""
    fields = [f for f in re.findall(r"{([^{}]+)}", template) if not extra or f not in extra]

    def fill(row: pd.Series) -> str | None:
        vals: dict[str, Any] = {}
        for f in fields:
            v = row[f]
            if v is None or v != v or (isinstance(v, str) and not v.strip()):
                return None
            vals[f] = _plain(v)
        vals.update(extra or {})
        return template.format(**vals)

    if frame.empty:
        return pd.Series([], dtype=object)
    return frame.apply(fill, axis=1)


def _plain(v: Any) -> Any:
    """12.0 read from a spreadsheet is the id 12, not "12.0"; a spreadsheet date cell is its
    day (2024-03-28) and a time cell its clock time, so "{Date} {Time}" is one timestamp."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() and v.tzinfo is None \
            else v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v).strip() if isinstance(v, str) else v


def file_token(path: str | Path) -> str:
    """The {_file} token: the file's name without its extensions (calls.csv.gz -> calls)."""
    name = Path(path).name
    return name.split(".", 1)[0] or name


def apply_mapping(data: pd.DataFrame, rows: pd.Series, table: Table,
                  mapping: Mapping | None, file: str | Path = "") -> pd.DataFrame:
    """Canonical columns (raw values) plus ``_row``, the spreadsheet row of each record."""
    out = pd.DataFrame(index=data.index)
    columns = list(data.columns)
    for canon, src in passthrough_columns(table, mapping, columns).items():
        out[canon] = data[src]
    specs = mapping.specs(columns) if mapping else {}
    data = data.copy(deep=False)
    data[ROW_TOKEN], data[FILE_TOKEN] = rows, file_token(file)
    for canon, spec in specs.items():
        out[canon] = _column(data, spec)
    out[ROW] = rows
    if mapping and mapping.unpivot:
        out = _unpivot(data, out, mapping)
    return out.reset_index(drop=True)


def _column(data: pd.DataFrame, spec: ColumnSpec) -> pd.Series:
    if spec.value is not None:
        return pd.Series([spec.value] * len(data), index=data.index, dtype=object)
    if spec.template is not None:
        col = _template(data, spec.template)
    else:
        assert spec.source is not None
        col = data[spec.source].astype(object)
    if spec.values:
        col = map_values(col, spec.values, spec.other)
    if spec.default is not None:
        empty = col.isna() | col.map(lambda v: isinstance(v, str) and not v.strip())
        col = col.where(~empty, spec.default)
    for source, wanted in (spec.only_if or {}).items():
        col = col.where(skip_mask(data, wanted, source), None)
    return col


def _unpivot(data: pd.DataFrame, shared: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    assert mapping.unpivot is not None
    parts: list[pd.DataFrame] = []
    for q in mapping.unpivot.questions:
        answer = data[q.source].astype(object)
        if q.values:
            answer = map_values(answer, q.values)
        answered = answer.notna() & ~answer.map(lambda v: isinstance(v, str) and not v.strip())
        part = shared.loc[answered].copy()
        survey = q.survey.lower()
        part["survey"] = survey
        part["score"] = answer[answered]
        lo, hi = q.scale or SURVEY_SCALES[survey]
        part["scale_min"], part["scale_max"] = lo, hi
        if q.comment:
            part["comment"] = data.loc[answered, q.comment]
        part["response_id"] = _template(data.loc[answered], mapping.unpivot.response_id,
                                        {"survey": survey})
        parts.append(part)
    if not parts:
        return shared.iloc[0:0]
    return pd.concat(parts, ignore_index=False).sort_values(ROW, kind="stable")


def declared_missing(data: pd.DataFrame, codes: list[Any], columns: list[str]
                     ) -> tuple[pd.DataFrame, Counter[tuple[str, str]]]:
    """The mapping's ``missing`` codes emptied in ``columns``, with a count per column and
    code as written."""
    found: Counter[tuple[str, str]] = Counter()
    if not codes:
        return data, found
    wanted = set(_lookup(dict.fromkeys(codes, None)))
    out = data.copy(deep=False)
    for col in columns:
        hit = _keys(data[col]).isin(wanted)
        if hit.any():
            for value, n in data.loc[hit, col].map(lambda v: str(_plain(v))).value_counts().items():
                found[(col, str(value))] += int(n)
            out[col] = data[col].where(~hit, None)
    return out, found


def mapped_to_missing(data: pd.DataFrame, mapping: Mapping | None) -> Counter[tuple[str, str]]:
    """(source column, value as written) -> how many values a value map turned into missing,
    e.g. survey codes 98/99 mapped to null: counted so that they never vanish unseen."""
    found: Counter[tuple[str, str]] = Counter()
    if mapping is None:
        return found
    maps = [(s.source, s.values) for s in mapping.specs(list(data.columns)).values()
            if s.source is not None and s.values]
    if mapping.unpivot:
        maps += [(q.source, q.values) for q in mapping.unpivot.questions if q.values]
    for source, values in maps:
        emptied = {k for k, v in _lookup(values).items() if v is None}
        if not emptied:
            continue
        raw = data[source]
        hit = _keys(raw).isin(emptied)
        for value, n in raw[hit].map(lambda v: str(_plain(v))).value_counts().items():
            found[(source, str(value))] += int(n)
    return found
