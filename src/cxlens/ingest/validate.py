"""Row-level validation of one mapped chunk: types, enums, required values, scales, time
order, negative durations. Every problem in the chunk is found in one pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from cxlens.errors import did_you_mean
from cxlens.ingest import coerce, derive, hints
from cxlens.ingest.epoch import only_numbers, refusal, to_epoch
from cxlens.ingest.mapping import UNIT_SECONDS, Epoch, Mapping
from cxlens.ingest.problems import Problem, Severity, show_value
from cxlens.ingest.transform import ROW
from cxlens.schema import SURVEY_SCALES, Column, Table, Type


@dataclass
class Checked:
    """A validated chunk: typed canonical values, the problems, and which rows are rejected."""

    data: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected: pd.Series | None = None

    @property
    def good(self) -> pd.DataFrame:
        return self.data if self.rejected is None else self.data.loc[~self.rejected]


class _Collector:
    def __init__(self, frame: pd.DataFrame, raw: pd.DataFrame, file: str,
                 mapping: Mapping | None, sources: dict[str, str], table: Table) -> None:
        self.frame, self.raw, self.file, self.table = frame, raw, file, table
        self.mapping, self.sources = mapping, sources
        self.problems: list[Problem] = []
        self.rejected = pd.Series(False, index=frame.index)

    def add(self, mask: pd.Series, column: str | None, rule: str, message: str, hint: str,
            severity: Severity = "error", value_of: str | None = None) -> None:
        """Record a problem for every row where ``mask`` is true. ``message`` may use {value}."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        src = value_of or column
        for idx in mask[mask].index:
            raw = self.raw.at[idx, src] if src and src in self.raw.columns else None
            value = show_value(raw)
            self.problems.append(Problem(
                self.file, int(cast(int, self.frame.at[idx, ROW])), column, value, rule,
                message.format(value=value), hint, severity,
            ))
        if severity == "error":
            self.rejected |= mask


def check_chunk(raw: pd.DataFrame, table: Table, mapping: Mapping | None, tz: ZoneInfo,
                file: str, sources: dict[str, str] | None = None) -> Checked:
    """Type, normalise and check ``raw`` (the output of ``apply_mapping``). ``sources`` names
    the file column behind each canonical column, so a suggested fix can name it."""
    out = pd.DataFrame({ROW: raw[ROW]}, index=raw.index)
    c = _Collector(out, raw, file, mapping, sources or {}, table)
    specs = mapping.specs() if mapping else {}
    shifts: list[Column] = []
    for col in table.columns:
        if col.name not in raw.columns:
            continue
        spec = specs.get(col.name)
        if spec and spec.shift_base:
            shifts.append(col)
            continue
        series = raw[col.name]
        if spec and spec.bins is not None:
            series, bad = derive.bands(series, spec.bins, _separators(mapping, col.name))
            c.add(bad, col.name, "type", "{value} is not a number to put in a band",
                  "give a number, or map the value to one (values:) or to null")
        out[col.name] = _typed(c, series, col, tz, spec.unit if spec else None,
                               spec.format if spec else None,
                               mapping.day_first(col.name) if mapping else None,
                               spec.epoch if spec else None)
    for col in shifts:
        spec = specs[col.name]
        assert spec.shift_base is not None
        base = derive.base_times(spec.shift_base, out, tz)
        out[col.name], bad, frac = derive.shifted(raw[col.name], base, spec,
                                                  _separators(mapping, col.name))
        c.add(bad, col.name, "type", "{value} is not a duration",
              "give a number (in the mapping's unit) or a clock time such as 3:45")
        c.add(frac, col.name, "not_integer", "{value} is not a whole number of months",
              "months are counted whole; give whole months, or a finer unit (days)")
    if not (mapping and mapping.merge):  # a merge changes only the columns it maps
        _defaults(out, table)
    _required(c, raw, out, table)
    _rules(c, out, table, mapping)
    return Checked(out, c.problems, c.rejected)


def _typed(c: _Collector, series: pd.Series, col: Column, tz: ZoneInfo, unit: str | None,
           fmt: str | None, dayfirst: bool | None, epoch: Epoch | None = None) -> pd.Series:
    name = col.name
    if col.type is Type.STRING:
        values, _ = coerce.to_text(series)
        if col.enum or col.normalize:
            norm = values.map(lambda v: v.strip().lower(), na_action="ignore")
            if col.enum:
                norm = norm.map(_enum_key, na_action="ignore")
                bad = norm.notna() & ~norm.isin(col.enum)
                enum = col.enum
                _per_value(c, series, bad, name, "enum",
                           lambda w: f"{{value}} is not a known {name}."
                           f"{did_you_mean(_enum_key(w), enum)}",
                           lambda w: hints.enum(c.sources.get(name), name, w, enum),
                           f"use one of {', '.join(enum)}, or map the values in a mapping")
            return norm
        return values
    if col.type is Type.BOOLEAN:
        values, bad = coerce.to_boolean(series)
        generic = "use true/false, yes/no, y/n or 1/0, or map the values in a mapping"
        _per_value(c, series, bad, name, "type", lambda _: "{value} is not true or false",
                   lambda w: "use true/false, yes/no, y/n or 1/0, or "
                   + hints.to_choose(c.sources.get(name), name, w, "true or false"), generic)
        return values
    if col.type is Type.TIMESTAMP:
        if epoch is not None:
            values, bad = to_epoch(series, epoch, *_separators(c.mapping, name))
            _not_a_number(c, series, bad, col, f"give a number of {epoch} since 1970-01-01 "
                          "00:00 UTC", f"{{value}} is not a number of {epoch} since 1970-01-01")
            return values
        if only_numbers(series):  # Unix times read as dates would be 1970: never guessed
            raise refusal(c.file, name, c.sources.get(name), series)
        ambiguous = pd.Series(False, index=series.index)
        if fmt is None and dayfirst is None:
            ambiguous, dayfirst = coerce.ambiguous_dates(series)
        values, bad, dst = coerce.to_timestamp(series, tz, fmt, bool(dayfirst))
        if ambiguous.any():
            values, bad, dst = values.where(~ambiguous), bad & ~ambiguous, dst & ~ambiguous
            _per_value(c, series, ambiguous, name, "type",
                       lambda w: _day_order(w)[0].replace("{", "{{").replace("}", "}}"),
                       lambda w: _day_order(w)[1],
                       "say which the file means: day first, "
                       + hints.add_to_mapping({"dayfirst": True}) + "; month first, "
                       + hints.add_to_mapping({"dayfirst": False}))
        if bad.any():
            c.add(bad, name, "type", "{value} is not a date and time",
                  hints.date_format(c.sources.get(name), name, series))
        c.add(dst, name, "timezone",
              f"{{value}} does not exist or is ambiguous in {tz.key} (daylight-saving change)",
              hints.timezone(tz.key))
        return values
    seps = _separators(c.mapping, name)
    if col.type is Type.INTEGER:
        values, bad, misread, infinite = coerce.read_numbers(series, *seps)
        _not_a_number(c, series, bad, col, "give a whole number")
        _misread(c, series, misread, infinite, col, seps)
        frac = values.notna() & (values != np.floor(values))
        c.add(frac, name, "not_integer", "{value} is not a whole number",
              "scores and counts must be whole numbers; fix the source or map the value")
        return values.where(~frac).round().astype("Int64")
    if col.is_duration or unit:
        values, bad, misread, infinite = coerce.read_seconds(
            series, UNIT_SECONDS[unit or "seconds"], *seps)
        _not_a_number(c, series, bad, col, "give a number of seconds (of minutes or hours "
                      "with unit: in the mapping) or a clock time such as 3:45 (= 225 s)",
                      "{value} is not a duration")
        _misread(c, series, misread, infinite, col, seps)
        return values
    values, bad, misread, infinite = coerce.read_numbers(series, *seps)
    _not_a_number(c, series, bad, col, "give a number such as 12.5")
    _misread(c, series, misread, infinite, col, seps)
    return values


def _day_order(written: str) -> tuple[str, str]:
    fields = coerce.day_month(written)
    assert fields is not None
    return hints.day_order(written, *fields)


def _separators(mapping: Mapping | None, name: str) -> tuple[str, str]:
    return mapping.separators(name) if mapping else (".", ",")


def _number_columns(c: _Collector) -> dict[str, tuple[str, str]]:
    """The chunk's number columns and their separators."""
    table = c.table
    return {col.name: _separators(c.mapping, col.name) for col in table.columns
            if col.name in c.raw.columns
            and (col.type in (Type.INTEGER, Type.FLOAT))}


def _misread(c: _Collector, series: pd.Series, misread: pd.Series, infinite: pd.Series,
             col: Column, seps: tuple[str, str]) -> None:
    """Numbers that do not read with the separators, and infinities: refused, never guessed.
    The fix sets the separators file-wide when that reads every number column of the chunk
    that follows the mapping's, else on this column only."""
    name = col.name
    _per_value(c, series, infinite, name, "type",
               lambda _: "{value} is not a finite number",
               lambda w: "give a finite number" if col.required else hints.no_value(
                   c.sources.get(name), name, w, "give a finite number"),
               "give a finite number")
    if not misread.fillna(False).astype(bool).any():
        return
    fix: str | None = None
    option = hints.number_separators([series], seps)
    if option is not None:
        own = _own_separators(c.mapping, name)
        shared = [c.raw[n] for n, s in _number_columns(c).items()
                  if s == seps and not _own_separators(c.mapping, n)]
        pattern = coerce.number_pattern(*option)
        if not own and all(pattern.match(v) for s in shared for v in coerce.numberish(s)):
            fix = hints.add_to_mapping(hints.separators_patch(*option))
        else:
            fix = hints.column_fix(c.sources.get(name), name, **hints.separators_patch(*option))
    _per_value(c, series, misread, name, "type",
               lambda w: f"{w} is not a number with these separators",
               lambda w: hints.misread_number(w, seps, fix),
               hints.misread_number("…", seps, None))


def _own_separators(mapping: Mapping | None, name: str) -> bool:
    spec = mapping.spec(name) if mapping and name in mapping.columns else None
    return spec is not None and (spec.decimal is not None or spec.thousands is not None)


def _enum_key(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def _not_a_number(c: _Collector, series: pd.Series, bad: pd.Series, col: Column, hint: str,
                  message: str = "{value} is not a number") -> None:
    """Text where a number belongs; in an optional column it may be a "no value" code."""
    _per_value(c, series, bad, col.name, "type", lambda _: message,
               lambda w: hint if col.required
               else hints.no_value(c.sources.get(col.name), col.name, w, hint), hint)


#: Distinct bad values of one column that get a fix of their own; the rest share a generic
#: hint, so a wrongly mapped column of distinct values costs one pass, not one per value.
PER_VALUE = 20


def _per_value(c: _Collector, series: pd.Series, bad: pd.Series, column: str, rule: str,
               message: Callable[[str], str], hint: Callable[[str], str], generic: str) -> None:
    """Report ``bad`` values with a message and fix written for each value as written."""
    bad = bad.fillna(False).astype(bool)
    if not bad.any():
        return
    text = series[bad].map(lambda v: str(v).strip())
    values = list(pd.unique(text))
    for written in values[:PER_VALUE]:
        c.add(bad & (text == written).reindex(bad.index, fill_value=False), column, rule,
              message(written), hint(written))
    if len(values) > PER_VALUE:
        rest = bad & ~text.isin(values[:PER_VALUE]).reindex(bad.index, fill_value=False)
        c.add(rest, column, rule, message("{value}"), generic)


def _defaults(out: pd.DataFrame, table: Table) -> None:
    for col in table.columns:
        if col.default is None:
            continue
        if col.name not in out.columns:
            out[col.name] = col.default
        else:
            out[col.name] = out[col.name].where(out[col.name].notna(), col.default)
    if table.name == "survey_responses":
        for bound, pos in (("scale_min", 0), ("scale_max", 1)):
            default = out["survey"].map(lambda s, p=pos: SURVEY_SCALES.get(s, (None, None))[p],
                                        na_action="ignore").astype("Int64")
            out[bound] = out[bound].where(out[bound].notna(), default) if bound in out else default
        kind = pd.Series("relational", index=out.index, dtype=object)
        if "interaction_id" in out:
            kind = kind.where(out["interaction_id"].isna(), "transactional")
        out["kind"] = out["kind"].where(out["kind"].notna(), kind) if "kind" in out else kind


def _required(c: _Collector, raw: pd.DataFrame, out: pd.DataFrame, table: Table) -> None:
    for name in table.required:
        if name not in out.columns:
            continue  # a missing required column refuses the whole file earlier
        # Only truly empty values: a value that failed conversion is already reported.
        empty = coerce.is_blank(raw[name]) if name in raw.columns else out[name].isna()
        c.add(empty & out[name].isna(), name, "required", f"{name} is empty",
              f"every {table.name} row needs a {name}")


def _rules(c: _Collector, out: pd.DataFrame, table: Table, mapping: Mapping | None) -> None:
    for col in table.columns:
        if col.minimum is not None and col.name in out.columns:
            c.add(out[col.name] < col.minimum, col.name, "negative",
                  f"{col.name} {{value}} is below {col.minimum:g}",
                  "durations and counts cannot be negative; check the source export")
    keep = mapping is not None and mapping.time_order == "empty"
    for early, late in table.time_order:
        if early in out.columns and late in out.columns:
            wrong = (out[late] < out[early]).fillna(False).astype(bool)
            if keep:
                c.add(wrong, late, "time_order", f"{late} is before {early}: {late} emptied, "
                      "the row kept", f"check the time zones and the {early}/{late} columns "
                      "of this row", "warning")
                out[late] = out[late].where(~wrong)
            else:
                c.add(wrong, late, "time_order", f"{late} is before {early}",
                      f"check the time zones and the {early}/{late} columns of this row, or "
                      f"{hints.add_to_mapping({'time_order': 'empty'})}")
    if table.name == "interactions" and {"answered_at", "abandoned_at"} <= set(out.columns):
        c.add(out["answered_at"].notna() & out["abandoned_at"].notna(), "abandoned_at",
              "answered_and_abandoned", "the contact is both answered and abandoned",
              "keep only one of answered_at and abandoned_at")
    if table.name == "survey_responses":
        _survey_rules(c, out)
    if table.name == "qa_reviews":
        lo, hi = out.get("min_score"), out.get("max_score")
        if lo is not None and hi is not None and "score" in out:
            c.add(out["score"].notna() & ((out["score"] < lo) | (out["score"] > hi)), "score",
                  "out_of_scale", "score {value} is outside the criterion's scale",
                  "scores must lie between min_score and max_score")
            c.add(hi <= lo, "max_score", "bad_scale", "max_score is not above min_score",
                  "fix the criterion's scale")
        if "score" in out and "not_applicable" in out:
            c.add(out["score"].isna() & ~out["not_applicable"].fillna(False).astype(bool),
                  "score", "required", "score is empty and the criterion is not marked N/A",
                  "give a score or set not_applicable to true")


def _survey_rules(c: _Collector, out: pd.DataFrame) -> None:
    survey, score = out["survey"], out["score"]
    lo, hi = out["scale_min"], out["scale_max"]
    no_scale = survey.notna() & (lo.isna() | hi.isna())
    c.add(no_scale, "scale_max", "no_scale", "custom survey {value} has no scale",
          "give both ends of its scale, e.g. in the mapping columns: {scale_min: {value: …}, "
          "scale_max: {value: …}} (… = its lowest and highest score)",
          value_of="survey")
    c.add(~no_scale & (hi <= lo), "scale_max", "bad_scale", "scale_max is not above scale_min",
          "fix the scale columns")
    outside = score.notna() & ~no_scale & ((score < lo) | (score > hi))
    for name in sorted(set(survey[outside].dropna())):
        rows = outside & (survey == name)
        first = rows[rows].index[0]
        c.add(rows, "score", "out_of_scale",
              f"score {{value}} is outside {int(lo[first])}–{int(hi[first])} for survey {name}",
              "scores must be whole numbers on the survey's scale; correct the value or the "
              "scale_min/scale_max columns")
