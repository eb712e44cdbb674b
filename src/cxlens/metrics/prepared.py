"""Statistics queries compiled once per shape of request and run again with other dates
(issue 18: after a day's import every page asks for the same statistics over other ranges,
and ibis spent about a quarter of the patched pass building and compiling the same SQL).

A request's time range enters the SQL only as two timestamp literals (``compile._prepare``).
So the query for a request is compiled once with stand-in bounds, and for every later request
of the same shape — the same metrics, segments, grain and filter on the same warehouse — the
actual bounds' literals are put in place of the stand-ins' and the text is run as it is. An
open bound is filled with one before (or after) any time a warehouse holds, so a range with
and without a start share one query: every time column is a ``TIMESTAMPTZ`` written from
Python or pandas values (years 1–9999 at most; pandas's nanoseconds 1677–2262), so
``time >= 0001-01-01`` and ``time < 9999-12-31`` keep every row.

Compiled queries are proven to take their bounds as literals only: the shape is compiled
twice, with two pairs of stand-ins, and kept only when swapping the literals of one pair for
the other's turns the first text into the second exactly; otherwise every request of that
shape is compiled (none in the catalogue today). Not used for what reads more than the bounds
from the request: customer periods (their calendar is a table made from the range), working
hours (their calendar comes from the data) and ``period_start`` without a grain (the range's
own start as a value). DuckDB only, as kept statistics are (``partials.DIALECTS``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cxlens.metrics import relations
from cxlens.metrics.compile import Request, needed_columns
from cxlens.metrics.spec import Metric
from cxlens.store import changes
from cxlens.store.base import Warehouse

#: Dialects whose compiled text is reused (the literal's spelling is checked per dialect).
DIALECTS = ("duckdb",)
#: Shapes kept, least recently used dropped first.
SHAPES = 1024
#: The bounds an open range is filled with: before and after any time a warehouse can hold.
OPEN = (dt.datetime(1, 1, 1, tzinfo=dt.UTC), dt.datetime(9999, 12, 31, tzinfo=dt.UTC))
#: Two pairs of stand-in bounds, dates no data has.
_STAND_INS = ((dt.datetime(1111, 2, 3, 4, 5, 6, 123457, tzinfo=dt.UTC),
               dt.datetime(1222, 3, 4, 5, 6, 7, 234568, tzinfo=dt.UTC)),
              (dt.datetime(1333, 4, 5, 6, 7, 8, 345679, tzinfo=dt.UTC),
               dt.datetime(1444, 5, 6, 7, 8, 9, 456791, tzinfo=dt.UTC)))

Build = Callable[[Request], Any]  # an ibis table expression


@dataclass(frozen=True)
class _Shape:
    sql: str | None  # None: the bounds are not literals only; compiled every time
    schema: Any  # the expression's ibis schema (the frame's column types)
    stand_ins: tuple[str, str]


_shapes: OrderedDict[tuple[Any, ...], _Shape] = OrderedDict()
_guard = threading.Lock()
#: ``reused`` / ``compiled`` / ``direct`` (not reusable), read by the tests and the bench.
counts: dict[str, int] = {"reused": 0, "compiled": 0, "direct": 0}


def clear() -> None:
    with _guard:
        _shapes.clear()


def reusable(metrics: Sequence[Metric], req: Request) -> bool:
    """Whether the range of ``req`` enters the metrics' SQL as two literals and nothing else."""
    for metric in metrics:
        if metric.source == relations.CUSTOMER_PERIODS or metric.hours != "calendar":
            return False
        if req.grain is None and relations.PERIOD_START in needed_columns(metric, req):
            return False
    return req.customer_span is None and req.business_span is None and req.schedule is None


def frame(wh: Warehouse, kind: str, metrics: Sequence[Metric], req: Request, build: Build,
          *, arrays: bool = False, versions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``build(req).to_pandas()``, from the text compiled for the request's shape when there
    is one (``kind`` names the builder: fused scan, quantiles, one metric). With ``arrays``,
    list columns come as one NumPy array per row (None for a null list) instead of Python
    lists: sorted lists of millions of values stay out of Python objects. ``versions``: the
    data versions the caller has already read for this request (``changes.versions``; the
    shapes are kept per global version, key ``""``), so they are not read twice; None: read
    here."""
    if wh.dialect not in DIALECTS or not reusable(metrics, req):
        return _direct(req, build, arrays)
    backend = wh.ibis()
    if versions is None:
        versions = changes.versions(wh)
    key = (wh.url, versions.get(""), kind,
           tuple(m.model_dump_json() for m in metrics),
           repr(dataclasses.replace(req, start=None, end=None)))
    with _guard:
        shape = _shapes.get(key)
        if shape is not None:
            _shapes.move_to_end(key)
    if shape is None:
        shape = _compile(backend, req, build)
        with _guard:
            _shapes[key] = shape
            while len(_shapes) > SHAPES:
                _shapes.popitem(last=False)
    if shape.sql is None:
        return _direct(req, build, arrays)
    counts["reused"] += 1
    start, end = req.start or OPEN[0], req.end or OPEN[1]
    sql = shape.sql.replace(shape.stand_ins[0], literal(backend, start)).replace(
        shape.stand_ins[1], literal(backend, end))
    from ibis import util

    util.log(sql)  # as ibis logs the queries it runs (``store.trace`` records them)
    return run(backend.con.sql(sql).to_arrow_table(), shape.schema, arrays)


def _direct(req: Request, build: Build, arrays: bool) -> pd.DataFrame:
    counts["direct"] += 1
    expr = build(req)
    if arrays:
        return run(expr.to_pyarrow(), expr.schema(), arrays)
    out: pd.DataFrame = expr.to_pandas()
    return out


def _compile(backend: Any, req: Request, build: Build) -> _Shape:
    counts["compiled"] += 1
    texts, spelled = [], []
    schema = None
    for lo, hi in _STAND_INS:
        expr = build(dataclasses.replace(req, start=lo, end=hi)).as_table()
        schema = expr.schema()
        texts.append(backend.compile(expr))
        spelled.append((literal(backend, lo), literal(backend, hi)))
    (a_lo, a_hi), (b_lo, b_hi) = spelled
    first, second = texts
    only_literals = (a_lo in first and a_hi in first
                     and first.replace(a_lo, b_lo).replace(a_hi, b_hi) == second)
    return _Shape(first if only_literals else None, schema, (a_lo, a_hi))


def literal(backend: Any, value: dt.datetime) -> str:
    """How the backend spells a timestamp literal (``MAKE_TIMESTAMPTZ(...)`` on DuckDB)."""
    key = (backend.name, value)
    text = _spelled.get(key)
    if text is None:
        import ibis

        text = str(backend.compile(ibis.literal(value).name("v")))
        head, tail = "SELECT ", ' AS "v"'
        if not (text.startswith(head) and text.endswith(tail)):
            raise ValueError(f"unexpected literal SQL: {text!r}")
        text = _spelled[key] = text[len(head):-len(tail)]
        while len(_spelled) > SHAPES:
            _spelled.pop(next(iter(_spelled)))
    return text


_spelled: dict[tuple[str, dt.datetime], str] = {}


def run(table: pa.Table, schema: Any, arrays: bool = False) -> pd.DataFrame:
    """A query's rows as ibis's ``to_pandas`` gives them for an expression of ``schema``:
    columns with nulls, lists or dictionaries through Python objects (so nulls stay nulls
    before the types are applied), the others through Arrow's conversion; then the schema's
    pandas types (ibis's DuckDB backend, ``execute``). With ``arrays``, list columns as
    :func:`_arrays`, outside the schema's conversion."""
    import ibis
    from ibis.backends.duckdb.converter import DuckDBPandasData
    from ibis.formats.pandas import PandasData

    listed = {name for name, col in zip(table.column_names, table.columns, strict=True)
              if arrays and pa.types.is_list(col.type)}
    raw = pd.DataFrame({
        name: (col.to_pylist() if col.null_count or pa.types.is_nested(col.type)
               or pa.types.is_dictionary(col.type) else col.to_pandas())
        for name, col in zip(table.column_names, table.columns, strict=True)
        if name not in listed})
    rest = ibis.schema({n: t for n, t in schema.items() if n not in listed})
    out: pd.DataFrame = PandasData.convert_table(DuckDBPandasData.convert_table(raw, rest),
                                                 rest)  # (then the table's own result step)
    for name in table.column_names:
        if name in listed:
            out[name] = pd.Series(_arrays(table[name]), index=out.index, dtype=object)
    return out[list(table.column_names)]


def _arrays(col: pa.ChunkedArray) -> list[np.ndarray | None]:
    """A list column as one NumPy array per row, views of one buffer (None: a null list)."""
    whole = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    flat = whole.flatten().to_numpy(zero_copy_only=False)
    lengths = whole.value_lengths().fill_null(0).to_numpy(zero_copy_only=False)
    parts = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
    valid = whole.is_valid().to_numpy(zero_copy_only=False)
    return [p if v else None for p, v in zip(parts, valid, strict=True)]
