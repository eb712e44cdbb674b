"""Training on the warehouse's scored comments, storing the model there, and scoring with it in
place of VADER — on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlens.errors import ConfigError, NotFound
from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.text import learned, model_store, scoring, training
from cxlens.text.sentiment_summary import sentiment_summary
from tests.text.test_sentiment_summary import NO_WORDS, labelled_mentions

DEMO = Path(__file__).parents[1] / "data" / "demo_comments" / "comments.csv"
COLUMNS = ["response_id", "survey", "kind", "score", "scale_min", "scale_max", "responded_at",
           "comment"]


def scored_comments(wh: Warehouse) -> pd.DataFrame:
    """The demo's 1,749 comments with their scores (tests/data/demo_comments)."""
    demo = pd.read_csv(DEMO)
    nps = demo["survey"] == "nps"
    rows = [(r.response_id, r.survey, r.kind, int(r.score), 0 if is_nps else 1,
             10 if is_nps else 5, pd.Timestamp(r.responded_at).to_pydatetime(), r.comment)
            for r, is_nps in zip(demo.itertuples(), nps, strict=True)]
    wh.insert_rows("survey_responses", COLUMNS, rows)
    return demo


def test_weak_labels_from_the_score() -> None:
    # hand-worked: NPS 9–10 positive, 0–6 negative, 7–8 out; CSAT 4–5 positive, 1–2
    # negative, 3 out — through the catalogue's groups
    assert training.WEAK == {"promoter": "positive", "detractor": "negative",
                             "satisfied": "positive", "dissatisfied": "negative"}


def test_weak_labels_of_literal_answers(wh: Warehouse) -> None:
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    answers = [("nps", "relational", 9, 0, 10, "n9"), ("nps", "relational", 7, 0, 10, "n7"),
               ("nps", "relational", 6, 0, 10, "n6"), ("csat", "transactional", 5, 1, 5, "c5"),
               ("csat", "transactional", 3, 1, 5, "c3"), ("csat", "transactional", 2, 1, 5, "c2")]
    wh.insert_rows("survey_responses", COLUMNS,
                   [(f"r{i}", s, k, score, lo, hi, at + dt.timedelta(hours=i), text)
                    for i, (s, k, score, lo, hi, text) in enumerate(answers)])
    data = training.from_warehouse(wh)
    assert dict(zip(data.texts, data.labels, strict=True)) == {
        "n9": "positive", "n6": "negative", "c5": "positive", "c2": "negative"}
    assert data.left_out == 2


def test_train_store_and_score_with_it(wh: Warehouse) -> None:
    demo = scored_comments(wh)
    assert scoring.engine(wh, source="comments").name == "vader"  # nothing stored yet
    data = training.from_warehouse(wh)
    # 996 positive and 376 negative; 377 passives and CSAT 3s left out (tests/data/README.md)
    assert (len(data.texts), data.left_out) == (1372, 377)
    assert data.labels.count("negative") == 376
    model, evaluation = training.train(data)
    assert list(evaluation["scheme"].unique()) == [
        "5-fold cross-validation", "time holdout (tested from 2026-07-20)"]
    version = data_version(wh)
    model_id = model_store.save(wh, model, evaluation, data.trained_on, len(data.texts))
    assert data_version(wh) != version  # cached pages were scored with the old model

    stored = model_store.latest(wh)
    assert stored is not None and stored.model_id == model_id
    assert (stored.data_version, stored.n, stored.classes) == (version, 1372,
                                                               ("positive", "negative"))
    pd.testing.assert_frame_equal(stored.evaluation, evaluation, check_dtype=False)
    texts = [*demo["comment"].tolist()[:200], "Awful, nobody called back.", ""]
    before, after = model.predict(texts), stored.model.predict(texts)
    assert np.array_equal(before[0], after[0], equal_nan=True)
    assert before[1].tolist() == after[1].tolist()

    engine = scoring.engine(wh, source="comments")
    # the note dates the model by its saving (the day read from the model, not from the
    # clock here: a run that crosses midnight UTC would otherwise fail)
    assert abs(dt.datetime.now(dt.UTC) - stored.created_at) < dt.timedelta(minutes=10)
    assert engine.name == "trained" and engine.note.startswith(
        f"trained model of {stored.created_at:%Y-%m-%d} on 1,372 scored survey comments")
    assert "under 5-fold cross-validation (vader 0.5" in engine.note
    summary = sentiment_summary(wh, "comments")
    assert summary.model == "trained" and summary.note == engine.note
    # the comments' own evaluation leaves the trained model out: it learned from them
    assert set(summary.evaluation["model"]) == {"vader", "lexicon"}
    assert sentiment_summary(wh, "comments", "vader").model == "vader"

    assert model_store.forget(wh) == 1
    assert scoring.engine(wh, source="comments").name == "vader"
    with pytest.raises(NotFound, match="no trained sentiment model") as err:
        scoring.engine(wh, "trained")
    assert "cxlens sentiment train" in err.value.hint


def test_no_scored_comments_is_a_clear_error(wh: Warehouse) -> None:
    with pytest.raises(ConfigError, match="no survey answers to learn sentiment from") as err:
        training.from_warehouse(wh)
    assert "--labels FILE" in err.value.hint
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    wh.insert_rows("survey_responses", COLUMNS,
                   [("r1", "nps", "relational", 8, 0, 10, at, "fine"),
                    ("r2", "csat", "transactional", 3, 1, 5, at, "ok I guess")])
    with pytest.raises(ConfigError, match=r"no scored comments to learn sentiment from "
                                          r"\(2 comments, none with"):
        training.from_warehouse(wh)


def test_too_few_labelled_texts_say_how_many(wh: Warehouse) -> None:
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    wh.insert_rows("survey_responses", COLUMNS,
                   [(f"r{i}", "nps", "relational", 10 if i % 2 else 0, 0, 10, at, f"text {i}")
                    for i in range(12)])
    data = training.from_warehouse(wh)
    with pytest.raises(ConfigError, match=r"positive: 6, negative: 6; at least 10"):
        training.train(data)


def test_an_imported_mention_is_labelled_by_the_stored_model(wh: Warehouse,
                                                             tmp_path: Path) -> None:
    # a model that learned "parcel" is bad news and "refund" good news — words VADER has no
    # valence for, so only the stored model can label these mentions
    bad = [f"parcel {w} again" for w in ("lost", "late", "missing", "stuck", "damaged",
                                          "gone", "wet", "torn", "opened", "crushed")]
    good = [f"refund {w} today" for w in ("arrived", "landed", "paid", "came", "cleared",
                                          "received", "sent", "done", "settled", "issued")]
    texts, labels = bad + good, ["negative"] * 10 + ["positive"] * 10
    model, evaluation = training.train(training.Labelled(texts, labels, None, "test", 0))
    model_store.save(wh, model, evaluation, "test", 20, "mentions")  # a model of mentions
    csv = tmp_path / "mentions.csv"
    pd.DataFrame({"mention_id": ["m1", "m2", "m3"], "brand": ["Acme"] * 3,
                  "source": ["twitter"] * 3,
                  "posted_at": ["2026-05-01T10:00:00Z"] * 3,
                  "text": ["my parcel again", "refund today", "ok"],
                  "sentiment": ["", "", "neutral"]}).to_csv(csv, index=False)
    import_files(wh, "mentions", [csv])
    got = dict(wh.query("SELECT mention_id, sentiment FROM mentions ORDER BY mention_id"))
    assert got == {"m1": "negative", "m2": "positive", "m3": "neutral"}  # a given label kept


def test_mentions_say_when_the_trained_model_is_worse_than_vader(wh: Warehouse) -> None:
    labelled_mentions(wh)  # 8 complaints labelled negative, 2 compliments positive
    # a model taught the opposite of the labels on the same words
    flipped = learned.fit(NO_WORDS, ["positive"] * 8 + ["negative"] * 2)
    model_store.save(wh, flipped, pd.DataFrame(), "test", 10)
    e = sentiment_summary(wh, "mentions").evaluation.set_index("model")
    assert list(e.index) == ["trained", "vader", "lexicon"]
    # vader: the 2 compliments right, the 8 complaints neutral → accuracy 0.2; F1 positive
    # 1, negative 0, neutral 0 → macro-F1 1/3. The flipped model gets every one wrong: 0
    assert e.loc["vader", "macro_f1"] == pytest.approx(1 / 3)
    assert e.loc["trained", "accuracy"] == 0.0 and e.loc["trained", "macro_f1"] == 0.0
    assert str(e.loc["trained", "verdict"]).endswith(
        "trained does not beat the baseline; its macro-F1 is below vader's (0.00 vs 0.33) on "
        "these labels")
    assert "below vader's" not in str(e.loc["vader", "verdict"])
