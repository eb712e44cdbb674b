"""The sentiment page states each model's agreement with the stored labels beside the
majority-class baseline, and says when the model does not beat it."""

from __future__ import annotations

from cxlens.accounts.users import User
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.store.base import Warehouse
from tests.text.test_sentiment_summary import labelled_mentions


def test_sentiment_page_shows_the_majority_baseline(duck: Warehouse) -> None:
    labelled_mentions(duck)
    page = registry.build("sentiment", PageCtx(duck, User("ann", "analyst"), Filters(),
                                       {"source": "mentions"}))
    findings = page.extra["findings"]
    assert len(findings) == 2  # vader and lexicon
    assert any(f.startswith("vader: accuracy 20.0 %") and f.endswith(
        "always 'negative': accuracy 80.0 %, macro-F1 0.44 — vader does not beat the baseline")
        for f in findings)
    table = page.tables["evaluation"]
    assert list(table["baseline_accuracy"]) == [0.8, 0.8]


def test_sentiment_page_scores_tickets_by_vendor(duck: Warehouse) -> None:
    """Tickets (issue 19): the customers' words, one text per conversation, by vendor
    (tests/text/test_tickets.py: Acme's t1 −, t2 +, t3 neutral; Northwind's t4 −, t5 +)."""
    from tests.text.test_tickets import tickets

    tickets(duck)
    page = registry.build("sentiment", PageCtx(duck, User("ann", "analyst"),
                                               Filters(start="2026-05-01"),
                                               {"source": "tickets"}))
    assert page.title == "Sentiment of tickets"
    overall = page.tables["overall"].set_index("group")
    assert {g: int(n) for g, n in overall["n"].items()} == {"all": 5, "Acme BPO": 3,
                                                          "Northwind BPO": 2}
    assert page.notes[0] == ("Scored by the vader lexicon model (no trained model stored: "
                             "cxlens sentiment train).")
    texts = next(c for c in page.extra["controls"] if c["name"] == "source")
    assert ("tickets", "tickets (customers' words)") in texts["choices"]
