"""Initiative impact: did a CX initiative move its metrics?

For each metric, the initiative's population (its ``scope``, a SQL filter on the interaction's
attributes such as ``vendor = 'Acme BPO'``; everything when empty) is measured in a baseline
window before the start and in a window after it, through the metric layer (so "CSAT" here is
exactly the CSAT of every other figure). The change after − before has a Wald interval and the
test appropriate to the metric's kind (:mod:`cxlens.stats.change`: pooled two-proportion z for
shares, the NPS z test, Welch's t for means).

A before/after change also picks up seasonality and anything else that happened meanwhile. When
the initiative has a scope, the same change is measured on a control group — the rest of the
data (``NOT (scope)``) or an explicit ``control`` filter — and the difference-in-differences

    DiD = (treated_after − treated_before) − (control_after − control_before)

is reported with SE = √(Σ of the four figures' variances) (four independent groups), a normal
interval and a two-sided z test. Several metrics at once are controlled for false discoveries
with Benjamini–Hochberg, separately for the changes and for the DiDs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from cxlens.dates import add_months
from cxlens.errors import ConfigError, CxlensError, NotFound, did_you_mean
from cxlens.metrics.compile import Request
from cxlens.metrics.query import resolve_all, statistics
from cxlens.metrics.result import finalize, number
from cxlens.metrics.sampling import TESTS, change_p, testable, variance
from cxlens.metrics.spec import Metric
from cxlens.stats._arrays import z_value
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.store.base import Warehouse

DID_TEST = "z test, SE = √(sum of the four variances)"
DEFAULT_METRICS = ("csat",)


class ImpactError(CxlensError):
    """The initiative or the windows asked for cannot be measured."""

    code = "impact_error"


@dataclass(frozen=True)
class Initiative:
    initiative_id: str
    name: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    scope: str | None


@dataclass(frozen=True)
class Windows:
    """[before_start, before_end) and [after_start, after_end), UTC."""

    before_start: dt.datetime
    before_end: dt.datetime
    after_start: dt.datetime
    after_end: dt.datetime


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def initiatives(wh: Warehouse) -> list[Initiative]:
    """Every initiative, oldest first."""
    rows = wh.query("SELECT initiative_id, name, started_at, ended_at, scope FROM initiatives "
                    "ORDER BY started_at, initiative_id")
    return [Initiative(str(i), str(n), _aware(s), _aware(e) if e is not None else None,
                       str(sc).strip() or None if sc is not None else None)
            for i, n, s, e, sc in rows]


def find(wh: Warehouse, key: str) -> Initiative:
    """The initiative with id ``key``, else the one named ``key`` (case-insensitive)."""
    known = initiatives(wh)
    for match in ([i for i in known if i.initiative_id == key],
                  [i for i in known if i.name.lower() == key.strip().lower()]):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise ImpactError(f"{len(match)} initiatives are named {key!r}",
                              "give the id instead: "
                              + ", ".join(i.initiative_id for i in match))
    if not known:
        raise NotFound("the warehouse has no initiatives",
                       "import them into the initiatives table (cxlens import initiatives "
                       "FILE) or build the demo")
    choices = [i.initiative_id for i in known] + [i.name for i in known]
    raise NotFound(f"no initiative {key!r}.{did_you_mean(key, choices)}",
                   "give an id or a name: " + "; ".join(f"{i.initiative_id} ({i.name})"
                                                         for i in known))


def parse_after(text: str | int) -> tuple[int, int]:
    """``--after-months``: ``N`` = the N months from the start; ``A..B`` = months A to B after
    it (skipping a ramp-up of A months)."""
    raw = str(text).strip()
    try:
        if ".." in raw:
            a, b = (int(x) for x in raw.split("..", 1))
        else:
            a, b = 0, int(raw)
    except ValueError:
        raise ConfigError(f"--after-months {raw!r} is not N or A..B",
                          "write e.g. --after-months 3 or --after-months 3..6") from None
    if a < 0 or b <= a:
        raise ConfigError(f"--after-months {raw!r} is an empty window",
                          "the end must be after the start, e.g. 0..3 or 3..6")
    return a, b


def windows(init: Initiative, before_months: int = 3, after: str | int = 3) -> Windows:
    if before_months < 1:
        raise ConfigError(f"--before-months {before_months} is an empty window",
                          "give 1 or more months")
    a, b = parse_after(after)
    start = init.started_at
    return Windows(add_months(start, -before_months), start, add_months(start, a),
                   add_months(start, b))


@dataclass(frozen=True)
class Cell:
    """One figure (display units) with its n, interval, variance and test statistics."""

    value: float
    n: int
    ci_low: float
    ci_high: float
    variance: float  # of the figure, in display units²
    raw: pd.DataFrame


def _cell(wh: Warehouse, metric: Metric, start: dt.datetime, end: dt.datetime,
          where: str | None, confidence: float) -> Cell:
    req = Request(start=start, end=end, where=where)
    raw = statistics(wh, metric, req)
    if raw.empty:
        raw = pd.DataFrame({"n": [0]})
    final = finalize(raw, metric, dataclasses.replace(req), confidence)
    raw = pd.concat([raw.reset_index(drop=True),
                     final[["value"]].reset_index(drop=True)], axis=1)
    n = int(number(raw, "n", 0.0)[0])
    var = float(variance(raw, metric)[0])
    row = final.iloc[0]
    return Cell(float(row["value"]), n, float(row["ci_low"]), float(row["ci_high"]), var, raw)


def _test(metric: Metric, before: Cell, after: Cell) -> float:
    """Two-sided p-value of after vs before, by the metric's kind."""
    return float(change_p(metric, before.raw, after.raw)[0])


def _difference(x: float, var: float, z: float) -> tuple[float, float, float, float]:
    """(value, se, ci_low, ci_high)."""
    se = float(np.sqrt(var)) if np.isfinite(var) else float("nan")
    return x, se, x - z * se, x + z * se


def _checked(wh: Warehouse, names: Sequence[str]) -> list[Metric]:
    metrics = resolve_all(wh, list(names), {})
    bad = [m.full_name for m in metrics if not testable(m)]
    if bad:
        raise ConfigError(f"no before/after test for {', '.join(bad)}: only shares, NPS-like "
                          "figures and means have one here",
                          "use e.g. csat, fcr, nps:relational, ces, aht (cxlens metrics lists "
                          "each metric's kind)")
    return metrics


def _both(*filters: str | None) -> str | None:
    parts = [f"({f})" for f in filters if f]
    return " AND ".join(parts) or None


def impact(wh: Warehouse, key: str, *, metrics: Sequence[str] = DEFAULT_METRICS,
           before_months: int = 3, after: str | int = 3, control: str | None = None,
           where: str | None = None, confidence: float = 0.95,
           alpha: float = 0.05) -> pd.DataFrame:
    """One row per metric: before, after, change and — for a scoped initiative — the control
    group's before and after and the difference-in-differences. ``control`` is a filter for the
    control group (default: everything outside the scope); ``where`` narrows every group.

    ``attrs`` carries the initiative, the windows, the control used and notes.
    """
    init = find(wh, key)
    win = windows(init, before_months, after)
    chosen = _checked(wh, metrics)
    if control and not init.scope:
        raise ConfigError(f"{init.initiative_id} has no scope, so there is no out-of-scope "
                          "group to compare with",
                          "drop --control; an all-scope initiative gets a before/after "
                          "comparison only")
    control_filter = (control or f"NOT ({init.scope})") if init.scope else None
    z = z_value(confidence)
    rows: list[dict[str, Any]] = []
    for m in chosen:
        treated = _both(init.scope, where)
        tb = _cell(wh, m, win.before_start, win.before_end, treated, confidence)
        ta = _cell(wh, m, win.after_start, win.after_end, treated, confidence)
        change, se, lo, hi = _difference(ta.value - tb.value, tb.variance + ta.variance, z)
        row: dict[str, Any] = {
            "metric": m.full_name, "unit": m.unit.value,
            "before": tb.value, "before_n": tb.n, "before_ci_low": tb.ci_low,
            "before_ci_high": tb.ci_high,
            "after": ta.value, "after_n": ta.n, "after_ci_low": ta.ci_low,
            "after_ci_high": ta.ci_high,
            "change": change, "change_n": tb.n + ta.n, "change_se": se, "change_ci_low": lo,
            "change_ci_high": hi, "change_p": _test(m, tb, ta), "test": TESTS[m.kind]}
        if control_filter:
            cb = _cell(wh, m, win.before_start, win.before_end, _both(control_filter, where),
                       confidence)
            ca = _cell(wh, m, win.after_start, win.after_end, _both(control_filter, where),
                       confidence)
            c_change, _, c_lo, c_hi = _difference(ca.value - cb.value,
                                                     cb.variance + ca.variance, z)
            did, did_se, did_lo, did_hi = _difference(
                change - c_change, tb.variance + ta.variance + cb.variance + ca.variance, z)
            with np.errstate(invalid="ignore", divide="ignore"):
                did_p = float(2 * sps.norm.sf(abs(did / did_se)))
            row |= {
                "control_before": cb.value, "control_before_n": cb.n,
                "control_before_ci_low": cb.ci_low, "control_before_ci_high": cb.ci_high,
                "control_after": ca.value, "control_after_n": ca.n,
                "control_after_ci_low": ca.ci_low, "control_after_ci_high": ca.ci_high,
                "control_change": c_change, "control_change_n": cb.n + ca.n,
                "control_change_ci_low": c_lo, "control_change_ci_high": c_hi,
                "control_change_p": _test(m, cb, ca),
                "did": did, "did_n": tb.n + ta.n + cb.n + ca.n, "did_se": did_se,
                "did_ci_low": did_lo, "did_ci_high": did_hi, "did_p": did_p}
        ns = [row[c] for c in ("before_n", "after_n", "control_before_n", "control_after_n")
              if c in row]
        row["flag"] = ("no_data" if min(ns) == 0 else
                       "insufficient_sample" if min(ns) < m.min_sample else "")
        rows.append(row)
    out = pd.DataFrame(rows)
    out["change_q"], out["change_significant"] = benjamini_hochberg(out["change_p"], alpha)
    if "did_p" in out:
        out["did_q"], out["did_significant"] = benjamini_hochberg(out["did_p"], alpha)
    out.insert(0, "initiative_id", init.initiative_id)
    out.attrs.update(_context(init, win, control_filter, control is not None))
    return out


def _context(init: Initiative, win: Windows, control: str | None,
             explicit: bool) -> dict[str, Any]:
    notes = []
    if init.ended_at is not None and win.after_end > init.ended_at:
        notes.append(f"the after window runs past the initiative's end "
                     f"({init.ended_at.date()})")
    if control is None:
        notes.append("the initiative has no scope: before/after only, which also picks up "
                     "seasonality and anything else that changed at the same time")
    return {
        "initiative": {"initiative_id": init.initiative_id, "name": init.name,
                       "started_at": init.started_at.isoformat(),
                       "ended_at": init.ended_at.isoformat() if init.ended_at else None,
                       "scope": init.scope},
        "windows": {k: v.isoformat() for k, v in dataclasses.asdict(win).items()},
        "control": control,
        "control_kind": None if control is None else (
            "explicit" if explicit else "everything outside the scope"),
        "notes": notes,
    }


def impacts(wh: Warehouse, metric: str = "csat", *, before_months: int = 3,
            after: str | int = 3) -> pd.DataFrame:
    """Every initiative's impact on ``metric`` (default CSAT), one row each, for the report:
    the before/after change and, for scoped initiatives, the DiD against the rest of the data.
    Benjamini–Hochberg q-values are across the initiatives."""
    rows = []
    for init in initiatives(wh):
        one = impact(wh, init.initiative_id, metrics=[metric], before_months=before_months,
                     after=after)
        row = one.iloc[0].to_dict()
        row |= {"name": init.name, "started_at": init.started_at, "scope": init.scope,
                "control": one.attrs["control"]}
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["change_q"], out["change_significant"] = benjamini_hochberg(out["change_p"])
    if "did_p" in out:
        out["did_q"], out["did_significant"] = benjamini_hochberg(out["did_p"])
    front = ["initiative_id", "name", "started_at", "scope", "control"]
    return out[front + [c for c in out.columns if c not in front]]
