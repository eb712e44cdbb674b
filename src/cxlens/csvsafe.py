"""CSV cells that cannot be turned against their reader (OWASP "CSV Injection"): a text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single
quote, so a spreadsheet shows it as text instead of running it as a formula. Numbers stay
numbers (-3.5 is written as -3.5); quoting and doubled quotes are the csv writer's, and a cell
holding a carriage return or a newline is always quoted (Python 3.11's writer does not quote
a lone carriage return when rows end with a newline). Every CSV the product writes (CLI
``--format csv``, the dashboard's downloads, contract statements) goes through here. pandas
is imported only by the frame helpers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The first characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell starting like a formula, prefixed with ``'``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows_csv(rows: Iterable[Sequence[Any]]) -> str:
    """Rows (the header first) as CSV text, one ``\\n`` per row, text cells neutralised.

    Each row is written with ``\\r\\n`` as its terminator, so that the csv writer quotes any
    cell holding a carriage return or a newline, and the terminator is then turned into
    ``\\n`` (the cells inside the quotes are left as they are)."""
    return _lines([[safe_cell(v) for v in row] for row in rows])


def _lines(rows: Iterable[Sequence[Any]]) -> str:
    """Rows written as they are, each ended by ``\\n``, line breaks in cells quoted."""
    out, buf = io.StringIO(), io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        out.write(buf.getvalue()[:-2] + "\n")
    return out.getvalue()


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names go through ``safe_cell``
    (numeric, date and boolean columns are left as they are)."""
    import pandas as pd

    out = frame.copy()
    for i in range(out.shape[1]):
        series = out.iloc[:, i]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series) \
                or isinstance(series.dtype, pd.CategoricalDtype):
            out.isetitem(i, series.astype(object).map(safe_cell).to_numpy(dtype=object))
    out.columns = pd.Index([safe_cell(c) for c in out.columns])
    return out


def frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index, pandas' formatting of numbers and dates), its text
    cells neutralised and any cell holding a line break quoted."""
    text: str = safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
    # read back (cells as pandas formatted them, numbers included) and written as they are
    return _lines(csv.reader(io.StringIO(text, newline="")))
