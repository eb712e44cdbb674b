"""Values and tables as JSON-ready Python: for the dashboard's API, the CLI's ``--json`` and
the chart specifications every layer may build (a domain module's chart inlines its data
without importing the web package)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """A value for JSON: None for missing and non-finite numbers (JSON has no NaN: a
    browser's JSON.parse refuses it), ISO text for dates and times, Python numbers for
    numpy's."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or value is pd.NA or (
            isinstance(value, float) and not math.isfinite(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (:func:`plain`)."""
    return [{str(k): plain(v) for k, v in rec.items()}
            for rec in frame.astype(object).to_dict(orient="records")]
