"""The executive summary's control limits on a hand-made warehouse: the same function as the
control-chart alerts (Laney p′ for a share, ±3 true SE otherwise), written out by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from cxlens.accounts.users import User
from cxlens.metrics.catalogue import resolve
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.reports.model import change_sentence, control_limits, trend
from cxlens.store.base import Warehouse

#: month → (CSAT answers, of which fives; the rest are ones)
CSAT = {1: (10, 8), 2: (20, 14), 3: (10, 9)}
#: month → CES answers (1–7)
CES = {1: [2, 4, 6, 7, 6], 2: [5, 5, 6, 6], 3: [1, 7, 4]}


def _world(wh: Warehouse) -> None:
    rows = []
    for month, (n, fives) in CSAT.items():
        for k in range(n):
            rows.append([f"S{month}-{k}", "csat", 5 if k < fives else 1, 1, 5,
                         dt.datetime(2026, month, 3, k, tzinfo=dt.UTC)])
    for month, scores in CES.items():
        for k, score in enumerate(scores):
            rows.append([f"E{month}-{k}", "ces", score, 1, 7,
                         dt.datetime(2026, month, 4, k, tzinfo=dt.UTC)])
    wh.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at"], rows)


def test_summary_limits_by_hand(duck: Warehouse) -> None:
    _world(duck)
    ctx = PageCtx(duck, User("report", "analyst"), Filters(start="2026-01-01", end="2026-03-31"))
    t = trend(ctx, ["csat", "ces"])
    csat = control_limits(t[t["metric"] == "csat"], resolve("csat"))
    assert csat is not None
    k, n = [8, 14, 9], [10, 20, 10]
    pbar = 31 / 40
    z = [(ki / ni - pbar) / math.sqrt(pbar * (1 - pbar) / ni) for ki, ni in zip(k, n, strict=True)]
    sz = (abs(z[1] - z[0]) + abs(z[2] - z[1])) / 2 / 1.128
    for i in range(3):
        half = 3 * sz * math.sqrt(pbar * (1 - pbar) / n[i])
        assert csat["lcl"].iloc[i] == pytest.approx(100 * max(pbar - half, 0))
        assert csat["ucl"].iloc[i] == pytest.approx(100 * min(pbar + half, 1))
    assert csat["centre"].iloc[0] == pytest.approx(100 * pbar)

    ces = control_limits(t[t["metric"] == "ces"], resolve("ces"))
    assert ces is not None
    # means 5, 5.5, 4 (n 5, 4, 3) → centre (25 + 22 + 12)/12; SD 2, √(1/3), 3 → SE = SD/√n
    centre = 59 / 12
    se = [2 / math.sqrt(5), math.sqrt(1 / 3) / 2, 3 / math.sqrt(3)]
    assert ces["centre"].iloc[0] == pytest.approx(centre)
    for i in range(3):
        assert ces["lcl"].iloc[i] == pytest.approx(centre - 3 * se[i])
        assert ces["ucl"].iloc[i] == pytest.approx(centre + 3 * se[i])


def test_the_summary_prints_q_when_the_verdict_uses_it(duck: Warehouse) -> None:
    # CSAT 40/50 in January and February (no change: p = 1), 30/50 in March. March against
    # February, pooled two-proportion z: p̂ = 70/100, SE = √(.7 · .3 · (1/50 + 1/50)) = .0917,
    # z = .2 / .0917 = 2.18, p = 0.029; Benjamini–Hochberg over the 2 changes: q = 2p = 0.058,
    # above 0.05, so "not significant" rests on q, and q must be printed beside p.
    rows = []
    for month, fives in ((1, 40), (2, 40), (3, 30)):
        rows += [[f"S{month}-{k}", "csat", 5 if k < fives else 1, 1, 5,
                  dt.datetime(2026, month, 3, k % 24, k, tzinfo=dt.UTC)] for k in range(50)]
    duck.insert_rows("survey_responses", ["response_id", "survey", "score", "scale_min",
                                          "scale_max", "responded_at"], rows)
    ctx = PageCtx(duck, User("report", "analyst"), Filters(start="2026-01-01", end="2026-03-31"))
    sentence = change_sentence(ctx, "csat")
    assert sentence is not None
    assert ("not a statistically significant change (p = 0.03, q = 0.06 after correcting "
            "for the 2 changes tested; two-proportion z test): it may be noise.") in sentence
