"""Two Postgres workers answering the same invitation at once (issue 18, ``--workers``).
Each worker's writer claims its group's invitations with one ``UPDATE … RETURNING``: the
second claim waits for the first transaction, then finds the invitation answered, so the
second group takes its other answers and reports the duplicate, instead of failing as a
whole on the answers' primary key (and being retried answer by answer). A real Postgres."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from cxlens.surveys import collect
from cxlens.surveys.config import current
from tests.surveys.world import START, invited

NOW = START + dt.timedelta(days=2, hours=1)

pytestmark = pytest.mark.postgres


def _waits_on_a_lock(watcher: Warehouse, pid: int, timeout: float = 30.0) -> None:
    """Return once backend ``pid`` waits on a lock (the first worker's transaction)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if watcher.scalar("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?",
                          [pid]) == "Lock":
            return
        time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited on the first worker's lock")


def test_the_second_worker_reports_the_duplicate_and_keeps_its_group(pg_db: str) -> None:
    first = store.connect(pg_db)
    second, watcher = first.sibling(), first.sibling()
    try:
        ids = [m.invitation_id for m in invited(first) if "/s/" in m.link
               and m.channel == "email" and ("satisfied" in m.text or "satisfait" in m.text)]
        cfg = current(first)
        pid = int(second.scalar("SELECT pg_backend_pid()"))

        def second_group() -> list[collect.Receipt | collect.AnswerError]:
            with second.transaction():
                return collect.take_scores(second, cfg, [collect.Score(ids[0], 4),
                                                         collect.Score(ids[1], 5)], NOW)

        with ThreadPoolExecutor(1) as pool:
            with first.transaction():
                mine = collect.take_scores(first, cfg, [collect.Score(ids[0], 4)], NOW)
                theirs = pool.submit(second_group)
                _waits_on_a_lock(watcher, pid)
            got = theirs.result(timeout=30)
        assert mine == [collect.Receipt(f"r_{ids[0]}", 4)]
        assert got == [collect.Receipt(f"r_{ids[0]}", 4, duplicate=True),
                       collect.Receipt(f"r_{ids[1]}", 5)]
        rows = first.query("SELECT invitation_id, score FROM survey_responses WHERE "
                           "invitation_id IN (?, ?) ORDER BY score", ids[:2])
        assert rows == [(ids[0], 4), (ids[1], 5)]
        linked = first.query("SELECT invitation_id, response_id FROM survey_invitations "
                             "WHERE invitation_id IN (?, ?)", ids[:2])
        assert dict(linked) == {ids[0]: f"r_{ids[0]}", ids[1]: f"r_{ids[1]}"}
    finally:
        for w in (watcher, second, first):
            w.close()
