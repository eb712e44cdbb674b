"""A theme's volume, trend and effect on the score, from comments already assigned to themes.

* **Volume**: comments in the theme / all comments, with a Wilson 95 % interval.
* **Trend**: the same share month by month (UTC months of ``responded_at``).
* **Effect** (per outcome, on the commenters of that outcome only):
  - ``nps``: relational NPS of commenters with the theme − NPS of those without, in points;
    95 % interval ± z·100·√(Var₁/n₁ + Var₀/n₀) (Var = p + d − (p − d)², :mod:`cxlens.stats.nps`),
    p-value of the same z test (:func:`cxlens.stats.change.nps_change`).
  - ``csat``: CSAT (% top-two-box, the catalogue's definition) with − without, in points;
    Newcombe's hybrid score interval from the two Wilson intervals, p-value of the pooled
    two-proportion z test (:func:`cxlens.stats.change.proportion_change`).
  - ``low_share``: the share of the outcome's low-score comments (NPS detractors, CSAT bottom
    two boxes) that fall in the theme, with a Wilson interval.
  - q-values: Benjamini–Hochberg across the themes, per outcome (:mod:`cxlens.stats.fdr`).
  - ``flag``: "small sample" when fewer commenters have the theme than the metric's
    ``min_sample`` in the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlens.metrics.catalogue import resolve
from cxlens.stats._arrays import z_value
from cxlens.stats.change import nps_change, proportion_change
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.stats.nps import nps_interval, nps_variance
from cxlens.stats.wilson import wilson_interval

ALPHA = 0.05
#: outcome → (group column, good group, low group, label, low-score comments are called, metric)
OUTCOMES = {
    "nps": ("nps_group", "promoter", "detractor", "NPS", "detractor", "nps:relational"),
    "csat": ("csat_group", "satisfied", "dissatisfied", "CSAT", "dissatisfied", "csat"),
}
EFFECT_COLUMNS = ["theme", "outcome", "n_with", "n_without", "score_with", "score_without",
                  "effect", "effect_ci_low", "effect_ci_high", "p_value", "q_value",
                  "significant", "low_comments", "low_n", "low_share", "low_ci_low",
                  "low_ci_high", "flag"]


def volume(theme: pd.Series, themes: Sequence[int]) -> pd.DataFrame:
    """One row per theme: ``comments``, ``n`` (all comments), ``share`` and its interval."""
    n = len(theme)
    k = np.array([(theme == t).sum() for t in themes], dtype=float)
    lo, hi = wilson_interval(k, n)
    return pd.DataFrame({"theme": list(themes), "comments": k.astype(int), "n": n,
                         "share": k / n if n else np.nan, "share_ci_low": lo,
                         "share_ci_high": hi})


def trend(theme: pd.Series, month: pd.Series, themes: Sequence[int]) -> pd.DataFrame:
    """One row per theme and month: comments in the theme, all comments that month, share."""
    months = sorted(month.dropna().unique())
    per_month = month.value_counts()
    rows = []
    for t in themes:
        hits = month[theme == t].value_counts()
        for m in months:
            rows.append((t, m, int(hits.get(m, 0)), int(per_month[m])))
    frame = pd.DataFrame(rows, columns=["theme", "month", "comments", "n"])
    lo, hi = wilson_interval(frame["comments"], frame["n"])
    frame["share"] = frame["comments"] / frame["n"]
    frame["share_ci_low"], frame["share_ci_high"] = lo, hi
    return frame


def newcombe(k1: float, n1: float, k0: float, n0: float) -> tuple[float, float]:
    """95 % interval of p₁ − p₀ (Newcombe 1998, method 10), in points."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = (float(v) for v in wilson_interval(k1, n1))
    l0, u0 = (float(v) for v in wilson_interval(k0, n0))
    d = p1 - p0
    return (100 * (d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)),
            100 * (d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)))


def _one(groups: pd.Series, has: pd.Series, outcome: str) -> dict[str, object]:
    _, good, low, *_ = OUTCOMES[outcome]
    n1, n0 = int(has.sum()), int((~has).sum())
    g1, g0 = groups[has], groups[~has]
    row: dict[str, object] = {"n_with": n1, "n_without": n0}
    if outcome == "nps":
        p1, d1 = (g1 == good).sum(), (g1 == low).sum()
        p0, d0 = (g0 == good).sum(), (g0 == low).sum()
        v1, v0 = (float(nps_interval(p1, d1, n1)[0]), float(nps_interval(p0, d0, n0)[0]))
        var1, var0 = float(nps_variance(p1, d1, n1)), float(nps_variance(p0, d0, n0))
        effect = v1 - v0
        with np.errstate(invalid="ignore", divide="ignore"):
            half = z_value(0.95) * 100 * np.sqrt(var1 / n1 + var0 / n0) if n1 and n0 else np.nan
        lo, hi = effect - half, effect + half
        p = float(nps_change(v0, var0, n0, v1, var1, n1)[1]) if n1 and n0 else np.nan
    else:
        k1, k0 = float((g1 == good).sum()), float((g0 == good).sum())
        v1 = 100 * k1 / n1 if n1 else np.nan
        v0 = 100 * k0 / n0 if n0 else np.nan
        effect = v1 - v0
        lo, hi = newcombe(k1, n1, k0, n0) if n1 and n0 else (np.nan, np.nan)
        p = float(proportion_change(k0, n0, k1, n1)[1]) if n1 and n0 else np.nan
    low_all = int((groups == low).sum())
    low_in = int((g1 == low).sum())
    llo, lhi = wilson_interval(low_in, low_all)
    min_sample = resolve(OUTCOMES[outcome][5]).min_sample
    row.update(score_with=v1, score_without=v0, effect=effect, effect_ci_low=lo,
               effect_ci_high=hi, p_value=p if np.isfinite(p) else np.nan,
               low_comments=low_in, low_n=low_all,
               low_share=low_in / low_all if low_all else np.nan,
               low_ci_low=float(llo), low_ci_high=float(lhi),
               flag="small sample" if n1 < min_sample else "")
    return row


def effects(frame: pd.DataFrame, themes: Sequence[int]) -> pd.DataFrame:
    """One row per theme and outcome (``nps``, ``csat``) with commenters of that outcome."""
    parts = []
    for outcome, (column, *_) in OUTCOMES.items():
        rated = frame[frame[column].notna()]
        if not len(rated):
            continue
        # compared as categories (small integer codes), not as strings: per theme and
        # outcome over 1.3 M comments, string comparisons took 40 s of a 10 M demo's run
        groups = rated[column].astype("category")
        rows = [{"theme": t, "outcome": outcome,
                 **_one(groups, rated["theme"] == t, outcome)} for t in themes]
        part = pd.DataFrame(rows)
        q, significant = benjamini_hochberg(part["p_value"].astype(float), ALPHA)
        part["q_value"], part["significant"] = q, significant
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=EFFECT_COLUMNS)


def headline(effects_frame: pd.DataFrame, theme: int) -> pd.Series | None:
    """The outcome a theme is summarised by: the one with more commenters in the theme (NPS
    on a tie); None when no commenter of either outcome has it."""
    rows = effects_frame[(effects_frame["theme"] == theme) & (effects_frame["n_with"] > 0)]
    if not len(rows):
        return None
    order = rows.assign(_nps=rows["outcome"] == "nps").sort_values(
        ["n_with", "_nps"], ascending=False, kind="stable")
    return order.iloc[0].drop("_nps")
