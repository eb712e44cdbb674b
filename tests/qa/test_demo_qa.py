"""QA on the demo operation: quality scores match an independent pandas computation from the
raw rows, and calibration finds the demo's double reviews with plausible agreement."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlens import store
from cxlens.demo import build_demo
from cxlens.demo.qa import CALIBRATION_SHARE
from cxlens.qa import calibration, scorecards, scoring
from cxlens.qa.scoring import Rating
from cxlens.store.base import Warehouse


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    # scale 0.1 rather than 0.02: about 37 double-reviewed interactions per scorecard instead
    # of 8, enough for α to mean something; it still builds in a few seconds
    wh = store.connect(str(tmp_path_factory.mktemp("qa_demo") / "demo.duckdb"))
    build_demo(wh, scale=0.1, seed=3)
    try:
        yield wh
    finally:
        wh.close()


@pytest.fixture(scope="module")
def raw(demo: Warehouse) -> pd.DataFrame:
    return demo.query_df("SELECT q.*, i.vendor FROM qa_reviews q "
                         "LEFT JOIN interactions i ON i.interaction_id = q.interaction_id")


def pandas_review_scores(raw: pd.DataFrame) -> pd.Series:
    """The Zendesk rules again, in pandas (the built-in scorecards have no bonus criteria)."""
    rows = raw.copy()
    applies = ~rows["not_applicable"].astype(bool) & rows["score"].notna()
    rows["pct"] = np.where(applies, (rows["score"] - rows["min_score"]) * 100
                           / (rows["max_score"] - rows["min_score"]), np.nan)
    rows["wp"] = rows["weight"] * rows["pct"]
    rows["w"] = np.where(applies, rows["weight"], np.nan)
    rows["fail"] = applies & rows["critical"].astype(bool) & (rows["pct"] < 50)
    per = rows.groupby("review_id").agg(wp=("wp", "sum"), w=("w", "sum"), fail=("fail", "any"),
                                        applicable=("pct", "count"))
    score = per["wp"] / per["w"]
    score[per["fail"]] = 0.0
    score[per["applicable"] == 0] = np.nan
    return score


def test_review_scores_match_the_pure_function(demo: Warehouse, raw: pd.DataFrame) -> None:
    frame = scoring.review_scores(demo).set_index("review_id")
    assert len(frame) == raw["review_id"].nunique()
    by_hand = pandas_review_scores(raw)
    assert frame["score"].sort_index().to_numpy() == pytest.approx(
        by_hand.sort_index().to_numpy(), nan_ok=True)
    assert (frame["score"] == 0).any() and (frame["score"] == 100).any()  # critical fails
    for rid, rows in list(raw.groupby("review_id"))[:60]:
        ratings = [Rating(None if pd.isna(r.score) else r.score, r.max_score, r.min_score,
                          r.weight, bool(r.critical), bool(r.not_applicable))
                   for r in rows.itertuples()]
        assert scoring.review_score(ratings) == pytest.approx(frame.loc[rid, "score"])


def test_quality_by_vendor_matches_pandas(demo: Warehouse, raw: pd.DataFrame) -> None:
    reviews = raw.groupby("review_id").agg(vendor=("vendor", "first"))
    reviews["score"] = pandas_review_scores(raw)
    expected = reviews.groupby("vendor")["score"].agg(["mean", "count", "std"])
    got = scoring.quality_scores(demo, by=["vendor"]).set_index("vendor")
    assert sorted(got.index) == sorted(expected.index) == ["Acme BPO", "Northwind BPO",
                                                          "in-house"]
    for vendor, row in expected.iterrows():
        t = stats.t.ppf(0.975, row["count"] - 1)
        half = t * row["std"] / math.sqrt(row["count"])
        assert got.loc[vendor, "value"] == pytest.approx(row["mean"])
        assert got.loc[vendor, "n"] == row["count"]
        assert (got.loc[vendor, "ci_low"], got.loc[vendor, "ci_high"]) == pytest.approx(
            (row["mean"] - half, row["mean"] + half))
        assert got.loc[vendor, "flag"] == ""  # hundreds of reviews each


def test_na_allowed_where_the_demo_marks_criteria_na(raw: pd.DataFrame) -> None:
    na = set(raw.loc[raw["not_applicable"].astype(bool), "criterion"])
    allowed = {c.id for card in scorecards.builtin().scorecards for c in card.criteria
               if c.na_allowed}
    assert na == allowed


def test_calibration_finds_the_double_reviews(demo: Warehouse, raw: pd.DataFrame) -> None:
    result = calibration.calibrate_reviews(demo)
    rel = result.reliability.set_index(["scorecard", "criterion"])
    reviewers = raw.groupby(["scorecard", "interaction_id"])["reviewer"].nunique()
    doubles = reviewers[reviewers >= 2].groupby("scorecard").size()
    reviewed = raw.groupby("scorecard")["interaction_id"].nunique()
    for card in ("process_compliance", "communication_quality"):
        assert rel.loc[(card, "overall"), "n_units"] == doubles[card]
        # about 8 % of the reviewed interactions are reviewed twice
        assert 0.5 * CALIBRATION_SHARE < doubles[card] / reviewed[card] < 1.5 * CALIBRATION_SHARE
        criteria = [c.id for c in scorecards.builtin().get(card).criteria]
        assert list(rel.loc[card].index) == [*criteria, "overall"]
    # communication scores share the agent's warmth but each reviewer adds bias and noise:
    # real but far from reliable agreement
    comm = rel.loc[("communication_quality", "overall")]
    assert 0.2 < comm["alpha"] < 0.8 and comm["label"] in ("unreliable", "tentative")
    assert comm["ci_low"] < comm["alpha"] < comm["ci_high"]
    for criterion in ("tone", "empathy", "proactive_guidance", "clarity"):
        assert -0.3 < rel.loc[("communication_quality", criterion), "alpha"] < 0.8
    # pass/fail is drawn per reviewer: little agreement beyond chance on process compliance
    assert rel.loc[("process_compliance", "overall"), "alpha"] < 0.5
    dev = result.reviewers.set_index(["scorecard", "reviewer", "criterion"])["deviation"]
    # criteria read off the data (response-time target met) never disagree
    assert (dev.xs("met_response_sla", level="criterion") == 0).all()
    # the demo's most lenient communication reviewer scores above its strictest one
    assert dev[("communication_quality", "qa.ramon", "overall")] > 0 > \
        dev[("communication_quality", "qa.lucia", "overall")]
