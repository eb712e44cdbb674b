"""Ticket text scored (issue 19): `cxlens sentiment --source tickets` scores the customer's
words in each conversation's transcript, by vendor and month, with the same model choice as
the other sources — on a hand-built warehouse whose texts leave no doubt.

Six conversations, two vendors, two months. Each customer's words are plainly positive,
negative or neutral; the agent's turns say the opposite, so a score that read them would be
wrong. "quiet" has only agent turns (no customer text: not a ticket text), "old" is outside
the period, "silent" has no transcript at all.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.store.base import Warehouse
from cxlens.text import source
from cxlens.text.sentiment_summary import sentiment_summary
from tests.text.test_model_choice import LABELS, PLAIN_BAD, PLAIN_GOOD, store_model

MAY, JUNE = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), dt.datetime(2026, 6, 8, 9, tzinfo=dt.UTC)
#: interaction: (vendor, created, [(speaker, text)]), with the label a reader gives
TICKETS = {
    "t1": ("Acme BPO", MAY, [("customer", "This is terrible. I am furious, the worst service "
                                          "ever."),
                             ("agent", "Great news, we love helping you!")]),
    "t2": ("Acme BPO", MAY, [("customer", "Thank you so much, wonderful help!"),
                             ("agent", "Sorry, that is awful.")]),
    "t3": ("Acme BPO", JUNE, [("customer", "My reference is 4411."),
                              ("agent", "Thanks! Great, glad to help."),
                              ("customer", "It was sent on Tuesday.")]),
    "t4": ("Northwind BPO", MAY, [("system", "You are through to support."),
                                  ("customer", "Awful, useless and rude. I hate this."),
                                  ("agent", "Excellent, happy to help!")]),
    "t5": ("Northwind BPO", JUNE, [("customer", "Brilliant, I love it, thanks a lot!"),
                                   ("agent", "Sorry for the terrible wait.")]),
    "quiet": ("Northwind BPO", JUNE, [("agent", "Hello? Terrible line, sorry.")]),
    "old": ("Acme BPO", dt.datetime(2024, 1, 8, 9, tzinfo=dt.UTC),
            [("customer", "Great, thanks!")]),
}
WANT = {"t1": "negative", "t2": "positive", "t3": "neutral", "t4": "negative",
        "t5": "positive"}


def tickets(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ("interaction_id", "channel", "created_at", "vendor"),
                   [(i, "chat", at, v) for i, (v, at, _) in TICKETS.items()]
                   + [("silent", "phone", MAY, "Acme BPO")])
    wh.insert_rows("transcript_turns", ("interaction_id", "turn", "speaker", "spoken_at",
                                        "text"),
                   [(i, n, who, at + dt.timedelta(minutes=n), text)
                    for i, (_, at, turns) in TICKETS.items()
                    for n, (who, text) in enumerate(turns)])


def test_the_customers_words_of_each_ticket(wh: Warehouse) -> None:
    tickets(wh)
    got = source.tickets(wh, dt.date(2026, 5, 1), dt.date(2026, 7, 1))
    assert got["interaction_id"].tolist() == ["t1", "t2", "t4", "t3", "t5"]  # by time
    texts = dict(zip(got["interaction_id"], got["text"], strict=True))
    assert texts["t3"] == "My reference is 4411. It was sent on Tuesday."  # in turn order
    assert texts["t4"] == "Awful, useless and rude. I hate this."  # no system, no agent
    assert got["month"].tolist() == ["2026-05", "2026-05", "2026-05", "2026-06", "2026-06"]


def test_tickets_scored_by_vendor_and_month(wh: Warehouse) -> None:
    tickets(wh)
    s = sentiment_summary(wh, "tickets", start="2026-05-01", end="2026-06-30")
    assert (s.source, s.model) == ("tickets", "vader")
    assert dict(zip(s.texts["interaction_id"], s.texts["label"], strict=True)) == WANT
    overall = s.overall.set_index("group")
    # Acme: t1 −, t2 +, t3 neutral → net 0; Northwind: t4 −, t5 + → net 0; all: 2 +, 2 −, 1
    assert {g: int(overall.loc[g, "n"]) for g in overall.index} == {
        "all": 5, "Acme BPO": 3, "Northwind BPO": 2}
    assert overall.loc["all", "positive"] == pytest.approx(2 / 5)
    assert overall.loc["all", "neutral"] == pytest.approx(1 / 5)
    assert overall.loc["Acme BPO", "net"] == pytest.approx(0.0)
    monthly = s.monthly.set_index(["group", "month"])
    assert int(monthly.loc[("Acme BPO", "2026-05"), "n"]) == 2
    assert monthly.loc[("Acme BPO", "2026-06"), "neutral"] == 1.0  # t3 alone
    assert monthly.loc[("Northwind BPO", "2026-05"), "negative"] == 1.0  # t4 alone
    assert s.evaluation.empty  # tickets carry no labels to compare with


def test_the_default_period_is_the_year_to_the_latest_ticket(wh: Warehouse) -> None:
    tickets(wh)
    s = sentiment_summary(wh, "tickets")
    assert (s.first.isoformat(), s.last.isoformat()) == ("2025-06-09", "2026-06-08")
    assert "old" not in set(s.texts["interaction_id"])


@pytest.mark.parametrize(("kind", "model"), [("tickets", "trained"), ("comments", "vader")])
def test_the_trained_model_scores_tickets_only_when_it_learned_from_tickets(
        wh: Warehouse, kind: str, model: str) -> None:
    """A model trained on "parcel … again" (negative) / "refund … today" (positive): words
    VADER gives no valence, so only the trained model labels these tickets."""
    tickets(wh)
    wh.insert_rows("interactions", ("interaction_id", "channel", "created_at", "vendor"),
                   [("p1", "email", JUNE, "Acme BPO"), ("p2", "email", JUNE, "Acme BPO")])
    wh.insert_rows("transcript_turns", ("interaction_id", "turn", "speaker", "text"),
                   [("p1", 0, "customer", "parcel held again"),
                    ("p2", 0, "customer", "refund landed today")])
    store_model(wh, PLAIN_BAD + PLAIN_GOOD, LABELS, kind)
    s = sentiment_summary(wh, "tickets")
    assert s.model == model
    labels = dict(zip(s.texts["interaction_id"], s.texts["label"], strict=True))
    if model == "trained":
        assert s.note.endswith("(it learned from tickets, as these are)")
        assert (labels["p1"], labels["p2"]) == ("negative", "positive")
    else:
        assert s.note == ("vader lexicon model: the trained model learned from comments, not "
                          "tickets, and no labels show it does better on them")
        assert (labels["p1"], labels["p2"]) == ("neutral", "neutral")


def test_the_cli_scores_tickets(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        tickets(wh)
    runner = CliRunner()
    out = runner.invoke(app, ["sentiment", "--source", "tickets", "--db", db, "--from",
                              "2026-05-01", "--format", "json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert (body["source"], body["model"]) == ("tickets", "vader")
    overall = {r["group"]: r for r in body["overall"]}
    assert (overall["all"]["n"], overall["Northwind BPO"]["n"]) == (5, 2)
    table = runner.invoke(app, ["sentiment", "--source", "tickets", "--db", db])
    assert table.exit_code == 0 and "tickets sentiment (vader)" in table.stdout
    wrong = runner.invoke(app, ["sentiment", "--source", "ticket", "--db", db])
    assert wrong.exit_code != 0 and 'Did you mean "tickets"' in wrong.output
