"""Coaching notes and the QA trend after coaching on a hand-built set (both backends): the
means, n and Welch p-value worked by hand, the plain review score, a plugged-in score,
dispute decisions flowing through, and the refusals."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import pytest
from scipy import stats

from cxlens.errors import ConfigError, NotFound
from cxlens.qa import coaching, disputes
from cxlens.store.base import Warehouse

T = dt.datetime(2026, 5, 15, 12, tzinfo=dt.UTC)
D = dt.timedelta(days=1)
#: interaction → (agent, handled at (closed), tone, empathy); both criteria on 1–5.
SET: dict[str, tuple[str, dt.datetime, int, int]] = {
    "I1": ("a1", T - 20 * D, 3, 3),  # 50, 50 → 50
    "I2": ("a1", T - 10 * D, 2, 4),  # 25, 75 → 50
    "I3": ("a1", T - 1 * D, 1, 3),   # 0, 50 → 25
    "I4": ("a1", T + 1 * D, 4, 4),   # 75
    "I5": ("a1", T + 5 * D, 5, 5),   # 100
    "I6": ("a1", T + 20 * D, 4, 5),  # 75, 100 → 87.5
    "I7": ("a1", T - 40 * D, 1, 1),  # outside the 30-day window
    "I8": ("a1", T + 31 * D, 1, 1),  # outside
    "I9": ("b1", T + 2 * D, 1, 1),   # someone else
}


def _world(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ("interaction_id", "agent_id", "channel", "created_at",
                                    "closed_at"),
                   [[iid, agent, "chat", at - dt.timedelta(hours=3), at]
                    for iid, (agent, at, _, _) in SET.items()])
    rows: list[list[Any]] = []
    for iid, (_, _, tone, empathy) in SET.items():
        rid = "QA" + iid[1:]
        reviewed = T + 40 * D  # all reviewed long after: the handling time is what counts
        rows += [[rid, iid, "communication_quality", "tone", tone, 1.0, 5.0, False, reviewed],
                 [rid, iid, "communication_quality", "empathy", empathy, 1.0, 5.0, False,
                  reviewed],
                 [rid, iid, "communication_quality", "policy", None, 1.0, 5.0, True, reviewed]]
    wh.insert_rows("qa_reviews", ("review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "min_score", "max_score", "not_applicable",
                                  "reviewed_at"), rows)


def _welch(a: list[float], b: list[float]) -> float:
    va, vb = (sum((x - sum(s) / len(s)) ** 2 for x in s) / (len(s) - 1) for s in (a, b))
    se2 = va / len(a) + vb / len(b)
    t = (sum(b) / len(b) - sum(a) / len(a)) / math.sqrt(se2)
    df = se2**2 / ((va / len(a)) ** 2 / (len(a) - 1) + (vb / len(b)) ** 2 / (len(b) - 1))
    return float(2 * stats.t.sf(abs(t), df))


def test_the_plain_review_score() -> None:
    rows = pd.DataFrame({"score": [1.0, 4.0, None, 3.0], "min_score": [0.0, 1.0, 1.0, None],
                         "max_score": [1.0, 5.0, 5.0, 3.0],
                         "not_applicable": [False, False, True, None]})
    # 100, 75, (N/A), 3 of 0–3 = 100 → 91.67
    assert coaching.review_score(rows) == pytest.approx((100 + 75 + 100) / 3)
    assert coaching.review_score(rows.iloc[2:3]) is None


def test_trend_after_coaching_by_hand(wh: Warehouse) -> None:
    _world(wh)
    note = coaching.add_note(wh, "a1", "coach.kim", "Open with empathy; use the refund macro",
                             ["QA3", "QA2", "QA3"], now=T)
    assert note.review_ids == ("QA3", "QA2")
    assert coaching.notes(wh, "a1") == [note]
    assert coaching.notes(wh, "b1") == []
    got = coaching.trend_after_coaching(wh, "a1").iloc[0]
    before, after = [50.0, 50.0, 25.0], [75.0, 100.0, 87.5]
    assert (got["n_before"], got["n_after"]) == (3, 3)
    assert got["mean_before"] == pytest.approx(125 / 3)  # 41.67
    assert got["mean_after"] == pytest.approx(87.5)
    assert got["difference"] == pytest.approx(87.5 - 125 / 3)
    # Welch: t = 45.83 / √(208.33/3 + 156.25/3) = 4.158, df = 3.92
    assert got["p_value"] == pytest.approx(_welch(before, after))
    assert 0.01 < got["p_value"] < 0.02
    assert got["session_id"] == note.session_id and got["coach"] == "coach.kim"

    wide = coaching.trend_after_coaching(wh, "a1", window=45 * D).iloc[0]
    assert (wide["n_before"], wide["n_after"]) == (4, 4)  # I7 and I8 come in
    # a plugged-in score: the lowest criterion only (3, 2, 1 before; 4, 5, 4 after)
    def lowest(rows: pd.DataFrame) -> float:
        return float(rows["score"].min())

    low = coaching.trend_after_coaching(wh, "a1", score=lowest).iloc[0]
    assert (low["mean_before"], low["mean_after"]) == (2.0, pytest.approx(13 / 3))


def test_overturned_and_adjusted_reviews_count_as_decided(wh: Warehouse) -> None:
    _world(wh)
    coaching.add_note(wh, "a1", "coach.kim", "follow-up", now=T)
    d = disputes.open_dispute(wh, "QA3", "a1", "the customer was abusive", now=T)
    disputes.decide(wh, d.dispute_id, "lead.li", "overturned", "agreed", now=T + D)
    d = disputes.open_dispute(wh, "QA4", "a1", "tone was fine", now=T)
    disputes.decide(wh, d.dispute_id, "lead.li", "adjusted", "yes", adjustments={"tone": 5},
                    now=T + D)
    got = coaching.trend_after_coaching(wh, "a1").iloc[0]
    assert (got["n_before"], got["mean_before"]) == (2, 50.0)  # QA3 is void
    assert got["mean_after"] == pytest.approx((87.5 + 100 + 87.5) / 3)  # QA4: 100, 75 → 87.5
    # no spread before: Welch's df falls to n_after − 1 = 2
    assert got["p_value"] == pytest.approx(_welch([50.0, 50.0], [87.5, 100.0, 87.5]))


def test_small_samples_and_refusals(wh: Warehouse) -> None:
    _world(wh)
    assert coaching.trend_after_coaching(wh, "a1").empty  # no sessions
    coaching.add_note(wh, "b1", "coach.kim", "first week", now=T)
    got = coaching.trend_after_coaching(wh, "b1").iloc[0]
    assert (got["n_before"], got["n_after"], got["mean_after"]) == (0, 1, 0.0)
    assert math.isnan(got["mean_before"]) and math.isnan(got["p_value"])
    coaching.add_note(wh, "c1", "coach.kim", "new starter, nothing reviewed yet", now=T)
    assert coaching.trend_after_coaching(wh, "c1")[["n_before", "n_after"]].values.tolist() \
        == [[0, 0]]
    assert math.isnan(coaching.welch_p([60.0, 60.0], [80.0, 80.0]))  # undefined, not "0"
    assert math.isnan(coaching.welch_p([60.0], [80.0, 90.0]))
    with pytest.raises(NotFound) as err:
        coaching.add_note(wh, "a1", "coach.kim", "see these", ["QA1", "QA404"])
    assert "QA404" in err.value.message and "QA1," not in err.value.message
    with pytest.raises(ConfigError) as err2:
        coaching.add_note(wh, " ", "coach.kim", "")
    assert "the agent is empty; the note is empty" in err2.value.message
    with pytest.raises(ConfigError, match="window must be positive"):
        coaching.trend_after_coaching(wh, "a1", window=dt.timedelta(0))
