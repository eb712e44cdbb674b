"""Chart data is valid JSON: no NaN (a browser's JSON.parse refuses it), dates as ISO text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from cxlens.present.charts import records


def test_missing_numbers_become_null_even_beside_other_empties() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [None, 2.5],
                          "d": pd.to_datetime(["2026-01-01", None])})
    rows = records(frame)
    assert rows == [{"a": 1.0, "b": None, "d": "2026-01-01T00:00:00"},
                    {"a": None, "b": 2.5, "d": None}]
    json.loads(json.dumps(rows, allow_nan=False))  # strict JSON
