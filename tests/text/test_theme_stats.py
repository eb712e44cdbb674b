"""A theme's effect and volume on numbers worked out by hand (and one published
interval)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlens.text.theme_stats import effects, newcombe, trend, volume


def _frame() -> pd.DataFrame:
    # theme 1: 6 promoters, 2 passives, 2 detractors (NPS 40); theme 2: 3, 2, 5 (NPS −20)
    nps = (["promoter"] * 6 + ["passive"] * 2 + ["detractor"] * 2
           + ["promoter"] * 3 + ["passive"] * 2 + ["detractor"] * 5)
    return pd.DataFrame({"theme": [1] * 10 + [2] * 10, "nps_group": nps, "csat_group": None,
                         "month": ["2026-01"] * 5 + ["2026-02"] * 15})


def test_nps_effect_by_hand() -> None:
    e = effects(_frame(), [1, 2])
    assert set(e["outcome"]) == {"nps"}  # no CSAT answers: no CSAT rows
    row = e.set_index("theme").loc[1]
    assert (row["n_with"], row["n_without"]) == (10, 10)
    assert (row["score_with"], row["score_without"], row["effect"]) == pytest.approx(
        (40.0, -20.0, 60.0))
    # Var = p + d − (p − d)²: 0.6 + 0.2 − 0.16 = 0.64 and 0.3 + 0.5 − 0.04 = 0.76;
    # SE = 100·√(0.064 + 0.076) = 37.4166; 95 %: 60 ± 1.95996·37.4166; z 1.6036, p 0.1088
    assert (row["effect_ci_low"], row["effect_ci_high"]) == pytest.approx(
        (60 - 73.3348, 60 + 73.3348), abs=1e-3)
    assert row["p_value"] == pytest.approx(0.1088, abs=1e-4)
    # BH over two themes with the same p: q = p
    assert row["q_value"] == pytest.approx(row["p_value"]) and not row["significant"]
    assert (row["low_comments"], row["low_n"]) == (2, 7)
    assert row["low_share"] == pytest.approx(2 / 7)
    assert row["flag"] == "small sample"  # 10 < NPS's min_sample of 50


def test_newcombe_interval_matches_the_paper() -> None:
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339
    assert newcombe(56, 70, 48, 80) == pytest.approx((5.24, 33.39), abs=0.01)


def test_csat_effect_uses_top_two_box_share() -> None:
    f = pd.DataFrame({"theme": [1] * 4 + [2] * 4, "nps_group": None,
                      "csat_group": ["satisfied", "satisfied", "satisfied", "dissatisfied",
                                     "satisfied", "neutral", "dissatisfied", "dissatisfied"]})
    row = effects(f, [1, 2]).set_index("theme").loc[1]
    assert row["outcome"] == "csat"
    assert (row["score_with"], row["score_without"], row["effect"]) == (75.0, 25.0, 50.0)
    assert row["low_share"] == pytest.approx(1 / 3)


def test_volume_and_trend() -> None:
    f = _frame()
    v = volume(f["theme"], [1, 2]).set_index("theme")
    assert v.loc[1, "comments"] == 10 and v.loc[1, "share"] == 0.5 and v.loc[1, "n"] == 20
    t = trend(f["theme"], f["month"], [1, 2]).set_index(["theme", "month"])
    assert t.loc[(1, "2026-01"), "share"] == 1.0
    assert t.loc[(1, "2026-02"), ["comments", "n"]].tolist() == [5, 15]
