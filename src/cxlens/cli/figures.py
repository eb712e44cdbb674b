"""Metric results for people: each figure in its metric's unit (82.9 %, 6 min 43 s,
+31.0 points, 12,402), and a blank segment labelled and explained. Only the table is
dressed; JSON and CSV keep the plain values (and null for a blank segment)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxlens.cli.output import Format, console, emit
from cxlens.format import (
    MISSING,
    column_kind,
    count,
    decimal,
    figure,
    p_short,
    signed,
)

__all__ = ["figure", "signed"]  # the one formatter's, named here as the CLI always has

if TYPE_CHECKING:
    import pandas as pd

    from cxlens.insights import Figure

# Why a segment can be blank, for the note under the table.
BLANK_WHY = ("answers not tied to one contact (relational NPS, CES without a ticket) and "
             "contacts without that attribute have none")


def _units(frame: pd.DataFrame) -> list[str]:
    from cxlens.metrics.catalogue import resolve

    units = {m: resolve(m).unit.value for m in set(frame["metric"])}
    return [units[m] for m in frame["metric"]]


def in_units(frame: pd.DataFrame, figures: tuple[str, ...] = (),
             changes: tuple[str, ...] = (), unit: str | None = None) -> pd.DataFrame:
    """A copy whose ``figures`` are text in each row's metric unit (column ``metric``, or
    ``unit`` for all) and whose ``changes`` are differences of figures (a change of a
    percentage is in points)."""
    frame = frame.copy()
    units = [unit] * len(frame) if unit else _units(frame) if len(frame) else []
    for col in figures:
        if col in frame:
            frame[col] = [figure(v, u) for v, u in zip(frame[col], units, strict=True)]
    for col in changes:
        if col in frame:
            frame[col] = [signed(v, u) for v, u in zip(frame[col], units, strict=True)]
    return frame


def label_blank_segments(frame: pd.DataFrame, dims: list[str]) -> list[str]:
    """Replace blank segment values by "(no DIM)"; the notes that explain them."""
    notes = []
    for dim in dims:
        blank = frame[dim].isna()
        if blank.any():
            frame[dim] = frame[dim].astype(object).where(~blank, f"(no {dim})")
            notes.append(f"(no {dim}): {int(blank.sum()):,} row(s) with no {dim} — "
                         f"{BLANK_WHY}; filter them out with --where \"{dim} IS NOT NULL\"")
    return notes


def show_figures(frame: pd.DataFrame, fmt: Format, figures: tuple[str, ...],
                 changes: tuple[str, ...] = (), plain: tuple[str, ...] = (),
                 periods: tuple[str, ...] = ("period",)) -> None:
    """Print a metric result. ``figures`` are in the metric's unit, ``changes`` are
    differences of figures (percentages become points), ``plain`` test statistics (two
    decimals), p- and q-values ("0.003", "< 0.001")."""
    frame = frame.copy()
    for col in periods:
        frame[col] = [None if v is None or v != v else v.isoformat() for v in frame[col]]
    if fmt is not Format.table:
        emit(frame, fmt)
        return
    dims = list(frame.columns[:list(frame.columns).index(periods[0])])
    notes = label_blank_segments(frame, dims)
    frame = in_units(frame, figures, changes)
    for col in plain:
        if col in frame:
            frame[col] = [p_short(v) if column_kind(col) == "p" else decimal(v, 2)
                          for v in frame[col]]
    if "n" in frame:
        frame["n"] = [count(v) for v in frame["n"]]
    emit(frame, fmt)
    for note in notes:
        console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)


def figure_json(f: Figure, **extra: Any) -> dict[str, Any]:
    """A figure as JSON: value, n, interval (and what ``extra`` adds)."""
    return f.as_dict() | extra


def plain_number(v: Any) -> float | None:
    """A number for JSON: None for a missing one."""
    import pandas as pd

    return None if v is None or pd.isna(v) else float(v)


def interval_json(value: Any, low: Any, high: Any, n: Any) -> dict[str, Any]:
    """Value, 95 % interval and n as JSON."""
    return {"value": plain_number(value), "ci_low": plain_number(low),
            "ci_high": plain_number(high), "n": int(n)}


def interval_text(d: dict[str, Any], digits: int) -> str:
    """"low – high" of a JSON figure, for a table."""
    if d["ci_low"] is None:
        return MISSING
    return f"{decimal(d['ci_low'], digits)} – {decimal(d['ci_high'], digits)}"


def as_percent(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Shares (0–1) of ``columns`` as percentages, one decimal."""
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = (100 * out[c].astype(float)).round(1)
    return out
