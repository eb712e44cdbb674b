"""The themes page's per-theme work done in one pass (issue 18, "Freshness at scale": the page
at 10 M) gives what the plain per-theme code gave. The oracle is that plain code, kept here as
the definition (the code before the change, a mask and a pass over every comment per theme),
run on a hand-sized set with copies, ties, rows in no theme and answers of neither outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlens.metrics.catalogue import resolve
from cxlens.stats._arrays import z_value
from cxlens.stats.change import nps_change, proportion_change
from cxlens.stats.nps import nps_interval, nps_variance
from cxlens.stats.wilson import wilson_interval
from cxlens.text import sentiment
from cxlens.text.theme_stats import EFFECT_COLUMNS, OUTCOMES, effects, newcombe, trend, volume
from cxlens.text.themes import distinct, examples, mean_per_theme

# --- the definition: the per-theme code before the change -------------------------------


def plain_examples(frame: pd.DataFrame, vectors: np.ndarray, centroid: np.ndarray,
                   theme: int, count: int = 3) -> list[str]:
    rows = np.flatnonzero(frame["theme"].to_numpy() == theme)
    closeness = vectors[rows] @ centroid
    nearest = frame["comment"].to_numpy()[rows[np.argsort(-closeness, kind="stable")]]
    return distinct((str(c) for c in pd.unique(nearest)), count)


def plain_one(groups: pd.Series, has: pd.Series, outcome: str) -> dict[str, object]:
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


def plain_effects(frame: pd.DataFrame, themes: list[int]) -> pd.DataFrame:
    rows = []
    for outcome, (column, *_) in OUTCOMES.items():
        rated = frame[frame[column].notna()]
        if not len(rated):
            continue
        groups = rated[column].astype("category")
        rows += [{"theme": t, "outcome": outcome, **plain_one(groups, rated["theme"] == t,
                                                              outcome)} for t in themes]
    return pd.DataFrame(rows)


def plain_trend(theme: pd.Series, month: pd.Series, themes: list[int]) -> list[tuple]:
    months = sorted(month.dropna().unique())
    per_month = month.value_counts()
    return [(t, m, int(month[theme == t].value_counts().get(m, 0)), int(per_month[m]))
            for t in themes for m in months]


# --- a hand-sized set ------------------------------------------------------------------------

#: 14 comments: theme 3 never occurs, one comment has no theme (a tracked comment outside every
#: kept theme), copies of "slow app" and "great agent", and "fine" / "ok thanks" at the same
#: distance from theme 2's centroid (a tie the earlier row wins).
COMMENTS = ["slow app", "app crashes", "slow app", "great agent", "fine", "ok thanks",
            "great agent", "slow app", "rude agent", "great agent", "ok thanks", "fine",
            "late parcel", "nice"]
THEME = [1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 2, 4, np.nan]
NPS = ["detractor", "detractor", "passive", "promoter", "passive", None, "promoter",
       "detractor", None, "promoter", "passive", "detractor", None, "promoter"]
CSAT = [None, None, None, None, None, "satisfied", None, None, "dissatisfied", None, None,
        None, "neutral", None]
MONTH = ["2026-01", "2026-01", "2026-02", "2026-01", "2026-02", "2026-02", None, "2026-02",
         "2026-01", "2026-01", "2026-02", "2026-01", "2026-02", "2026-02"]
IDS = [1, 2, 3, 4]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"theme": THEME, "comment": COMMENTS, "nps_group": NPS,
                         "csat_group": CSAT, "month": MONTH})


def test_examples_are_the_nearest_distinct_texts_as_the_plain_ranking_gives() -> None:
    frame = _frame().dropna(subset=["theme"]).reset_index(drop=True)
    frame["theme"] = frame["theme"].astype(int)
    codes, once = pd.factorize(frame["comment"], sort=False)
    # "fine" and "ok thanks" share a vector: a tie, which the earlier row ("fine", row 4)
    # wins; "great agent" is nearest theme 2's centroid
    table = {"slow app": [1, 0, 0], "app crashes": [0.8, 0.6, 0], "great agent": [0, 1, 0],
             "fine": [0, 0.6, 0.8], "ok thanks": [0, 0.6, 0.8], "rude agent": [0.6, 0, 0.8],
             "late parcel": [0, 0, 1]}
    vectors = np.array([table[str(t)] for t in once], dtype=np.float32)[codes]
    centroids = np.array([[1, 0.2, 0.3], [0.1, 0.9, 0.4], [1, 1, 1], [0, 0, 1.0]])
    got = examples(frame["theme"].to_numpy(), codes, frame["comment"].to_numpy(), vectors,
                   centroids, IDS)
    assert got == [plain_examples(frame, vectors, centroids[i], t) for i, t in enumerate(IDS)]
    assert got == [["slow app", "app crashes", "rude agent"], ["great agent", "fine",
                                                                 "ok thanks"], [],
                   ["late parcel"]]  # by hand: 1, 0.92, 0.84; 0.9, 0.86, 0.86 (tie)


def test_examples_match_the_plain_ranking_on_random_ties() -> None:
    rng = np.random.default_rng(3)
    texts = np.array([f"text {i}" for i in range(40)], dtype=object)
    codes = rng.integers(0, 40, 600)
    # 40 texts on 6 vectors: ties everywhere, each text one theme (as when copies share one)
    table = rng.normal(size=(6, 5)).astype(np.float32)[rng.integers(0, 6, 40)]
    theme = (codes % 4) + 1
    frame = pd.DataFrame({"theme": theme, "comment": texts[codes]})
    centroids = rng.normal(size=(4, 5))
    got = examples(theme, codes, texts[codes], table[codes], centroids, [1, 2, 3, 4], 5)
    assert got == [plain_examples(frame, table[codes], centroids[t - 1], t, 5)
                   for t in [1, 2, 3, 4]]


def test_effects_count_as_the_plain_per_theme_masks() -> None:
    frame = _frame()
    got = effects(frame, IDS)
    want = plain_effects(frame, IDS)
    assert list(got.columns) == EFFECT_COLUMNS
    shared = list(want.columns)
    pd.testing.assert_frame_equal(got[shared].reset_index(drop=True), want, check_dtype=False)
    # by hand, theme 1 on NPS: 3 rated commenters (2 detractors, 1 passive) vs 7 others
    # (4 promoters, 1 passive, 2 detractors: NPS 100·(4 − 2)/7)
    row = got[(got["theme"] == 1) & (got["outcome"] == "nps")].iloc[0]
    assert (row["n_with"], row["n_without"], row["low_comments"], row["low_n"]) == (4, 7, 3, 4)


def test_volume_trend_and_mean_sentiment_as_the_plain_code() -> None:
    frame = _frame()
    theme = frame["theme"]
    v = volume(theme, IDS)
    assert v["comments"].tolist() == [int((theme == t).sum()) for t in IDS] == [5, 7, 0, 1]
    t = trend(theme, frame["month"], IDS)
    assert list(t[["theme", "month", "comments", "n"]].itertuples(index=False, name=None)) == (
        plain_trend(theme, frame["month"], IDS))
    assert t.loc[(t["theme"] == 2) & (t["month"] == "2026-02"), "comments"].item() == 3
    scores = np.array([0.5, -0.25, 0.5, np.nan, 0.1, 0.2, 0.3, 0.4, -0.9, 0.0, 0.7, 0.6,
                       0.05, 1.0])
    frame["sentiment"] = scores
    got = mean_per_theme(theme, scores, IDS)
    want = [float(frame.loc[frame["theme"] == t, "sentiment"].mean()) for t in IDS]
    assert got[:2] == pytest.approx(want[:2], rel=1e-12) and np.isnan(got[2])
    assert got[:2] == pytest.approx([(0.5 - 0.25 + 0.5 + 0.4 - 0.9) / 5,
                                     (0.1 + 0.2 + 0.3 + 0.0 + 0.7 + 0.6) / 6])
    assert got[3] == 0.05


def test_each_text_is_scored_as_its_copies_were() -> None:
    texts = ["awful app", "", "great agent", "awful app", "great agent", "ok"]
    codes, once = pd.factorize(pd.Series(texts, dtype=object), sort=False)
    np.testing.assert_array_equal(sentiment.compound([str(t) for t in once])[codes],
                                  sentiment.compound(texts))


def _rounded_apart() -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The three vectors ("fine", "ok thanks": the same one; "nearest") and a centroid where,
    in the product of 100–107 copies of the shared vector then "nearest" with the centroid,
    a copy after the first comes out larger than the first (BLAS kernels round a block's rows
    and the remainder's differently: 1 ulp here), and the rows that do; None if no seed of 20
    shows it."""
    for seed, copies in ((s, c) for s in range(20) for c in range(100, 108)):
        rng = np.random.default_rng(seed)
        same = rng.normal(size=50).astype(np.float32)
        centroid = rng.normal(size=50)
        table = np.stack([same, same, (same + 0.1 * centroid).astype(np.float32)])
        product = table[[0] * copies + [2]] @ centroid
        up = product[:copies] > product[0]
        if up.any():
            return table, centroid, up
    return None


def test_texts_with_the_same_vector_tie_and_the_earliest_row_wins() -> None:
    # "fine" and "ok thanks" share a vector, "ok thanks" at the rows the product rounds up:
    # the earliest row's text wins however the rows round, and a nearer vector comes first
    found = _rounded_apart()
    assert found is not None, "no rounding apart on this machine's BLAS: the test shows nothing"
    table, centroid, up = found
    codes = np.append(np.where(up, 1, 0), 2)
    texts = np.array(["fine", "ok thanks", "nearest"], dtype=object)
    got = examples(np.ones(len(codes), dtype=int), codes, texts[codes], table[codes],
                   centroid[None, :], [1], 3)
    assert got == [["nearest", "fine", "ok thanks"]]
    # the code before ranked every row: the later text, rounded up, came first
    frame = pd.DataFrame({"theme": 1, "comment": texts[codes]})
    assert plain_examples(frame, table[codes], centroid, 1) == ["nearest", "ok thanks", "fine"]
