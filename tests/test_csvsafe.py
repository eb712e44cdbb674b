"""Formula injection in CSV (OWASP "CSV Injection"): text cells that a spreadsheet would run
are prefixed with a quote; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd

from cxlens.csvsafe import frame_csv, safe_cell

HOSTILE = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_text_starting_like_a_formula_is_quoted_numbers_are_not() -> None:
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [safe_cell(v) for v in (-3.5, -2, "Acme BPO", "", None, "a=b")] == [
        -3.5, -2, "Acme BPO", "", None, "a=b"]


def test_frame_csv_reads_back_quoted_text_and_plain_numbers() -> None:
    frame = pd.DataFrame({"comment": HOSTILE, "score": [-3.5] * len(HOSTILE),
                          "vendor": pd.Categorical(HOSTILE)})
    rows = list(csv.DictReader(io.StringIO(frame_csv(frame))))
    assert [r["comment"] for r in rows] == ["'" + v for v in HOSTILE]
    assert [r["vendor"] for r in rows] == ["'" + v for v in HOSTILE]
    assert {r["score"] for r in rows} == {"-3.5"}
