"""Spreadsheet error cells (#N/A, #DIV/0!, #NULL!, ...) are missing values, flagged.

Excel writes them into XLSX error cells and into the text of CSV exports; read as text they
would become a segment called "#n/a" or fail a number check with a confusing message. They are
emptied before the mapping runs, and every one is reported as a ``spreadsheet_error`` warning
(file, row, column, the code) so the summary counts them per column.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell.cell import ERROR_CODES

from cxlens.ingest.problems import Problem

#: Excel's classic codes (openpyxl's list) and the ones newer Excel versions add.
CODES = frozenset(c.upper() for c in (*ERROR_CODES, "#SPILL!", "#CALC!", "#FIELD!",
                                      "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                                      "#GETTING_DATA"))
RULE = "spreadsheet_error"


def _is_code(series: pd.Series) -> pd.Series:
    if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
        return pd.Series(False, index=series.index)
    try:  # text columns (every CSV column): vectorised
        arr = pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed spreadsheet cells
        return series.map(lambda v: isinstance(v, str) and v.strip().upper() in CODES)
    key = pc.utf8_upper(pc.utf8_trim_whitespace(arr))
    hit = pc.fill_null(pc.is_in(key, pa.array(sorted(CODES))), False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=series.index)


def empty_error_cells(data: pd.DataFrame, rows: pd.Series, columns: Iterable[str],
                      file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """``data`` with the error cells of ``columns`` emptied, and a warning for each one."""
    problems: list[Problem] = []
    out = data
    for col in columns:
        hit = _is_code(data[col])
        if not hit.any():
            continue
        if out is data:
            out = data.copy()
        for idx in hit[hit].index:
            code = str(data.at[idx, col]).strip()
            problems.append(Problem(
                file, int(rows[idx]), col, code, RULE,
                f"{code} is a spreadsheet error, read as missing",
                "fix the formula in the workbook and export again, or leave it: the value "
                "stays empty", "warning"))
        out[col] = out[col].where(~hit, None)
    return out, problems
