"""The sentiment summary of the demo's mentions and comments: counts that match the warehouse,
shares and net sentiment that add up, and both models evaluated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxlens.errors import ConfigError, NotFound
from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse
from cxlens.text.sentiment_summary import sentiment_summary


def test_mentions_by_brand_and_month(demo: Warehouse) -> None:
    s = sentiment_summary(demo, "mentions", "vader")
    total = demo.scalar("SELECT count(*) FROM mentions WHERE text IS NOT NULL")
    overall = s.overall.set_index("group")
    assert overall.loc["all", "n"] == total
    by_brand = dict(demo.query("SELECT brand, count(*) FROM mentions GROUP BY brand"))
    assert {g: overall.loc[g, "n"] for g in by_brand} == by_brand
    shares = s.overall[["positive", "neutral", "negative"]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0)
    net = 100 * (s.overall["positive"] - s.overall["negative"])
    assert s.overall["net"].to_numpy() == pytest.approx(net.to_numpy())
    assert (s.overall["net_ci_low"] < s.overall["net"]).all()
    months = s.monthly[s.monthly["group"] == "all"]
    assert months["n"].sum() == total and months["month"].is_monotonic_increasing
    evaluation = s.evaluation.set_index("model")
    assert set(evaluation.index) == {"vader", "lexicon"}
    assert evaluation.loc["vader", "n"] == total
    assert evaluation.loc["vader", "macro_f1"] > evaluation.loc["lexicon", "macro_f1"]


def test_comments_against_scores(demo: Warehouse) -> None:
    s = sentiment_summary(demo, "comments", "lexicon", "2026-01-01", "2026-06-30")
    assert (s.first.isoformat(), s.last.isoformat()) == ("2026-01-01", "2026-06-30")
    n = demo.scalar("SELECT count(*) FROM survey_responses WHERE comment IS NOT NULL AND "
                    "responded_at >= '2026-01-01' AND responded_at < '2026-07-01'")
    assert s.overall.set_index("group").loc["all", "n"] == n == len(s.texts)
    assert set(s.overall["group"]) == {"all", "csat", "nps"}
    aucs = s.evaluation.dropna(subset=["auc"])
    assert set(aucs["against"]) == {"nps: detractor vs promoter",
                                    "csat: dissatisfied vs satisfied"}
    assert (aucs["auc_ci_low"] > 0.5).all()
    promoters = s.by_score[(s.by_score["group"] == "promoter")]
    assert set(promoters["model"]) == {"vader", "lexicon"}


def test_bad_requests_are_explained(demo: Warehouse) -> None:
    with pytest.raises(NotFound, match='Did you mean "mentions"'):
        sentiment_summary(demo, "mentoins")
    with pytest.raises(ConfigError, match="no mentions with text"):
        sentiment_summary(demo, "mentions", start="2020-01-01", end="2020-01-31")


#: Complaints without sentiment words (VADER: neutral) and two plain compliments.
NO_WORDS = ["@acme waited 40 minutes on hold", "@acme parcel arrived a week late",
            "@acme third call about the same invoice", "@acme the engineer never came",
            "@acme two invoices this month for one order", "@acme app logs me out every day",
            "@acme still waiting on my email from Monday",
            "@acme delivery went to the house next door",
            "@acme love the new app", "@acme great service today"]


def labelled_mentions(wh: Warehouse) -> None:
    at = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    wh.insert_rows("mentions", ["mention_id", "brand", "source", "posted_at", "text",
                                "sentiment"],
                   [(f"m{i}", "Acme", "twitter", at + dt.timedelta(minutes=i), text,
                     "negative" if i < 8 else "positive") for i, text in enumerate(NO_WORDS)])


def test_evaluation_beside_the_majority_baseline(duck: Warehouse) -> None:
    labelled_mentions(duck)
    e = sentiment_summary(duck, "mentions", "vader").evaluation.set_index("model")
    vader = e.loc["vader"]
    # 8 of 10 are negative: always "negative" is right 80 % of the time, macro-F1 of
    # (2·0.8/1.8)/2 over the two labels given; VADER finds only the 2 compliments: 20 %
    assert vader["baseline"] == "always 'negative'" and vader["baseline_accuracy"] == 0.8
    assert vader["baseline_macro_f1"] == pytest.approx(2 * 0.8 / 1.8 / 2)
    assert vader["accuracy"] == 0.2
    assert vader["verdict"].endswith(
        "always 'negative': accuracy 80.0 %, macro-F1 0.44 — vader does not beat the baseline")


def test_labels_computed_at_import_are_not_evidence(duck: Warehouse, tmp_path: Path) -> None:
    """A mention imported without a label gets VADER's at import; comparing VADER with its own
    labels would crown it. Only the ten given labels are counted, not the three computed."""
    labelled_mentions(duck)  # 10 given labels (inserted as given: no sentiment_source)
    f = tmp_path / "m.csv"
    f.write_text("mention_id,brand,source,posted_at,text\n"
                 "c1,Acme,twitter,2026-05-02 09:00,@acme love it\n"
                 "c2,Acme,twitter,2026-05-02 09:01,@acme terrible awful service\n"
                 "c3,Acme,twitter,2026-05-02 09:02,@acme great great great\n")
    import_files(duck, "mentions", [f])
    assert duck.scalar("SELECT count(*) FROM mentions WHERE sentiment_source = 'vader'") == 3
    e = sentiment_summary(duck, "mentions", "vader").evaluation.set_index("model")
    vader = e.loc["vader"]
    assert vader["n"] == 10  # 13 with the computed ones, which VADER would all get right
    assert vader["accuracy"] == 0.2  # as on the ten given labels alone (above)


def test_each_text_scored_once_as_every_row(demo: Warehouse) -> None:
    """Each distinct text is scored once and its rows take its score: the same as scoring
    every row (the definition, done here row by row with the model itself), and the AUCs and
    group means of those per-row scores (``cxlens.stats.auc``, pandas) are the evaluation's."""
    import numpy as np

    from cxlens.text.evaluate import auc_interval
    from cxlens.text.sentiment import score

    s = sentiment_summary(demo, "comments", "lexicon")
    rows = s.texts
    assert rows["comment"].nunique() < len(rows) / 5  # texts repeat: the case in point
    for model in ("vader", "lexicon"):
        per_row = score(rows["comment"].astype(str).tolist(), model)["compound"]
        if model == "lexicon":
            assert np.array_equal(rows["compound"].to_numpy(), per_row.to_numpy())
        e = s.evaluation.set_index(["model", "against"]).loc[model]
        for outcome, column, low, high in (("nps", "nps_group", "detractor", "promoter"),
                                           ("csat", "csat_group", "dissatisfied",
                                            "satisfied")):
            lo, hi = per_row[rows[column] == low], per_row[rows[column] == high]
            got = e.loc[f"{outcome}: {low} vs {high}"]
            assert got["n"] == len(lo) + len(hi)
            assert (got["auc"], got["auc_ci_low"], got["auc_ci_high"]) == auc_interval(lo, hi)
            means = s.by_score[(s.by_score["model"] == model)
                               & (s.by_score["outcome"] == outcome)].set_index("group")
            assert means.loc[low, "mean"] == lo.mean() and means.loc[high, "mean"] == hi.mean()
            assert means.loc[low, "n"] == len(lo)
