"""Complexity-adjusted scores per agent, each agent's ticket mix against their team, and the
cherry-picking flag.

For every agent with rows of the outcome in the period:

* **raw** — the agent's plain figure (mean of y: CSAT as a share, AHT in seconds);
* **expected** — what the average agent would score on the same contacts (mean of the case-mix
  model's expected values, :mod:`cxlens.casemix.model`);
* **O/E** = Σ observed / Σ expected, with a 95 % interval from the ratio estimator's variance
  Σ (yᵢ − R·μᵢ)² / (Σ μᵢ)² (the model's expectations taken as known: it is fitted on every
  contact in scope, far more than one agent's);
* **adjusted** = O/E × the overall figure (indirect standardisation), with the same interval;
* **vs team** = the agent's O/E ÷ their team-mates' O/E, with a 95 % interval on the log scale:
  above 1 the agent does better than their team on the same contacts (below 1 for a
  lower-is-better figure such as AHT); vendors differ, so this is the fair comparison;
* **ease** = the agent's expected figure minus their team-mates' (how much easier, or harder,
  their contacts are), with a Welch interval on the expected values;
* **mix divergence** — Jensen–Shannon divergence (bits) between the agent's and the rest of the
  team's distribution over ticket type × priority, and a χ² test of homogeneity of the two
  (cells with fewer than five expected contacts pooled); p-values are corrected for the number
  of agents compared (Benjamini–Hochberg);
* **flag** — ``cherry_picking`` when the raw figure is better than the team's, the contacts are
  significantly easier (ease interval entirely on the favourable side and mix q < 0.05), and
  the adjusted figure is *not* better than the team's (the vs-team interval reaches 1):
  the raw score is high only because the tickets are easy. ``insufficient_sample`` below
  ``min_sample`` rows (the metric's minimum sample by default); otherwise empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxlens.casemix import model, rows
from cxlens.stats._arrays import z_value
from cxlens.stats.divergence import jensen_shannon
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.store.base import Warehouse

CHERRY_PICKING = "cherry_picking"
INSUFFICIENT = "insufficient_sample"
MIX = ("category", "priority")
MIN_CELL = 5.0
Q_LEVEL = 0.05
ROUNDING = 1e-9
COLUMNS = ["metric", "agent_id", "team", "vendor", "n", "raw", "expected", "oe", "oe_ci_low",
           "oe_ci_high", "adjusted", "adjusted_ci_low", "adjusted_ci_high", "team_raw",
           "team_expected", "team_oe", "vs_team", "vs_team_ci_low", "vs_team_ci_high", "ease",
           "ease_ci_low", "ease_ci_high", "mix_js", "mix_p", "mix_q", "flag"]
#: Columns in the metric's unit (shares are shown in percent, like every CSAT figure).
IN_UNIT = ("raw", "expected", "adjusted", "adjusted_ci_low", "adjusted_ci_high", "team_raw",
           "team_expected", "ease", "ease_ci_low", "ease_ci_high")
When = str | dt.date | dt.datetime


def _cells(frame: pd.DataFrame) -> pd.Series:
    parts = [frame[c].astype("string").fillna(model.UNKNOWN) for c in MIX]
    out = parts[0]
    for p in parts[1:]:
        out = out + " · " + p
    return out


def _mix_test(agent: pd.Series, rest: pd.Series) -> tuple[float, float]:
    """(JS divergence, χ² p-value) of two samples of mix cells."""
    table = pd.crosstab(pd.concat([agent, rest]),
                        np.r_[np.zeros(len(agent)), np.ones(len(rest))])
    if table.shape[1] < 2 or len(table) < 2:
        return float("nan"), float("nan")
    counts = table.to_numpy(dtype=float)
    js = jensen_shannon(counts[:, 0], counts[:, 1])
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
    small = expected.min(axis=1) < MIN_CELL
    if small.any():  # pool sparse cells into one
        counts = np.vstack([counts[~small], counts[small].sum(axis=0, keepdims=True)])
    counts = counts[counts.sum(axis=1) > 0]
    if len(counts) < 2:
        return js, float("nan")
    return js, float(stats.chi2_contingency(counts, correction=False)[1])


def _ratio(y: np.ndarray, mu: np.ndarray) -> tuple[float, float]:
    """O/E and its standard error."""
    e = mu.sum()
    if e <= 0 or len(y) == 0:
        return float("nan"), float("nan")
    r = float(y.sum() / e)
    return r, float(np.sqrt(np.sum((y - r * mu) ** 2)) / e)


def _relative(a: tuple[float, float], b: tuple[float, float],
              z: float) -> tuple[float, float, float]:
    """a / b for two independent ratios, with an interval on the log scale."""
    (ra, sa), (rb, sb) = a, b
    if not (ra > 0 and rb > 0):
        return float("nan"), float("nan"), float("nan")
    rel = ra / rb
    half = z * float(np.sqrt((sa / ra) ** 2 + (sb / rb) ** 2))
    return rel, rel * float(np.exp(-half)), rel * float(np.exp(half))


def _welch(a: np.ndarray, b: np.ndarray, z: float) -> tuple[float, float, float]:
    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan"), float("nan")
    d = float(a.mean() - b.mean())
    se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    return d, d - z * se, d + z * se


def _flag(row: Mapping[Any, Any], higher_is_better: bool, min_sample: int) -> str | None:
    if row["n"] < min_sample:
        return INSUFFICIENT
    sign = 1.0 if higher_is_better else -1.0
    better_raw = sign * (row["raw"] - row["team_raw"]) > 0
    easier = (row["ease_ci_low"] > 0) if higher_is_better else (row["ease_ci_high"] < 0)
    mixed = bool(row["mix_q"] < Q_LEVEL)
    # "reaches 1" up to rounding: a ratio of equal sums computed in another order is 1 ± 1e-16
    not_better = (row["vs_team_ci_low"] <= 1 + ROUNDING) if higher_is_better \
        else (row["vs_team_ci_high"] >= 1 - ROUNDING)
    return CHERRY_PICKING if better_raw and easier and mixed and not_better else None


def adjusted(wh: Warehouse, metric: str, start: When, end: When, *, where: str | None = None,
             min_sample: int | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """One row per agent (``COLUMNS``); ``where`` filters the contacts in scope (the model is
    fitted on them all), e.g. ``vendor = 'Acme BPO'``."""
    spec = rows.outcome(metric)
    frame = rows.fetch(wh, spec, start, end, where)
    frame = frame[frame["agent_id"].notna()].reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    fitted = model.fit(frame)
    frame["mu"] = fitted.expected
    frame["cell"] = _cells(frame)
    z = z_value(confidence)
    overall = float(frame["y"].mean())
    out: list[dict[str, Any]] = []
    for (agent, team), own in frame.groupby(["agent_id", "team"], dropna=False, sort=True):
        rest = frame[(frame["team"] == team) & (frame["agent_id"] != agent)]
        y, mu = own["y"].to_numpy(float), own["mu"].to_numpy(float)
        own_oe = _ratio(y, mu)
        oe, se = own_oe
        lo, hi = oe - z * se, oe + z * se
        team_oe = _ratio(rest["y"].to_numpy(float), rest["mu"].to_numpy(float))
        rel, r_lo, r_hi = _relative(own_oe, team_oe, z)
        ease, e_lo, e_hi = _welch(mu, rest["mu"].to_numpy(float), z)
        js, p = _mix_test(own["cell"], rest["cell"]) if len(rest) else (np.nan, np.nan)
        out.append({
            "metric": spec.full_name, "agent_id": agent, "team": team,
            "vendor": own["vendor"].mode().iat[0] if own["vendor"].notna().any() else None,
            "n": len(own), "raw": float(y.mean()), "expected": float(mu.mean()), "oe": oe,
            "oe_ci_low": lo, "oe_ci_high": hi, "adjusted": oe * overall,
            "adjusted_ci_low": lo * overall, "adjusted_ci_high": hi * overall,
            "team_raw": float(rest["y"].mean()) if len(rest) else np.nan,
            "team_expected": float(rest["mu"].mean()) if len(rest) else np.nan,
            "team_oe": team_oe[0], "vs_team": rel, "vs_team_ci_low": r_lo,
            "vs_team_ci_high": r_hi, "ease": ease, "ease_ci_low": e_lo, "ease_ci_high": e_hi,
            "mix_js": js, "mix_p": p,
        })
    result = pd.DataFrame(out)
    result["mix_q"], _ = benjamini_hochberg(result["mix_p"])
    floor = spec.min_sample if min_sample is None else min_sample
    better = spec.higher_is_better is not False
    result["flag"] = [_flag(r, better, floor) for r in result.to_dict("records")]
    if spec.unit.value == "percent":
        result[list(IN_UNIT)] = result[list(IN_UNIT)] * 100
    result.attrs["notes"] = fitted.notes
    result.attrs["features"] = fitted.features
    return result[COLUMNS]
