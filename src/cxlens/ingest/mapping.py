"""Mappings (YAML) turn a source export into canonical columns.

A mapping renames columns, converts values (value maps, units, date formats, offsets),
sets constants, builds ids from templates, and can unpivot a wide survey export (one column
per question) into one row per answer. Built-in presets are mappings shipped with cxlens.
"""

from __future__ import annotations

import datetime as dt
import itertools
import string
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.ingest.hints import add_to_mapping, closest
from cxlens.schema import SURVEY_SCALES, TABLES, Table, Type

PRESET_DIR = Path(__file__).parent / "presets"
Unit = Literal["milliseconds", "seconds", "minutes", "hours", "days", "months"]
Epoch = Literal["seconds", "milliseconds", "microseconds", "nanoseconds"]
UNIT_SECONDS: dict[str, float] = {
    "milliseconds": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400,
}
#: Template tokens that are not source columns: the record's spreadsheet row (the header is
#: row 1) and the file's name without extensions, for files without an id column.
ROW_TOKEN, FILE_TOKEN = "_row", "_file"
TOKENS = frozenset({ROW_TOKEN, FILE_TOKEN})
Decimal = Literal[".", ","]
#: "" = no thousands separator; " " also accepts the no-break spaces spreadsheets write.
Thousands = Literal[",", ".", " ", "'", ""]
_DECIMAL_DOC = 'Decimal separator of numbers: "." (12.5) or "," (12,5).'
_THOUSANDS_DOC = ('Thousands separator: ",", ".", " ", "\'" or "" for none; by default the '
                  'other of "." and "," (1,234.5 with decimal ".", 1.234,5 with decimal ","). '
                  "Digits between separators must come in groups of three.")
_DAYFIRST_DOC = ("Order of dates such as 05/01/2026: true = day first (5 January), false = "
                 "month first (1 May). Unset: a date that could be either is quarantined "
                 "unless the column's other dates settle the order (13/01/2026).")


def default_thousands(decimal: str) -> str:
    return "," if decimal == "." else "."


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ColumnSpec(_Model):
    """How one canonical column is filled."""

    source: str | None = Field(None, alias="from", description="Source column to read.")
    value: Any = Field(None, description="Constant for every row (e.g. vendor: Acme BPO).")
    template: str | None = Field(
        None, description='Build text from source columns, e.g. "{Ticket ID}-csat"; '
        '{_row} is the record\'s row in the file (header = row 1) and {_file} the file\'s '
        'name without extensions, e.g. "{_file}-{_row}" for files without an id column.')
    values: dict[Any, Any] | None = Field(
        None, description="Value map, case-insensitive (e.g. Y: true, Very satisfied: 5). "
        "Values not in the map pass through unchanged.")
    unit: Unit | None = Field(None, description="Unit of a number that becomes seconds "
                              "(months: only with offset_from or back_from).")
    format: str | None = Field(None, description="strptime format of a timestamp.")
    epoch: Epoch | None = Field(
        None, description="A timestamp written as a number of this unit since 1970-01-01 "
        "00:00 UTC (Unix time), e.g. 1767607200 with epoch: seconds = 2026-01-05 10:00 UTC.")
    dayfirst: bool | None = Field(None, description=_DAYFIRST_DOC + " Overrides the "
                                  "mapping's.")
    decimal: Decimal | None = Field(None, description=_DECIMAL_DOC + " Overrides the mapping's.")
    thousands: Thousands | None = Field(None, description=_THOUSANDS_DOC
                                        + " Overrides the mapping's.")
    offset_from: str | None = Field(
        None, description="Canonical timestamp this duration is added to (e.g. created_at + "
        "first reply minutes = first_response_at).")
    back_from: str | None = Field(
        None, description="Canonical timestamp column, or a date, this duration is counted "
        "back from (e.g. acquired_at = snapshot date - tenure months).")
    bins: list[float] | None = Field(
        None, description="Band edges for a number, e.g. [18, 25, 35]: 17 -> under 18, "
        "18..24 -> 18-24, 25..34 -> 25-34, 35 and over -> 35+.")
    default: Any = Field(None, description="Used where the source value is empty.")
    other: Any = Field(None, description="With values: what any value not in the map becomes "
                       "(instead of passing through).")
    optional: bool = Field(False, description="The source column may be absent from a file "
                           "(e.g. a custom field); then this column is left empty.")
    only_if: dict[str, list[Any]] | None = Field(
        None, description="Keep the value only on rows whose source column holds one of these "
        "values (case-insensitive), e.g. {score: [good, bad]}; empty elsewhere.")

    @field_validator("template")
    @classmethod
    def _template_fields(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                list(string.Formatter().parse(v))
            except ValueError as exc:
                raise ValueError(f"bad template {v!r}: {exc}") from exc
        return v

    @field_validator("bins")
    @classmethod
    def _increasing(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (not v or any(b <= a for a, b in itertools.pairwise(v))):
            raise ValueError("bins must be a non-empty list of increasing numbers")
        return v

    def template_fields(self) -> list[str]:
        """Source columns the template reads (tokens such as {_row} excluded)."""
        return [] if self.template is None else template_sources(self.template)

    @property
    def shift_base(self) -> str | None:
        """The timestamp (column or date) a duration is added to or counted back from."""
        return self.offset_from or self.back_from


def template_sources(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f and f not in TOKENS]


class Question(_Model):
    """One question column of a wide survey export."""

    source: str = Field(alias="from", description="Column holding the answer.")
    survey: str = Field(description="csat, nps, ces or a custom survey name.")
    scale: tuple[int, int] | None = Field(None, description="(min, max); standard surveys "
                                          "default to csat 1-5, nps 0-10, ces 1-7.")
    values: dict[Any, Any] | None = Field(None, description="Label → score map.")
    comment: str | None = Field(None, description='Column with this question\'s "Why?" text.')


class Unpivot(_Model):
    """Wide survey export → one survey_responses row per answered question."""

    questions: list[Question]
    response_id: str = Field(
        description='Template for each answer\'s id, e.g. "{Response ID}-{survey}"; '
        "{survey} is the question's survey name.")


class Skip(_Model):
    """Rows the mapping deliberately leaves out; each is recorded as skipped with the reason."""

    source: str = Field(alias="from", description="Source column to test.")
    values: list[Any] = Field(description="Skip rows whose value is one of these "
                              "(case-insensitive).")
    reason: str = Field(description="Why, shown in the import report and the quarantine.")


class Mapping(_Model):
    table: str | None = Field(None, description="Canonical table this mapping loads.")
    description: str = ""
    sample: str | None = Field(None, description="Sample file shipped with a preset.")
    timezone: str | None = Field(None, description="Zone of timestamps without an offset.")
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = Field(None, description="XLSX sheet to read (default: the first).")
    merge: bool = Field(False, description="Update existing rows: only mapped columns change; "
                        "rows with an unknown key are quarantined.")
    columns: dict[str, str | ColumnSpec] = Field(default_factory=dict)
    unpivot: Unpivot | None = None
    skip: list[Skip] = Field(default_factory=list)
    missing: list[Any] = Field(
        default_factory=list, description='Codes that mean "no value" in every column of the '
        'file (e.g. ["?", "N/A"]), matched case-insensitively; each is counted in the import '
        "summary.")
    time_order: Literal["reject", "empty"] = Field(
        "reject", description="A time before the one it must follow (e.g. resolved_at before "
        "created_at): reject the row (default), or empty the later time and keep the row, "
        "flagged.")
    decimal: Decimal = Field(".", description=_DECIMAL_DOC)
    thousands: Thousands | None = Field(None, description=_THOUSANDS_DOC)
    dayfirst: bool | None = Field(None, description=_DAYFIRST_DOC)

    @model_validator(mode="after")
    def _separators_differ(self) -> Mapping:
        for name in [None, *self.columns]:
            decimal, thousands = self.separators(name)
            if decimal == thousands:
                where = f"columns.{name}" if name else "the mapping"
                raise ValueError(f"{where}: decimal and thousands are both {decimal!r}; "
                                 "a number needs two different separators")
        return self

    def separators(self, column: str | None = None) -> tuple[str, str]:
        """(decimal, thousands) of ``column``: its own settings, else the mapping's."""
        spec = self.spec(column) if column in self.columns else None
        if spec is not None and spec.thousands is not None:
            decimal = spec.decimal or self.decimal
            return decimal, spec.thousands
        if spec is not None and spec.decimal is not None:
            return spec.decimal, default_thousands(spec.decimal)
        thousands = self.thousands
        return self.decimal, default_thousands(self.decimal) if thousands is None else thousands

    def day_first(self, column: str) -> bool | None:
        """The day/month order of ``column``: its own ``dayfirst``, else the mapping's."""
        spec = self.spec(column) if column in self.columns else None
        if spec is not None and spec.dayfirst is not None:
            return spec.dayfirst
        return self.dayfirst

    def spec(self, column: str) -> ColumnSpec:
        raw = self.columns[column]
        return ColumnSpec(**{"from": raw}) if isinstance(raw, str) else raw

    def specs(self, source_columns: list[str] | None = None) -> dict[str, ColumnSpec]:
        """Column specs; given a file's columns, optional ones whose source is absent drop out."""
        specs = {name: self.spec(name) for name in self.columns}
        if source_columns is None:
            return specs
        cols = set(source_columns)
        return {n: s for n, s in specs.items()
                if not (s.optional and s.source is not None and s.source not in cols)}


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A mapping from a YAML file, or a built-in preset by name (see ``cxlens presets``)."""
    path = Path(name_or_path)
    if not path.is_file():
        preset = PRESET_DIR / f"{name_or_path}.yaml"
        if not preset.is_file():
            raise NotFound(
                f"no mapping file {name_or_path} and no preset of that name."
                f"{did_you_mean(str(name_or_path), preset_names())}",
                f"give a YAML path, or one of the presets: {', '.join(preset_names())}",
            )
        path = preset
    return mapping_from_text(path.read_text(encoding="utf-8"), str(path))


def mapping_from_text(text: str, where: str) -> Mapping:
    """A mapping from its YAML text (a file's, an upload's), ``where`` naming it in errors."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}", "fix the YAML syntax") from exc
    return parse_mapping(doc or {}, where)


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def parse_mapping(doc: dict[str, Any], where: str = "mapping") -> Mapping:
    try:
        return Mapping.model_validate(doc)
    except ValidationError as exc:
        lines = [f"{where}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(
            f"{len(lines)} problem(s) in the mapping:\n  " + "\n  ".join(lines),
            "see docs/import.md for the mapping format",
        ) from exc


def check_mapping(mapping: Mapping, table: Table, source_columns: list[str], where: str) -> None:
    """Report every problem of ``mapping`` against ``table`` and a file's columns at once."""
    problems: list[str] = []
    if mapping.table and mapping.table != table.name:
        problems.append(f"the mapping is for table {mapping.table}, not {table.name}")
    names = table.column_names
    cols = set(source_columns)

    def need_source(col: str, what: str, target: str | None = None) -> None:
        if col not in cols:
            guess = closest(col, source_columns)
            fix = f" Fix: {add_to_mapping({'columns': {target: {'from': guess}}})}" \
                if guess and target else ""
            problems.append(f'{what}: the file has no column "{col}".'
                            f"{did_you_mean(col, source_columns)}{fix}")

    for target, spec in mapping.specs().items():
        if target not in names:
            problems.append(f'columns.{target}: {table.name} has no column "{target}".'
                            f"{did_you_mean(target, names)}")
            continue
        given = [spec.source is not None, spec.value is not None, spec.template is not None]
        if sum(given) != 1:
            problems.append(f"columns.{target}: give exactly one of from, value or template")
        if spec.source is not None and not spec.optional:
            need_source(spec.source, f"columns.{target}.from", target)
        if spec.other is not None and not spec.values:
            problems.append(f"columns.{target}.other: only makes sense with values")
        for field in spec.template_fields():
            if field != "survey":
                need_source(field, f"columns.{target}.template")
        for field in spec.only_if or {}:
            need_source(field, f"columns.{target}.only_if")
        col_type = table.column(target).type
        if spec.unit and col_type not in (Type.FLOAT, Type.INTEGER, Type.TIMESTAMP):
            problems.append(f"columns.{target}.unit: {target} is {col_type.value}, not a duration")
        problems += _shift_problems(target, spec, col_type, mapping, cols)
        problems += _epoch_problems(target, spec, col_type)
        if spec.bins is not None and col_type is not Type.STRING:
            problems.append(f"columns.{target}.bins: {target} is {col_type.value}; bands are text")
    for i, skip in enumerate(mapping.skip):
        need_source(skip.source, f"skip[{i}].from")
    if mapping.unpivot is not None:
        if table.name != "survey_responses":
            problems.append("unpivot only applies to survey_responses")
        for i, q in enumerate(mapping.unpivot.questions):
            need_source(q.source, f"unpivot.questions[{i}].from")
            if q.comment:
                need_source(q.comment, f"unpivot.questions[{i}].comment")
            if q.scale is None and q.survey.lower() not in SURVEY_SCALES:
                problems.append(f"unpivot.questions[{i}]: custom survey {q.survey!r} needs a scale")
        for name in template_sources(mapping.unpivot.response_id):
            if name != "survey":
                need_source(name, "unpivot.response_id")
    if problems:
        raise ConfigError(
            f"{where}: {len(problems)} problem(s) with the mapping:\n  " + "\n  ".join(problems),
            "fix the mapping (docs/import.md); column names must match the file's header exactly",
        )


def _epoch_problems(target: str, spec: ColumnSpec, col_type: Type) -> list[str]:
    """epoch: a timestamp read from numbers, so neither a format nor a duration."""
    if spec.epoch is None:
        return []
    if col_type is not Type.TIMESTAMP:
        return [f"columns.{target}.epoch: {target} is {col_type.value}, not a timestamp"]
    other = "format" if spec.format else "offset_from/back_from" if spec.shift_base else None
    return [f"columns.{target}: give epoch or {other}, not both"] if other else []


def _shift_problems(target: str, spec: ColumnSpec, col_type: Type, mapping: Mapping,
                    cols: set[str]) -> list[str]:
    """offset_from / back_from: a timestamp target, one base, a mapped column or a date."""
    if spec.offset_from and spec.back_from:
        return [f"columns.{target}: give offset_from or back_from, not both"]
    base = spec.shift_base
    if base is None:
        return [f"columns.{target}.unit: months only work with offset_from or back_from"] \
            if spec.unit == "months" else []
    key = "offset_from" if spec.offset_from else "back_from"
    if col_type is not Type.TIMESTAMP:
        return [f"columns.{target}.{key}: {target} is not a timestamp"]
    if base in mapping.columns or base in cols:
        return []
    try:
        dt.datetime.fromisoformat(base)
    except ValueError:
        return [f"columns.{target}.{key}: {base} is neither a mapped column nor a date "
                "(e.g. 2018-01-31)"]
    return []


def table_for(mapping: Mapping | None, table: str | None) -> Table:
    from cxlens.schema import table as lookup

    name: str | None = table or (mapping.table if mapping else None)
    if not name:
        raise ConfigError("which table should this file go to?",
                          f"name it: one of {', '.join(TABLES)}")
    return lookup(name)
