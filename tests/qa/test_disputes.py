"""Disputes on both backends: open → decide (upheld, overturned, adjusted), the history kept,
decisions visible in the effective reviews, and every refusal saying what to do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from cxlens.errors import ConfigError, NotFound
from cxlens.qa import disputes
from cxlens.store.base import Warehouse

AT = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
_COLS = ("review_id", "interaction_id", "scorecard", "criterion", "score", "min_score",
         "max_score", "weight", "critical", "not_applicable", "reviewer", "reviewed_at")


def _reviews(wh: Warehouse) -> None:
    rows: list[list[Any]] = []
    for rid, iid, sop, tone in (("QA1", "I1", 0.0, 2.0), ("QA2", "I2", 1.0, 3.0),
                                ("QA3", "I3", 1.0, 5.0)):
        rows += [[rid, iid, "mixed", "followed_sop", sop, 0.0, 1.0, 2.0, True, False, "qa.mei",
                  AT - 24 * H],
                 [rid, iid, "mixed", "tone", tone, 1.0, 5.0, 1.0, False, False, "qa.mei",
                  AT - 24 * H],
                 [rid, iid, "mixed", "empathy", None, 1.0, 5.0, 1.0, False, True, "qa.mei",
                  AT - 24 * H]]
    wh.insert_rows("qa_reviews", _COLS, rows)


def _scores(wh: Warehouse) -> dict[tuple[str, str], tuple[float | None, bool]]:
    df = disputes.effective_reviews(wh)
    return {(r.review_id, r.criterion): (None if pd.isna(r.score) else float(r.score),
                                         bool(r.not_applicable)) for r in df.itertuples()}


def test_the_dispute_workflow(wh: Warehouse) -> None:
    _reviews(wh)
    before = _scores(wh)
    assert before[("QA1", "tone")] == (2.0, False) and len(before) == 9
    d1 = disputes.open_dispute(wh, "QA1", "agent.ana", "I did follow the SOP: see step 3",
                               criterion="followed_sop", now=AT)
    assert (d1.status, d1.review_id, d1.agent, d1.criterion, d1.opened_at) == (
        "open", "QA1", "agent.ana", "followed_sop", AT)
    assert _scores(wh) == before  # an open dispute changes nothing
    adjusted = disputes.decide(wh, d1.dispute_id, "lead.li", "adjusted",
                               "SOP followed; empathy was shown after all",
                               adjustments={"followed_sop": 1, "empathy": 4.0}, now=AT + H)
    assert adjusted.status == "adjusted" and adjusted.arbiter == "lead.li"
    assert adjusted.adjustments == {"followed_sop": 1.0, "empathy": 4.0}
    assert adjusted.decided_at == AT + H

    d2 = disputes.open_dispute(wh, "QA2", "agent.bo", "wrong scorecard", now=AT)
    disputes.decide(wh, d2.dispute_id, "lead.li", "overturned", "the wrong scorecard was used",
                    now=AT + 2 * H)
    d3 = disputes.open_dispute(wh, "QA3", "agent.cy", "too harsh", now=AT)
    disputes.decide(wh, d3.dispute_id, "lead.li", "upheld", "the score stands", now=AT + 2 * H)

    after = _scores(wh)
    assert after[("QA1", "followed_sop")] == (1.0, False)
    assert after[("QA1", "empathy")] == (4.0, False)  # was N/A, now scored
    assert after[("QA1", "tone")] == (2.0, False)
    assert not any(rid == "QA2" for rid, _ in after)  # overturned: the review is void
    assert {k: v for k, v in after.items() if k[0] == "QA3"} == {
        k: v for k, v in before.items() if k[0] == "QA3"}
    # the original rows stay as they were
    assert wh.scalar("SELECT score FROM qa_reviews WHERE review_id = 'QA1' AND "
                     "criterion = 'followed_sop'") == 0.0
    sql = disputes.effective_reviews_sql(wh)
    assert wh.scalar(f"SELECT sum(score) FROM {sql} AS q WHERE review_id = 'QA1'") == 7.0

    assert [h[2] for h in disputes.history(wh, d1.dispute_id)] == ["opened", "adjusted",
                                                                   "adjusted"]
    assert [d.status for d in disputes.listing(wh, status="open")] == []
    assert {d.review_id for d in disputes.listing(wh)} == {"QA1", "QA2", "QA3"}
    assert [d.review_id for d in disputes.listing(wh, agent="agent.bo")] == ["QA2"]
    assert disputes.get(wh, d2.dispute_id).comment == "the wrong scorecard was used"


def test_refusals_when_opening(wh: Warehouse) -> None:
    _reviews(wh)
    with pytest.raises(NotFound) as err:
        disputes.open_dispute(wh, "QA9", "agent.ana", "why?")
    assert "no QA review 'QA9'" in err.value.message and "qa_reviews" in err.value.hint
    with pytest.raises(ConfigError) as err2:
        disputes.open_dispute(wh, "QA1", " ", "", criterion="tnoe")
    text = str(err2.value)
    for part in ("who disputes is missing", "the reason is empty", 'Did you mean "tone"',
                 "empathy, followed_sop, tone"):
        assert part in text
    d = disputes.open_dispute(wh, "QA1", "agent.ana", "harsh", now=AT)
    with pytest.raises(ConfigError) as err3:
        disputes.open_dispute(wh, "QA1", "agent.ana", "again", now=AT)
    assert "already disputed" in err3.value.message and f"decide {d.dispute_id}" in err3.value.hint
    disputes.decide(wh, d.dispute_id, "lead.li", "upheld", "fair score", now=AT + H)
    with pytest.raises(ConfigError) as err4:
        disputes.open_dispute(wh, "QA1", "agent.ana", "and again", now=AT + 2 * H)
    assert "upheld by lead.li" in err4.value.hint and "final" in err4.value.hint
    with pytest.raises(ConfigError, match='Did you mean "upheld"'):
        disputes.listing(wh, status="uphold")


def test_refusals_when_deciding(wh: Warehouse) -> None:
    _reviews(wh)
    with pytest.raises(NotFound, match="no QA dispute 'dsp_nope'"):
        disputes.decide(wh, "dsp_nope", "lead.li", "upheld", "ok")
    d = disputes.open_dispute(wh, "QA1", "agent.ana", "harsh", now=AT)
    with pytest.raises(ConfigError) as err:
        disputes.decide(wh, d.dispute_id, "agent.ana", "overturn", " ")
    text = str(err.value)
    for part in ('Did you mean "overturned"', "agent.ana opened it and cannot decide it",
                 "comment is empty", "decisions: upheld, overturned, adjusted"):
        assert part in text
    with pytest.raises(ConfigError) as err2:
        disputes.decide(wh, d.dispute_id, "lead.li", "adjusted", "see notes",
                        adjustments={"tone": 6, "tnoe": 3, "followed_sop": -1})
    text = str(err2.value)
    for part in ("tone must be within 1–5, got 6", 'no criterion \'tnoe\'. Did you mean "tone"',
                 "followed_sop must be within 0–1, got -1"):
        assert part in text
    with pytest.raises(ConfigError, match="needs the new score of at least one criterion"):
        disputes.decide(wh, d.dispute_id, "lead.li", "adjusted", "see notes")
    with pytest.raises(ConfigError, match="only go with an adjusted decision, not upheld"):
        disputes.decide(wh, d.dispute_id, "lead.li", "upheld", "ok", adjustments={"tone": 3})
    assert disputes.get(wh, d.dispute_id).status == "open"  # nothing was written
    assert len(disputes.history(wh, d.dispute_id)) == 1
    disputes.decide(wh, d.dispute_id, "lead.li", "overturned", "void", now=AT + H)
    with pytest.raises(ConfigError) as err3:
        disputes.decide(wh, d.dispute_id, "lead.zo", "upheld", "no, it stands")
    assert "already decided: overturned by lead.li on 2026-05-04 11:00" in err3.value.message
    assert disputes.get(wh, d.dispute_id).status == "overturned"
