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


def plain_summary(texts, keys):  # type: ignore[no-untyped-def]
    """The definition: pandas' groupby over the texts with a score, one row per group."""
    import numpy as np
    import pandas as pd

    from cxlens.stats.mean import t_interval
    from cxlens.stats.nps import nps_interval
    from cxlens.stats.wilson import wilson_interval
    from cxlens.text.sentiment_summary import SUMMARY_COLUMNS

    rows = []
    scored = texts[texts["compound"].notna()]
    for key, part in scored.groupby(keys, sort=True, dropna=False):
        values = dict(zip(keys, key, strict=True))
        n = len(part)
        row = {"group": values.get("group", "all"), "month": values.get("month"), "n": n}
        counts = {lab: int((part["label"] == lab).sum())
                  for lab in ("positive", "neutral", "negative")}
        for lab, k in counts.items():
            lo, hi = wilson_interval(k, n)
            row |= {lab: k / n, f"{lab}_ci_low": float(lo), f"{lab}_ci_high": float(hi)}
        net, nlo, nhi = nps_interval(counts["positive"], counts["negative"], n)
        mean = float(part["compound"].mean())
        sd = float(part["compound"].std(ddof=1)) if n > 1 else np.nan
        mlo, mhi = t_interval(n, mean, sd)
        row |= {"net": float(net), "net_ci_low": float(nlo), "net_ci_high": float(nhi),
                "mean": mean, "mean_ci_low": float(mlo), "mean_ci_high": float(mhi)}
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def test_summaries_are_the_groupby_of_the_scored_texts() -> None:
    """Groups worked out on sorted codes (Categorical or not) give pandas' groupby rows, in
    its order (a missing month last), with its means and deviations to the last digit."""
    import numpy as np
    import pandas as pd

    from cxlens.text.sentiment import label
    from cxlens.text.sentiment_summary import sorted_categories, summarise

    rng = np.random.default_rng(11)
    n = 5000
    compound = rng.uniform(-1, 1, n).round(4)
    compound[rng.integers(0, n, 40)] = np.nan  # unscored texts count nowhere
    texts = pd.DataFrame({
        "group": rng.choice(["nps", "csat", "ces"], n).astype(object),
        "month": rng.choice(np.array(["2026-02", "2026-01", "2025-12", None], dtype=object),
                            n, p=[0.4, 0.3, 0.29, 0.01]),
        "compound": compound, "label": label(compound)})
    coded = texts.assign(group=sorted_categories(texts["group"]),
                         month=sorted_categories(texts["month"]))
    for frame in (texts, coded):
        pd.testing.assert_frame_equal(summarise(frame, ["group", "month"]),
                                      plain_summary(texts, ["group", "month"]))
        pd.testing.assert_frame_equal(summarise(frame, ["group"]),
                                      plain_summary(texts, ["group"]))
        every = plain_summary(texts.assign(group="all"), ["group", "month"])
        pd.testing.assert_frame_equal(summarise(frame, ["month"]), every)
        assert list(every["month"][:3]) == ["2025-12", "2026-01", "2026-02"]
        assert pd.isna(every["month"].iloc[3])  # the missing month last
        pd.testing.assert_frame_equal(summarise(frame, []),
                                      plain_summary(texts.assign(group="all"), ["group"]))
