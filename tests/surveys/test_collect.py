"""Taking answers: idempotent per invitation, out-of-scale and changed scores refused, the
follow-up step (comment, extra question, demographics) kept after the score, expired and
suppressed invitations refused, personal data redacted from comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from cxlens.surveys import collect
from cxlens.surveys.config import current
from cxlens.surveys.send import Message
from tests.surveys.world import START, invited

NOW = START + dt.timedelta(days=2, hours=1)


@pytest.fixture
def world(tmp_path: Any) -> Iterator[tuple[Warehouse, list[Message]]]:
    wh = store.connect(str(tmp_path / "c.duckdb"))
    messages = invited(wh)
    yield wh, messages
    wh.close()


def _csat(messages: list[Message]) -> Message:
    return next(m for m in messages if "satisfied" in m.text or "satisfait" in m.text)


def test_score_then_followup(world: tuple[Warehouse, list[Message]]) -> None:
    wh, messages = world
    cfg = current(wh)
    inv = _csat(messages).invitation_id
    first = collect.apply(wh, cfg, collect.Score(inv, 4), NOW)
    again = collect.apply(wh, cfg, collect.Score(inv, 4), NOW)
    assert (again.response_id, again.duplicate, first.duplicate) == (first.response_id, True,
                                                                      False)
    assert wh.scalar("SELECT count(*) FROM survey_responses WHERE invitation_id = ?",
                     [inv]) == 1
    with pytest.raises(collect.AnswerError) as changed:
        collect.apply(wh, cfg, collect.Score(inv, 1), NOW)
    assert (changed.value.code, changed.value.status) == ("already_answered", 409)
    done = collect.apply(wh, cfg, collect.Followup(
        inv, "Mail me at jo@example.com, it took 3 calls", {"resolved": 0}), NOW)
    assert done.completed
    comment, resolved = wh.query("SELECT comment, resolved_reported FROM survey_responses "
                                 "WHERE response_id = ?", [first.response_id])[0]
    assert "jo@example.com" not in comment and "3 calls" in comment
    assert resolved is False
    # the snapshot of who handled the interaction, taken when the invitation was sent
    snap = wh.query("SELECT r.vendor, r.agent_id, i.vendor, i.agent_id FROM survey_responses "
                    "r JOIN interactions i USING (interaction_id) WHERE response_id = ?",
                    [first.response_id])[0]
    assert snap[:2] == snap[2:] and snap[0] is not None
    # a finished survey cannot be reopened: the follow-up is idempotent too
    assert collect.apply(wh, cfg, collect.Followup(inv, "again"), NOW).duplicate


def test_refusals(world: tuple[Warehouse, list[Message]]) -> None:
    wh, messages = world
    cfg = current(wh)
    inv = _csat(messages).invitation_id
    with pytest.raises(collect.AnswerError) as bad:
        collect.apply(wh, cfg, collect.Score(inv, 6), NOW)
    assert (bad.value.code, bad.value.status) == ("score_out_of_scale", 422)
    assert "1–5" in bad.value.message
    with pytest.raises(collect.AnswerError) as early:
        collect.apply(wh, cfg, collect.Followup(inv, "hi"), NOW)
    assert early.value.code == "score_first"
    with pytest.raises(collect.AnswerError) as late:
        collect.apply(wh, cfg, collect.Score(inv, 3), NOW + dt.timedelta(days=8))
    assert (late.value.code, late.value.status) == ("link_expired", 410)
    suppressed = wh.scalar("SELECT invitation_id FROM survey_invitations WHERE status = "
                           "'suppressed' LIMIT 1")
    with pytest.raises(collect.AnswerError) as never:
        collect.apply(wh, cfg, collect.Score(str(suppressed), 3), NOW)
    assert never.value.code == "link_invalid"
    collect.apply(wh, cfg, collect.Score(inv, 3), NOW)
    with pytest.raises(collect.AnswerError) as wrong:
        collect.apply(wh, cfg, collect.Followup(inv, None, {"resolved": 7, "nope": 1}), NOW)
    assert "resolved: 7 is outside 0–1" in wrong.value.message
    assert "no question 'nope'" in wrong.value.message
    assert wh.scalar("SELECT count(*) FROM survey_responses WHERE invitation_id = ?",
                     [inv]) == 1


def test_writer_groups_and_acknowledges_after_commit(
        world: tuple[Warehouse, list[Message]]) -> None:
    wh, messages = world
    csat = [m.invitation_id for m in messages if "/s/" in m.link and m.channel == "email"
            and ("satisfied" in m.text or "satisfait" in m.text)]
    assert len(csat) >= 8
    writer = collect.Writer(wh.sibling(), current(wh), clock=lambda: NOW)
    try:
        futures = [writer.submit(collect.Score(i, 5)) for i in csat]
        futures += [writer.submit(collect.Score(csat[0], 5)),
                    writer.submit(collect.Score(csat[1], 2))]
        results = [f.exception() or f.result() for f in futures]
    finally:
        writer.close()
    n = len(csat)
    assert all(isinstance(r, collect.Receipt) for r in results[:n + 1])
    assert results[n].duplicate  # type: ignore[union-attr]
    assert isinstance(results[n + 1], collect.AnswerError)
    assert writer.accepted == n
    assert wh.scalar("SELECT count(*) FROM survey_responses WHERE programme = "
                     "'support-csat' AND score = 5 AND invitation_id LIKE 'inv_%'") == n


def test_a_group_of_scores_in_one_set(wh: Warehouse) -> None:
    """One group with every case the writer meets: new answers (two detractors open cases),
    the same invitation twice in the group (same score: duplicate; other score: 409), an
    invitation answered before the group, an out-of-scale score and an unknown token. On each
    backend, checked against the rows it leaves."""
    messages = invited(wh)
    cfg = current(wh)
    ids = [m.invitation_id for m in messages if "/s/" in m.link and m.channel == "email"
           and ("satisfied" in m.text or "satisfait" in m.text)][:6]
    assert len(ids) == 6
    collect.apply(wh, cfg, collect.Score(ids[5], 4), NOW)
    group = [collect.Score(ids[0], 5), collect.Score(ids[1], 1), collect.Score(ids[0], 5),
             collect.Score(ids[2], 2), collect.Score(ids[0], 3), collect.Score(ids[5], 4),
             collect.Score(ids[3], 9), collect.Score("inv_nobody", 4),
             collect.Score(ids[4], 3)]
    with wh.transaction():
        out = collect.take_scores(wh, cfg, group, NOW)
    codes = [r.code if isinstance(r, collect.AnswerError) else
             ("dup" if r.duplicate else "new", r.case_id is not None) for r in out]
    assert codes == [("new", False), ("new", True), ("dup", False), ("new", True),
                     "already_answered", ("dup", False), "score_out_of_scale", "link_invalid",
                     ("new", False)]
    rows = wh.query("SELECT invitation_id, score, responded_at FROM survey_responses "
                    "WHERE invitation_id IN (?, ?, ?, ?, ?, ?) ORDER BY score", ids)
    assert sorted((r[0], r[1]) for r in rows) == sorted(
        [(ids[0], 5), (ids[1], 1), (ids[2], 2), (ids[4], 3), (ids[5], 4)])
    linked = wh.query("SELECT invitation_id, response_id FROM survey_invitations WHERE "
                      "invitation_id IN (?, ?, ?, ?, ?, ?)", ids)
    assert dict(linked) == {
        **{i: f"r_{i}" for i in (ids[0], ids[1], ids[2], ids[4], ids[5])}, ids[3]: None}
    cases = wh.query("SELECT response_id, score, status FROM followup_cases ORDER BY score")
    assert cases == [(f"r_{ids[1]}", 1, "open"), (f"r_{ids[2]}", 2, "open")]
