"""Build Arrow columns from numpy arrays with exactly the warehouse's types
(``cxlens.ingest.load.ARROW``), and check every column against ``cxlens.schema.TABLES``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cxlens.ingest.load import ARROW
from cxlens.schema import TABLES

Arr = npt.NDArray[Any]
TIMESTAMP = pa.timestamp("us", tz="UTC")


@dataclass
class Counters:
    """Next number of each id series; the series run on across chunks."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, series: str, n: int) -> Arr:
        start = self.next.get(series, 1)
        self.next[series] = start + n
        return np.arange(start, start + n, dtype=np.int64)


def _mask(valid: Arr | None) -> Arr | None:
    return None if valid is None else ~np.asarray(valid, dtype=bool)


def ids(prefix: str, numbers: Arr, width: int) -> pa.Array:
    """``prefix`` + zero-padded number, e.g. ``C0000042``."""
    text = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()),
                        width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def labels(values: Sequence[str], index: Arr, valid: Arr | None = None) -> pa.Array:
    """``values[index]`` as strings; null where ``valid`` is false."""
    idx = pa.array(np.asarray(index, dtype=np.int64), type=pa.int64(), mask=_mask(valid))
    return pc.take(pa.array(list(values), type=pa.string()), idx)


def take(strings: pa.Array, index: Arr, valid: Arr | None = None) -> pa.Array:
    """``strings[index]``; null where ``valid`` is false."""
    idx = pa.array(np.asarray(index, dtype=np.int64), type=pa.int64(), mask=_mask(valid))
    return pc.take(strings, idx)


def timestamps(us: Arr, valid: Arr | None = None) -> pa.Array:
    return pa.array(np.asarray(us, dtype=np.int64), type=TIMESTAMP, mask=_mask(valid))


def floats(values: Arr, valid: Arr | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), type=pa.float64(), mask=_mask(valid))


def ints(values: Arr, valid: Arr | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=_mask(valid))


def bools(values: Arr, valid: Arr | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=_mask(valid))


def texts(values: Sequence[str | None]) -> pa.Array:
    return pa.array(values, type=pa.string())


def constant(value: str | None, n: int) -> pa.Array:
    """``value`` (or null) ``n`` times."""
    if value is None:
        return pa.nulls(n, type=pa.string())
    return pa.repeat(pa.scalar(value, pa.string()), n)


def table(name: str, columns: Mapping[str, pa.Array]) -> pa.Table:
    """An Arrow table for canonical table ``name``; refuses unknown columns or wrong types."""
    spec = TABLES[name]
    fields = []
    lengths = {len(a) for a in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{name}: columns of different lengths {sorted(lengths)}")
    for col, arr in columns.items():
        want = ARROW[spec.column(col).type]
        if arr.type != want:
            raise TypeError(f"{name}.{col}: built as {arr.type}, the warehouse wants {want}")
        fields.append(pa.field(col, want))
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))
