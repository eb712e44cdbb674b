"""Columns a mapping derives from a source number: a timestamp shifted by a duration
(``offset_from`` adds it, ``back_from`` counts back, in seconds to days or calendar months) and
a number put into bands (``bins``: age 23 -> "18-24").

Each function returns the values and the masks of source values that could not be used, so
the validator can report them; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from cxlens.ingest import coerce
from cxlens.ingest.mapping import UNIT_SECONDS, ColumnSpec

UTC_NS = "datetime64[ns, UTC]"


def base_times(name: str, typed: pd.DataFrame, tz: ZoneInfo) -> pd.Series:
    """The timestamps a shift starts from: a canonical column already typed, or one date."""
    if name in typed.columns:
        return typed[name]
    try:
        dt.datetime.fromisoformat(name)
    except ValueError:  # a mapped column this file lacks (check_mapping vetted the name)
        return pd.Series(pd.NaT, index=typed.index, dtype=UTC_NS)
    when, _, _ = coerce.to_timestamp(pd.Series([name], dtype=object), tz)
    return pd.Series(when.iloc[0], index=typed.index, dtype=UTC_NS)


def shifted(raw: pd.Series, base: pd.Series, spec: ColumnSpec,
            separators: tuple[str, str] = (".", ",")) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``base`` plus (``offset_from``) or minus (``back_from``) the durations in ``raw``.

    Returns (timestamps, not-a-duration mask, fractional-months mask)."""
    sign = -1 if spec.back_from else 1
    no = pd.Series(False, index=raw.index)
    if spec.unit != "months":
        secs, bad = coerce.to_seconds(raw, UNIT_SECONDS[spec.unit or "seconds"], *separators)
        return base + sign * pd.to_timedelta(secs, unit="s"), bad, no
    months, bad, fractional = coerce.to_integer(raw, *separators)
    out = pd.Series(pd.NaT, index=raw.index, dtype=UTC_NS)
    for n in months.dropna().unique():
        rows = months == n
        out[rows] = base[rows] + pd.DateOffset(months=sign * int(n))
    return out, bad, fractional


def bands(raw: pd.Series, edges: list[float], separators: tuple[str, str] = (".", ",")
          ) -> tuple[pd.Series, pd.Series]:
    """Band labels for the numbers in ``raw`` and the mask of values that are not numbers."""
    num, bad = coerce.to_number(raw, *separators)
    labels = band_labels(edges)
    slot = np.searchsorted(np.asarray(edges, dtype=float), num.to_numpy(), side="right")
    out = pd.Series([labels[i] for i in slot], index=raw.index, dtype=object)
    return out.where(num.notna(), None), bad


def band_labels(edges: list[float]) -> list[str]:
    """[18, 25, 35] -> under 18, 18-24, 25-34, 35+ (whole-number edges; otherwise
    "18.5 to under 25")."""
    whole = all(float(e).is_integer() for e in edges)
    mid = [f"{a:g}-{b - 1:g}" if whole else f"{a:g} to under {b:g}"
           for a, b in itertools.pairwise(edges)]
    return [f"under {edges[0]:g}", *mid, f"{edges[-1]:g}+"]
