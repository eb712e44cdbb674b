"""Free text on import: personal data never reaches the warehouse (quarantine included), and a
mention without a sentiment gets one from its text."""

from __future__ import annotations

from pathlib import Path

from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse

# 4111 1111 1111 1111 is Luhn-valid (the published Visa test number); 1234567890123456 is not:
# from the right, 6 + (5·2 → 1) + 4 + (3·2) + 2 + (1·2) + 0 + (9·2 → 9) + 8 + (7·2 → 5) + 6
# + (5·2 → 1) + 4 + (3·2) + 2 + (1·2) = 64, not a multiple of 10.
COMMENT = ("Mail me at jo.smith+cx@example.co.uk or call +44 7700 900123. My card "
           "4111 1111 1111 1111 was charged twice for order 1234567890123456.")
REDACTED = ("Mail me at [email] or call [phone]. My card [card] was charged twice for order "
            "1234567890123456.")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_comments_are_redacted_before_they_are_stored(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "r.csv", "response_id,survey,score,responded_at,comment\n"
              f'r1,nps,3,2026-03-02,"{COMMENT}"\n'
              'r2,nps,11,2026-03-02,"out of scale; write to ann@example.com"\n')
    r = import_files(wh, "survey_responses", [f])
    assert (r.loaded, r.rejected) == (1, 1)
    assert wh.query("SELECT comment FROM survey_responses") == [(REDACTED,)]
    record = wh.scalar("SELECT record FROM quarantine")
    assert "[email]" in record and "ann@" not in record


def test_a_mapped_comment_column_and_skipped_rows_are_redacted(wh: Warehouse,
                                                             tmp_path: Path) -> None:
    m = write(tmp_path, "m.yaml", """
table: survey_responses
columns:
  response_id: Id
  survey: {value: csat}
  score: Rating
  responded_at: Date
  comment: "Why?"
skip:
  - {from: Rating, values: ["test"], reason: test answers}
""")
    f = write(tmp_path, "r.csv", "Id,Rating,Date,Why?\n"
              f'a,2,2026-03-02,"{COMMENT}"\n'
              'b,test,2026-03-02,"ring me on (555) 010-4477"\n')
    r = import_files(wh, "survey_responses", [f], mapping=m)
    assert (r.loaded, r.skipped) == (1, 1)
    assert wh.query("SELECT comment FROM survey_responses") == [(REDACTED,)]
    record = wh.scalar("SELECT record FROM quarantine WHERE status = 'skipped'")
    assert "[phone]" in record and "010-4477" not in record


def test_escalation_summaries_are_redacted(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "i.csv", "interaction_id,channel,created_at,escalation_summary\n"
              'i1,email,2026-03-01 09:00,"Customer (jo@example.com) wants a refund"\n'
              "i2,email,2026-03-01 09:00,\n")
    import_files(wh, "interactions", [f])
    assert wh.query("SELECT interaction_id, escalation_summary FROM interactions ORDER BY 1") \
        == [("i1", "Customer ([email]) wants a refund"), ("i2", None)]


def test_mention_sentiment_is_computed_when_absent(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "m.csv", "mention_id,brand,posted_at,text\n"
              'm1,Lumen,2026-03-02,"Love my Lumen hub, works perfectly!"\n'
              'm2,Lumen,2026-03-02,"Lumen app down again. Not impressed."\n'
              "m3,Lumen,2026-03-02,Lumen announced a new hub.\n"
              "m4,Lumen,2026-03-02,\n")
    import_files(wh, "mentions", [f])
    g = write(tmp_path, "g.csv", "mention_id,brand,posted_at,text,sentiment\n"
              "g1,Lumen,2026-03-02,Love it,Negative\n"
              'g2,Lumen,2026-03-02,"Not good at all, mail me: al@example.com",\n')
    import_files(wh, "mentions", [g])
    assert wh.query("SELECT mention_id, sentiment, text FROM mentions ORDER BY 1") == [
        ("g1", "negative", "Love it"),  # a given label is kept
        ("g2", "negative", "Not good at all, mail me: [email]"),
        ("m1", "positive", "Love my Lumen hub, works perfectly!"),
        ("m2", "negative", "Lumen app down again. Not impressed."),
        ("m3", "neutral", "Lumen announced a new hub."),
        ("m4", None, None),  # no text, no sentiment
    ]
    # where each label came from: given in the file, or computed (here by VADER: no model
    # is trained) — a computed label is never evidence when models are compared
    assert wh.query("SELECT mention_id, sentiment_source FROM mentions ORDER BY 1") == [
        ("g1", "given"), ("g2", "vader"), ("m1", "vader"), ("m2", "vader"), ("m3", "vader"),
        ("m4", None)]
