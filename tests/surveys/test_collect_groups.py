"""The collector's groups (issue 18): answers submitted together are committed as one
group (the writer waits a moment for more under load), each is acknowledged only after its
group's commit, and a group that fails as a whole is retried answer by answer, so the one
answer at fault fails alone and none of the others is lost. Real DuckDB files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import duckdb
import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from cxlens.surveys import collect
from cxlens.surveys.config import current
from tests.surveys.world import START, invited

NOW = START + dt.timedelta(days=2, hours=1)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Warehouse, list[str]]]:
    wh = store.connect(str(tmp_path / "groups.duckdb"))
    ids = [m.invitation_id for m in invited(wh) if "/s/" in m.link and m.channel == "email"
           and ("satisfied" in m.text or "satisfait" in m.text)]
    assert len(ids) >= 8
    yield wh, ids
    wh.close()


def _scores(writer: collect.Writer, ids: list[str]) -> list[Future[collect.Receipt]]:
    return [writer.submit(collect.Score(i, 4)) for i in ids]


def test_each_answer_is_acknowledged_only_after_its_group_committed(
        world: tuple[Warehouse, list[str]]) -> None:
    wh, ids = world
    seen: dict[str, int] = {}
    other = wh.sibling()  # another connection sees committed rows only
    writer = collect.Writer(wh.sibling(), current(wh), clock=lambda: NOW, linger=0.05)

    def check(invitation_id: str) -> None:
        seen[invitation_id] = int(other.scalar(
            "SELECT count(*) FROM survey_responses WHERE invitation_id = ?", [invitation_id]))

    try:
        futures = _scores(writer, ids)
        for i, fut in zip(ids, futures, strict=True):
            fut.add_done_callback(lambda _f, i=i: check(i))
        receipts = [f.result(timeout=30) for f in futures]
    finally:
        writer.close()
        other.close()
    assert [r.response_id for r in receipts] == [f"r_{i}" for i in ids]
    assert seen == dict.fromkeys(ids, 1)  # committed when acknowledged, every one
    assert writer.accepted == len(ids)
    assert writer.groups < len(ids)  # grouped, not one transaction each


def test_a_failed_group_fails_only_its_faulty_answer(
        world: tuple[Warehouse, list[str]]) -> None:
    wh, ids = world
    bad = ids[3]
    # a stray answer row under the id the collector will give the invitation's answer: the
    # group's one multi-row INSERT breaks the primary key, so the whole group fails
    wh.execute("INSERT INTO survey_responses (response_id, survey, score, responded_at) "
               "VALUES (?, 'csat', 1, ?)", [f"r_{bad}", NOW])
    writer = collect.Writer(wh.sibling(), current(wh), clock=lambda: NOW, linger=0.05)
    try:
        futures = _scores(writer, ids)
        outcomes = [f.exception(timeout=30) or f.result() for f in futures]
    finally:
        writer.close()
    failed = [i for i, o in zip(ids, outcomes, strict=True) if isinstance(o, BaseException)]
    assert failed == [bad]
    assert isinstance(outcomes[3], duckdb.ConstraintException)
    kept = wh.query("SELECT invitation_id FROM survey_responses WHERE score = 4 "
                    "ORDER BY invitation_id")
    assert [r[0] for r in kept] == sorted(i for i in ids if i != bad)
    assert writer.accepted == len(ids) - 1
