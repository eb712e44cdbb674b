"""Calibration: Krippendorff's α against the published worked example, the resampling formulas
against an independent coincidence-matrix computation written here, reviewer deviations by
hand, and the warehouse function on both backends."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.qa import calibration as cal
from cxlens.store.base import Warehouse

NAN = math.nan
#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
#: (rows) × 12 units (columns), values 1–5, missing values as NaN.
EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
#: The α the paper reports for that data at each level of measurement.
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def alpha_by_hand(matrix: list[list[float]], level: str) -> float:
    """Krippendorff's α from its definition, with loops: coincidences o_ck over the pairable
    values, n_c their margins, δ² per level; α = 1 − (n − 1)·Σ o·δ² / Σ n_c·n_k·δ²."""
    o: dict[tuple[float, float], float] = defaultdict(float)
    for unit in zip(*matrix, strict=True):
        values = [v for v in unit if not math.isnan(v)]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    o[(c, k)] += 1 / (m - 1)
    n_c: dict[float, float] = defaultdict(float)
    for (c, _), count in o.items():
        n_c[c] += count
    n = sum(n_c.values())
    values = sorted(n_c)

    def delta(c: float, k: float) -> float:
        if level == "nominal":
            return 0.0 if c == k else 1.0
        if level == "interval":
            return (c - k) ** 2
        if level == "ratio":
            return ((c - k) / (c + k)) ** 2
        lo, hi = min(c, k), max(c, k)  # ordinal
        between = sum(n_c[g] for g in values if lo <= g <= hi)
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(count * delta(c, k) for (c, k), count in o.items())
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values)
    return 1 - (n - 1) * observed / expected


def ratings(matrix: list[list[float]], criterion: str = "x") -> pd.DataFrame:
    return pd.DataFrame([(u, f"observer {o}", criterion, value)
                         for o, row in enumerate(matrix) for u, value in enumerate(row)],
                        columns=["unit", "reviewer", "criterion", "score"])


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_alpha_reproduces_the_published_example(level: str) -> None:
    by_hand = alpha_by_hand(EXAMPLE, level)
    assert round(by_hand, 3) == PUBLISHED[level]
    result = cal.calibrate(ratings(EXAMPLE), level=level, resamples=200)
    row = result.reliability.iloc[0]
    assert row["alpha"] == pytest.approx(by_hand, abs=1e-12)
    assert round(row["alpha"], 3) == PUBLISHED[level]
    # unit 12 has one value: 11 units and 40 pairable values (the paper's n = 40)
    assert (row["n_units"], row["n_ratings"], row["level"]) == (11, 40, level)
    assert row["ci_low"] <= row["alpha"] <= row["ci_high"]


@pytest.mark.parametrize("level", list(PUBLISHED))
def test_resampling_formulas_agree_with_the_definition(level: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        m, n_units = int(rng.integers(2, 6)), int(rng.integers(3, 25))
        matrix = rng.integers(1, int(rng.integers(3, 8)), (m, n_units)).astype(float)
        matrix[rng.random((m, n_units)) < 0.3] = NAN
        coded = cal.code(*zip(*[(u, v) for row in matrix for u, v in enumerate(row)],
                              strict=True))
        if coded.n_units == 0 or len(coded.domain) < 2:
            continue
        # a resample that draws unit u w_u times is the data with unit u repeated w_u times
        weights = rng.integers(0, 3, coded.n_units)
        weights[0] = max(weights[0], 1)
        repeated = np.array([matrix[:, unit] for unit, w in zip(coded.units, weights,
                                                                 strict=True)
                             for _ in range(w)]).T
        expected = alpha_by_hand(repeated.tolist(), level) if len(
            np.unique(repeated[~np.isnan(repeated)])) > 1 else NAN
        got = cal.alpha_resampled(coded, weights[None, :], level)[0]
        assert got == pytest.approx(expected, abs=1e-9, nan_ok=True)
        assert cal.alpha(coded, level) == pytest.approx(
            alpha_by_hand(matrix.tolist(), level), abs=1e-9)


def test_bootstrap_is_seeded_and_brackets_alpha() -> None:
    coded = cal.code(ratings(EXAMPLE)["unit"], ratings(EXAMPLE)["score"])
    first = cal.bootstrap(coded, "ordinal", 1000, seed=5)
    assert first == cal.bootstrap(coded, "ordinal", 1000, seed=5)
    assert first != cal.bootstrap(coded, "ordinal", 1000, seed=6)
    low, high = first
    assert -1 < low < cal.alpha(coded, "ordinal") < high <= 1
    narrow = cal.bootstrap(coded, "ordinal", 1000, seed=5, confidence=0.5)
    assert low < narrow[0] < narrow[1] < high
    assert all(math.isnan(v) for v in cal.bootstrap(cal.code([], []), "ordinal"))


def test_no_variation_or_no_pairs_leaves_alpha_undefined() -> None:
    same = cal.calibrate(ratings([[3, 3, 3], [3, 3, 3]]), resamples=50).reliability.iloc[0]
    assert math.isnan(same["alpha"]) and same["label"] == "undefined"
    assert math.isnan(same["ci_low"]) and same["n_units"] == 3
    alone = cal.calibrate(ratings([[1, NAN], [NAN, 2]]), resamples=50).reliability.iloc[0]
    assert math.isnan(alone["alpha"]) and alone["n_units"] == 0


def test_reliability_labels() -> None:
    assert [cal.label(a) for a in (0.95, 0.80, 0.7999, 0.667, 0.6669, -0.2, NAN)] == [
        "reliable", "reliable", "tentative", "tentative", "unreliable", "unreliable",
        "undefined"]


def test_reviewer_deviation_from_the_others() -> None:
    frame = pd.DataFrame([
        ("u1", "ann", "tone", 5), ("u1", "bob", "tone", 3),
        ("u2", "ann", "tone", 4), ("u2", "bob", "tone", 4), ("u2", "cat", "tone", 1),
        ("u3", "ann", "tone", 2), ("u3", "bob", "tone", NAN),  # u3: nothing to compare
    ], columns=["unit", "reviewer", "criterion", "score"])
    # ann: +2 (5 vs 3) and +1.5 (4 vs mean(4, 1)); bob: −2 and +1.5; cat: 1 − 4 = −3
    dev = cal.calibrate(frame, threshold=1.0, min_sample=2, resamples=10).reviewers
    assert list(dev.columns) == cal.REVIEWER_COLUMNS
    got = dev.set_index("reviewer")
    assert got.loc["ann", "deviation"] == pytest.approx(1.75)
    assert got.loc["bob", "deviation"] == pytest.approx(-0.25)
    assert got.loc["cat", "deviation"] == pytest.approx(-3)
    assert got["n"].to_dict() == {"ann": 2, "bob": 2, "cat": 1}
    assert got["flag"].to_dict() == {"ann": "lenient", "bob": "", "cat": "insufficient_sample"}
    # ann's deviations 2 and 1.5: mean 1.75, sd 0.35355, t(1) half-width 12.706·0.35355/√2
    half = 12.7062047 * math.sqrt(0.125) / math.sqrt(2)
    assert (got.loc["ann", "ci_low"], got.loc["ann", "ci_high"]) == pytest.approx(
        (1.75 - half, 1.75 + half))
    strict = cal.calibrate(frame, threshold=1.0, min_sample=1, resamples=10).reviewers
    assert strict.set_index("reviewer")["flag"]["cat"] == "strict"


def test_bad_ratings_are_refused_with_the_fix() -> None:
    twice = pd.DataFrame([("u1", "ann", "tone", 5), ("u1", "ann", "tone", 4),
                          ("u1", "bob", "tone", 4)],
                         columns=["unit", "reviewer", "criterion", "score"])
    with pytest.raises(ConfigError, match="more than once") as caught:
        cal.calibrate(twice)
    assert "unit=u1" in caught.value.message and "latest" in caught.value.hint
    with pytest.raises(ConfigError, match="lacks the column"):
        cal.calibrate(twice.drop(columns="reviewer"))
    with pytest.raises(ConfigError, match='Did you mean "ordinal"'):
        cal.calibrate(twice, level="ordnial")


# -- on the warehouse ---------------------------------------------------------------------------
AT = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
#: (review, interaction, reviewer, day, tone, clarity) on communication_quality (1–5)
REVIEWS = [
    ("C0", "I1", "ann", 0, 1, 1),  # superseded: ann scored I1 again later
    ("C1", "I1", "ann", 2, 5, 4), ("C2", "I1", "bob", 1, 4, 4),
    ("C3", "I2", "ann", 1, 3, 2), ("C4", "I2", "bob", 1, 3, 3), ("C5", "I2", "cat", 2, 2, 3),
    ("C6", "I3", "ann", 3, 1, 2), ("C7", "I3", "bob", 3, 2, 1),
    ("C8", "I4", "cat", 3, 5, 5),  # one reviewer only: no calibration unit
]


def build(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ("interaction_id", "channel"),
                   [(i, "chat") for i in ("I1", "I2", "I3", "I4")])
    rows = [(rid, iid, "communication_quality", crit, float(score), 1.0, 5.0, 1.0, False,
             False, reviewer, AT + dt.timedelta(days=day))
            for rid, iid, reviewer, day, tone, clarity in REVIEWS
            for crit, score in (("tone", tone), ("clarity", clarity))]
    wh.insert_rows("qa_reviews", ("review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "min_score", "max_score", "weight", "critical",
                                  "not_applicable", "reviewer", "reviewed_at"), rows)


def test_calibration_from_the_warehouse(wh: Warehouse) -> None:
    build(wh)
    result = cal.calibrate_reviews(wh, threshold=3.0, min_sample=1, resamples=300)
    rel = result.reliability.set_index("criterion")
    assert list(result.reliability.columns) == ["scorecard", *cal.RELIABILITY_COLUMNS]
    assert list(rel.index) == ["tone", "clarity", "overall"]  # scorecard order, overall last
    assert set(rel["scorecard"]) == {"communication_quality"}
    # criterion scores on 0–100: (score − 1) × 25; reviewers as rows, I1..I3 as columns
    tone = [[100, 50, 0], [75, 50, 25], [NAN, 25, NAN]]
    clarity = [[75, 25, 25], [75, 50, 0], [NAN, 50, NAN]]
    overall = [[87.5, 37.5, 12.5], [75, 50, 12.5], [NAN, 37.5, NAN]]
    for name, matrix in (("tone", tone), ("clarity", clarity), ("overall", overall)):
        assert rel.loc[name, "alpha"] == pytest.approx(alpha_by_hand(matrix, "ordinal"))
        assert (rel.loc[name, "n_units"], rel.loc[name, "n_ratings"]) == (3, 7)
    dev = result.reviewers.set_index(["reviewer", "criterion"])
    # tone: ann +25, +12.5, −25; bob −25, +12.5, +25; cat 25 − 50
    assert dev.loc[("ann", "tone"), "deviation"] == pytest.approx(12.5 / 3)
    assert dev.loc[("bob", "tone"), "deviation"] == pytest.approx(12.5 / 3)
    assert dev.loc[("cat", "tone"), ["deviation", "n"]].tolist() == [-25, 1]
    assert dev.loc[("ann", "tone"), "flag"] == "lenient"
    assert dev.loc[("cat", "tone"), "flag"] == "strict"
    # overall: ann +12.5, 37.5 − 43.75, 0; bob −12.5, +12.5, 0
    assert dev.loc[("ann", "overall"), "deviation"] == pytest.approx(6.25 / 3)
    assert dev.loc[("bob", "overall"), "deviation"] == pytest.approx(0)
    assert dev.loc[("ann", "overall"), "flag"] == ""
    # a calibration session: only the interactions named
    session = cal.calibrate_reviews(wh, interaction_ids=["I1", "I3", "I4"], resamples=50)
    assert session.reliability.set_index("criterion")["n_units"].to_dict() == {
        "tone": 2, "clarity": 2, "overall": 2}
    none = cal.calibrate_reviews(wh, scorecard="process_compliance")
    assert none.reliability.empty and none.reviewers.empty
    assert list(none.reviewers.columns) == ["scorecard", *cal.REVIEWER_COLUMNS]
