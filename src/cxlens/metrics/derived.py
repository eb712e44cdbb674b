"""Derived columns declared as data (``derived.yaml``): a column computed over a window of its
table's rows — the next or previous row's value, the first row's, the minimum or maximum, or
the nearest later or earlier value among the rows that meet a condition (``next`` /
``previous`` with ``where``: the customer's next outbound contact) — partitioned by columns and
ordered by columns, compiled by one function (``Derived.__call__``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from cxlens.errors import ConfigError, did_you_mean
from cxlens.schema import TABLES

if TYPE_CHECKING:  # ibis is imported when a column is compiled, not when metrics are listed
    import ibis.expr.types as ir

PATH = Path(__file__).with_name("derived.yaml")


class Derived(BaseModel):
    """One derived column of ``table``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    table: str
    doc: str = ""
    kind: Literal["lead", "lag", "first", "min", "max", "next", "previous"]
    of: str
    partition: tuple[str, ...]
    order: tuple[str, ...] = ()
    #: Only rows meeting this condition (SQL over the table's own columns) give a value:
    #: ``min``/``max`` over them; ``next``/``previous``: the nearest later/earlier one.
    where: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Derived:
        if self.table not in TABLES:
            raise ValueError(f"no table {self.table!r}.{did_you_mean(self.table, TABLES)}")
        own = TABLES[self.table].column_names
        for col in (self.of, *self.partition, *self.order):
            if col not in own:
                raise ValueError(f"{self.table} has no column {col!r}.{did_you_mean(col, own)}")
        if self.kind in ("lead", "lag", "first", "next", "previous") and not self.order:
            raise ValueError(f"kind {self.kind} needs an order")
        if self.kind in ("next", "previous") and self.order[0] != self.of:
            # the nearest later value is then the smallest of the later rows' values
            raise ValueError(f"kind {self.kind}: order by {self.of} first "
                             f"(order: [{self.of}, ...])")
        if self.where is not None:
            if self.kind in ("lead", "lag", "first"):
                raise ValueError(f"where applies to kinds min, max, next and previous, not "
                                 f"{self.kind} (for the next row that meets it use next)")
            from cxlens.metrics.typecheck import problems

            found = problems(self.where, {c.name: c for c in TABLES[self.table].columns},
                             "boolean")
            if found:
                raise ValueError("where: " + "; ".join(found))
        return self

    def __call__(self, t: ir.Table) -> ir.Value:
        """The column's expression over ``t`` (the table)."""
        import ibis

        group, order = [t[c] for c in self.partition], [t[c] for c in self.order] or None
        value = t[self.of]
        if self.where is not None:
            from cxlens.metrics.expr import to_ibis

            value = ibis.ifelse(to_ibis(self.where, t).fill_null(False), value, ibis.null())
        if self.kind in ("next", "previous"):  # rows after (before) this one, in order
            rows = (1, None) if self.kind == "next" else (None, -1)
            frame = ibis.window(group_by=group, order_by=order, rows=rows)
            nearest = value.min() if self.kind == "next" else value.max()
            out: ir.Value = nearest.over(frame)
        else:
            window = ibis.window(group_by=group, order_by=order)
            out = {"lead": value.lead, "lag": value.lag, "first": value.first,
                   "min": value.min, "max": value.max}[self.kind]().over(window)
        return out


def parse(doc: object, where: str, problems: list[str]) -> dict[str, dict[str, Derived]]:
    """The derived columns of a ``{table: {column: fields}}`` mapping; problems are added to
    ``problems`` (``where: table.column: what``), every one at once."""
    out: dict[str, dict[str, Derived]] = {}
    if not isinstance(doc, dict):
        problems.append(f"{where}: expected tables, each with its derived columns")
        return out
    for table, columns in doc.items():
        if not isinstance(columns, dict):
            problems.append(f"{where}: {table}: expected its derived columns by name")
            continue
        for name, fields in columns.items():
            if not isinstance(fields, dict):
                problems.append(f"{where}: {table}.{name}: expected a mapping of fields")
                continue
            try:
                out.setdefault(table, {})[name] = Derived.model_validate(
                    {**fields, "name": name, "table": table})
            except ValidationError as exc:
                for e in exc.errors():
                    loc = ".".join(str(p) for p in e["loc"])
                    problems.append(f"{where}: {table}.{name}: {loc + ': ' if loc else ''}"
                                    f"{e['msg'].removeprefix('Value error, ')}")
    return out


def load(path: Path = PATH) -> dict[str, dict[str, Derived]]:
    """The derived columns of each table; every problem in the file reported at once."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}", "fix the YAML syntax") from exc
    problems: list[str] = []
    out = parse(doc, path.name, problems)
    if problems:
        raise ConfigError("; ".join(problems), "see the comment at the top of derived.yaml")
    return out


@cache
def derived() -> dict[str, dict[str, Derived]]:
    """The built-in derived columns."""
    return load()


def user_problems(paths: list[Path]) -> tuple[dict[str, dict[str, Derived]], list[str]]:
    """The ``derived:`` sections of the user's metric files, merged, with every problem: a
    column declared twice, or named like a built-in or a table's own column, is refused."""
    out: dict[str, dict[str, Derived]] = {}
    problems: list[str] = []
    built_in = derived()
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue  # reported with the file's metrics
        if not isinstance(doc, dict) or "derived" not in doc:
            continue
        where = f"{path.parent.name}/{path.name} derived"
        for table, columns in parse(doc["derived"], where, problems).items():
            for name, column in columns.items():
                if name in TABLES[table].column_names or name in built_in.get(table, {}):
                    problems.append(f"{where}: {table}.{name}: {table} already has a column "
                                    f"{name!r}: name yours otherwise")
                elif name in out.get(table, {}):
                    problems.append(f"{where}: {table}.{name}: declared twice")
                else:
                    out.setdefault(table, {})[name] = column
    return out, problems


@cache
def _with_user(files: tuple[tuple[str, int], ...]) -> dict[str, dict[str, Derived]]:
    own, _ = user_problems([Path(name) for name, _ in files])  # problems: catalogue.load
    tables = set(derived()) | set(own)
    return {t: {**derived().get(t, {}), **own.get(t, {})} for t in sorted(tables)}


def all_derived() -> dict[str, dict[str, Derived]]:
    """The built-in derived columns and those declared under ``derived:`` in the user's
    metric files ($CXLENS_METRICS), read again when those files change. Columns with a
    problem are left out here: the catalogue reports them with its own problems."""
    from cxlens.metrics.userfiles import user_files

    files = user_files()
    if not files:
        return derived()
    return _with_user(tuple((str(p), p.stat().st_mtime_ns) for p in files))
