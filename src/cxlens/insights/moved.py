"""What moved it: a headline change between two periods split into mix and rate by segment.

"CSAT fell 3 points" becomes "2.1 from more technical tickets, 0.9 from billing CSAT at
Northwind": the metric's figures per segment (one dimension or a cross, e.g. category ×
vendor) in each period come from the metric layer (:meth:`Definition.figures`, with their
sampling variances), so the overall figure here is the catalogue's; the arithmetic, intervals
included, is :func:`cxlens.stats.decompose.decompose`.

Only a figure that is a mean over its population decomposes this way (shares, NPS-like
figures, means and mean durations); medians, ratios, counts and per-customer figures are
refused with the reason. Segments with fewer answers than the metric's minimum sample are
flagged ``small``, never dropped; a segment present in one period only is flagged
``only_before`` / ``only_after`` and all of its contribution is mix. Answers without a value
of a dimension form their own segment (the dimension null), so the parts add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxlens.dates import utc
from cxlens.errors import ConfigError, NotFound
from cxlens.metrics import relations
from cxlens.metrics.definition import Definition, definition
from cxlens.metrics.result import number
from cxlens.metrics.sampling import testable
from cxlens.periods import Period, in_order, parse_period
from cxlens.stats._arrays import z_value
from cxlens.stats.decompose import Decomposition, decompose
from cxlens.store.base import Warehouse

#: What each flag of a segment means (the notes under a table say it in words).
FLAGS = {
    "small": "fewer answers than the metric's minimum sample in a period: its rate is noisy",
    "only_before": "no answers in the second period: all of its contribution is mix",
    "only_after": "no answers in the first period: all of its contribution is mix",
}


@dataclass(frozen=True)
class Moved:
    """A decomposed change. ``segments`` has one row per segment: the dimensions, then n,
    share and figure in each period, the mix and rate parts with standard errors and
    intervals, their sum ``contribution`` and a ``flag`` (codes of :data:`FLAGS`, comma
    separated)."""

    metric: str
    label: str
    unit: str  # the figure's unit (a change of a percent is in points)
    by: tuple[str, ...]
    before: Period
    after: Period
    confidence: float
    result: Decomposition
    segments: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Each period's whole figure's interval, as the metric layer gives it (the overview's).
    before_ci: tuple[float | None, float | None] = (None, None)
    after_ci: tuple[float | None, float | None] = (None, None)

    def interval(self, value: float, se: float) -> tuple[float, float]:
        z = z_value(self.confidence)
        return value - z * se, value + z * se

    def totals(self) -> dict[str, dict[str, float]]:
        """The change and its mix and rate totals, each with its SE and interval."""
        r = self.result
        out = {}
        for name, value, se in (("change", r.change, r.change_se), ("mix", r.mix, r.mix_se),
                                ("rate", r.rate, r.rate_se)):
            low, high = self.interval(value, se)
            out[name] = {"value": value, "se": se, "ci_low": low, "ci_high": high}
        return out

    def contributors(self, top: int | None = None) -> pd.DataFrame:
        """Every non-zero mix and rate part as its own row (``effect`` = mix or rate), the
        largest first: the segment, which way it moved (``more``/``fewer`` of it, ``higher``/
        ``lower`` within it), from → to (shares for mix, figures for rate), the part and its
        interval."""
        seg = self.segments
        rows = []
        for effect, before, after in (("mix", "share_before", "share_after"),
                                      ("rate", "value_before", "value_after")):
            part = seg[list(self.by)].copy()
            part.insert(0, "effect", effect)
            part["direction"] = np.where(
                seg[after] > seg[before], "more" if effect == "mix" else "higher",
                "fewer" if effect == "mix" else "lower")
            part["from"], part["to"] = seg[before], seg[after]
            for col in ("", "_se", "_low", "_high"):
                part[f"value{col}"] = seg[f"{effect}{col}"]
            part["flag"] = seg["flag"]
            rows.append(part)
        out = pd.concat(rows, ignore_index=True)
        out = out[out["value"].abs() > 1e-12]
        out = out.iloc[np.argsort(-out["value"].abs().to_numpy(), kind="stable")]
        return out.head(top).reset_index(drop=True) if top else out.reset_index(drop=True)


def _checked(d: Definition) -> None:
    if not testable(d.metric):
        what = ("a percentile" if d.metric.quantile is not None
                else f"counted per {d.metric.per}" if d.metric.per
                else f"a {d.metric.kind.value}")
        raise ConfigError(f"{d.name} is {what}: it is not a mean over its population, so "
                          "its change does not split into mix and rate",
                          "pick a share, NPS-like or mean metric (csat, nps, fcr, aht, ces); "
                          "`cxlens metrics` lists them with their kinds")


def _figures(d: Definition, wh: Warehouse, dims: tuple[str, ...], p: Period,
             where: str | None) -> pd.DataFrame:
    frame = d.figures(wh, by=dims, start=utc(p.start), end=utc(p.end), where=where)
    broken = frame[frame["flag"].isin(["missing_column", "missing_time"])]
    if len(broken):
        raise ConfigError(f"{d.name} cannot be measured here: {broken['note'].iloc[0]}",
                          "import the missing column, or pick another metric")
    frame = frame[number(frame, "n", 0.0) > 0]
    if frame.empty:
        raise NotFound(f"no {d.metric.label} answers in {p.label}"
                       + (f" matching {where}" if where else ""),
                       f"pick periods with data: `cxlens query {d.name} --grain month` shows "
                       "them")
    keep = frame[[*dims, "n", "value", "var"]].copy()
    keep["value"] = number(keep, "value")
    return keep


def _whole(d: Definition, wh: Warehouse, p: Period, where: str | None,
           confidence: float) -> tuple[float | None, float | None]:
    """The interval of the period's whole figure, from the metric layer (a share's is its
    Wilson interval, as on the overview), not re-derived from the segments."""
    frame = d.figures(wh, start=utc(p.start), end=utc(p.end), where=where,
                      confidence=confidence)
    if frame.empty:
        return None, None
    low, high = number(frame, "ci_low")[0], number(frame, "ci_high")[0]
    return (None if np.isnan(low) else float(low)), (None if np.isnan(high) else float(high))


def _flags(n0: np.ndarray, n1: np.ndarray, minimum: int) -> list[str]:
    out = []
    for a, b in zip(n0, n1, strict=True):
        codes = []
        if (0 < a < minimum) or (0 < b < minimum):
            codes.append("small")
        if b == 0:
            codes.append("only_before")
        if a == 0:
            codes.append("only_after")
        out.append(",".join(codes))
    return out


def moved(wh: Warehouse, metric: str, *, by: Sequence[str], before: Period | str | None = None,
          after: Period | str | None = None, where: str | None = None,
          params: dict[str, Any] | None = None, confidence: float = 0.95) -> Moved:
    """The change of ``metric`` from ``before`` to ``after`` (periods or their text, e.g.
    ``2026-04``; by default the month of the latest answer and the period before it) split
    into mix and rate over the segments of ``by`` (one dimension or several, crossed)."""
    if not by:
        raise ConfigError("what moved it needs segments to split the change by",
                          "give one dimension or several, e.g. --by category or "
                          "--by category,vendor")
    d = definition(metric, wh, params)
    _checked(d)
    dims = tuple(relations.ALIASES.get(b, b) for b in by)
    after_p = _period(after, "--to") if after is not None else _latest(d, wh, where)
    before_p = _period(before, "--from") if before is not None else after_p.previous()
    in_order(before_p, after_p)
    f0, f1 = (_figures(d, wh, dims, p, where) for p in (before_p, after_p))
    seg = f0.merge(f1, on=list(dims), how="outer", suffixes=("_before", "_after"))
    seg = seg.sort_values(list(dims), kind="stable", na_position="last").reset_index(drop=True)
    n0, n1 = number(seg, "n_before", 0.0), number(seg, "n_after", 0.0)
    result = decompose(n0, number(seg, "value_before"), number(seg, "var_before"),
                       n1, number(seg, "value_after"), number(seg, "var_after"))
    out = seg[list(dims)].copy()
    out["n_before"], out["n_after"] = n0.astype(int), n1.astype(int)
    out["share_before"], out["share_after"] = 100 * result.w0, 100 * result.w1
    out["value_before"] = np.where(n0 > 0, number(seg, "value_before"), np.nan)
    out["value_after"] = np.where(n1 > 0, number(seg, "value_after"), np.nan)
    z = z_value(confidence)
    for name, part, se in (("mix", result.seg_mix, result.seg_mix_se),
                           ("rate", result.seg_rate, result.seg_rate_se)):
        out[name], out[f"{name}_se"] = part, se
        out[f"{name}_low"], out[f"{name}_high"] = part - z * se, part + z * se
    out["contribution"] = result.seg_mix + result.seg_rate
    out["flag"] = _flags(n0, n1, d.metric.min_sample)
    notes = [f"{code}: {FLAGS[code]} ({n} segment{'s' if n > 1 else ''})"
             for code in FLAGS
             if (n := int(out["flag"].str.split(",").apply(lambda c, k=code: k in c).sum()))]
    for dim in dims:
        blank = out[dim].isna()
        if blank.all():
            notes.append(f"(no {dim}): no {d.metric.label} answer has a {dim}, so it explains "
                         f"nothing here; split by a dimension its answers carry")
        elif blank.any():
            notes.append(f"(no {dim}): answers without a {dim} ({int(blank.sum()):,} "
                         "segment(s)), kept so the parts add up to the whole")
    return Moved(d.name, d.metric.label, d.metric.unit.value, dims, before_p, after_p,
                 confidence, result, out, notes,
                 before_ci=_whole(d, wh, before_p, where, confidence),
                 after_ci=_whole(d, wh, after_p, where, confidence))


def _period(value: Period | str, option: str) -> Period:
    return value if isinstance(value, Period) else parse_period(value, option)


def latest_month(wh: Warehouse, metric: str, where: str | None = None,
                 params: dict[str, Any] | None = None) -> Period:
    """The month of the metric's latest answer (matching ``where``): the period a change is
    read for when none is named."""
    return _latest(definition(metric, wh, params), wh, where)


def _latest(d: Definition, wh: Warehouse, where: str | None) -> Period:
    """The month of the metric's latest answer."""
    rel = d.relation(wh, where=where)
    latest = rel[d.time].max().execute()
    if latest is None or pd.isna(latest):
        raise NotFound(f"the warehouse has no {d.metric.label} answers",
                       "import them first (cxlens import) or build the demo (cxlens demo)")
    return parse_period(f"{pd.Timestamp(latest):%Y-%m}", "--to")
