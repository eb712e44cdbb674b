"""The collector's groups (issue 18): answers submitted together are committed as one
group (the writer waits a moment for more under load), each is acknowledged only after its
group's commit, and a group that fails as a whole is retried answer by answer, so the one
answer at fault fails alone and none of the others is lost. Real DuckDB files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import httpx
import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from cxlens.store.migrate import secret
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


def test_through_the_api_the_faulty_answer_gets_the_error_shape_the_others_201(
        world: tuple[Warehouse, list[str]]) -> None:
    """Ten answers posted at once to a real server: the one whose group insert breaks is
    answered 500 in the app's one JSON error shape; the nine others are 201 and stored."""
    from cxlens.surveys import tokens
    from cxlens.web.app import create_app
    from tests.web.server import running

    wh, ids = world
    ids = ids[:10]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    wh.execute("UPDATE survey_invitations SET expires_at = ?", [later])
    wh.execute("INSERT INTO survey_responses (response_id, survey, score, responded_at) "
               "VALUES (?, 'csat', 1, ?)", [f"r_{ids[3]}", NOW])
    app = create_app(wh, collect_rate=10_000)
    key = secret(wh, tokens.SECRET_KEY)
    bodies = [{"token": tokens.make(key, i, later), "score": 4} for i in ids]
    with running(app) as url, ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(
            lambda b: httpx.post(url + "/api/v1/responses", json=b, timeout=30), bodies))
    assert [a.status_code for a in answers] == [201] * 3 + [500] + [201] * 6
    error = answers[3].json()["error"]
    assert error["status"] == 500 and error["code"] == "internal_error"
    assert error["message"] and error["hint"]
    assert [a.json()["response_id"] for a in answers if a.status_code == 201] == [
        f"r_{i}" for i in ids if i != ids[3]]
    assert wh.scalar("SELECT count(*) FROM survey_responses WHERE score = 4") == 9
