"""The ``emerging`` check: a theme of comments that is new, or whose share of the month's
comments jumped (docs/alerts.md, docs/text.md).

It reads the latest tracked theme run (``cxlens themes track``; :mod:`cxlens.text.theme_store`),
merges resolved, and judges the month: for every theme with at least ``min_sample`` comments
(default :data:`MIN_COMMENTS`) that month, its share of the month's comments against its share
of the ``months`` months before, by the pooled two-proportion z test
(:func:`cxlens.stats.change.proportion_change`, two-sided), Benjamini–Hochberg across the
themes at ``alpha``. A theme breaches when its q-value is at most ``alpha``, its share went up,
and by at least ``min_change`` percentage points. A theme with no comment in the months before
is reported as a new theme (the same test: 0 of n before). Figures are in % of comments, the
change with Newcombe's interval.

Nothing is judged for a month the latest run does not cover, or without comments in the months
before it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cxlens import format as fmt
from cxlens.alerts import segments
from cxlens.alerts.checks import Judgement
from cxlens.alerts.figures import label
from cxlens.alerts.spec import Rule
from cxlens.dates import add_months
from cxlens.stats.change import proportion_change
from cxlens.stats.fdr import benjamini_hochberg
from cxlens.stats.wilson import wilson_interval
from cxlens.store.base import Warehouse
from cxlens.text import theme_store as ts
from cxlens.text.theme_stats import newcombe

#: Comments a theme needs in the month judged (when the rule gives no min_sample).
MIN_COMMENTS = 10
METRIC = "themes"


def emerging(wh: Warehouse, rule: Rule, month: dt.date) -> list[Judgement]:
    run = ts.latest_run(wh)
    if run is None:
        return []
    counts = ts.monthly_counts(wh, int(run["run_id"]))
    themes = ts.stored(wh)
    final = ts.resolve(themes)
    titles = {t.theme_id: t.title for t in themes}
    now_m = f"{month:%Y-%m}"
    before_m = {f"{add_months(month, -i):%Y-%m}" for i in range(1, rule.months + 1)}
    n_now = int(counts.loc[counts["month"] == now_m, "comments"].sum())
    n_before = int(counts.loc[counts["month"].isin(before_m), "comments"].sum())
    if not n_now or not n_before:
        return []
    themed = counts[counts["theme_id"].notna()].copy()
    themed["theme"] = [final.get(int(t), int(t)) for t in themed["theme_id"]]
    k_now = themed[themed["month"] == now_m].groupby("theme")["comments"].sum()
    k_before = themed[themed["month"].isin(before_m)].groupby("theme")["comments"].sum()
    judged = pd.DataFrame({"k_now": k_now}).join(pd.DataFrame({"k_before": k_before}))
    judged = judged.fillna(0).astype(int)
    judged = judged[judged["k_now"] >= (rule.min_sample or MIN_COMMENTS)].sort_index()
    if judged.empty:
        return []
    _, p = proportion_change(judged["k_before"], n_before, judged["k_now"], n_now)
    q, _ = benjamini_hochberg(np.asarray(p, dtype=float), rule.alpha)
    lo, hi = wilson_interval(judged["k_now"], n_now)
    window, before = label(month), label(add_months(month, -rule.months), add_months(month, -1))
    out = []
    for i, (key, r) in enumerate(judged.iterrows()):
        theme = int(str(key))
        share, prior = 100 * r["k_now"] / n_now, 100 * r["k_before"] / n_before
        change = share - prior
        c_lo, c_hi = newcombe(r["k_now"], n_now, r["k_before"], n_before)
        breached = bool(q[i] <= rule.alpha and change > 0 and change >= rule.min_change)
        new = r["k_before"] == 0
        what = "new theme" if new else "theme"
        msg = (f"{what} {theme} ({titles.get(theme, '')}): "
               f"{fmt.figure(share, 'percent')} of comments in {window} "
               f"({fmt.count(r['k_now'])} of {fmt.count(n_now)}) vs "
               f"{fmt.figure(prior, 'percent')} in {before} "
               f"({fmt.count(r['k_before'])} of {fmt.count(n_before)}): "
               f"{fmt.signed(change, 'percent')} (95 % CI {fmt.signed(c_lo, 'percent')} to "
               f"{fmt.signed(c_hi, 'percent')}), p {fmt.p_short(p[i])}, BH q {fmt.p_short(q[i])}")
        out.append(Judgement(rule.name, "emerging", METRIC,
                             segments.label(("theme",), [theme]), month, window, breached,
                             float(share), int(n_now), 100 * float(lo[i]), 100 * float(hi[i]),
                             float(prior), float(p[i]), msg, float(change), float(c_lo),
                             float(c_hi)))
    return out
