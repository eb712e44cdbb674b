"""The machine beside a calibration session's people, on DuckDB and Postgres (issue 19): the
hand-worked session of tests/web/test_qa_session_machine.py through the library, and the
consensus's rules — two or more people, each person's latest review, a pass above 50."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxlens.qa import machine, session_machine, sessions
from cxlens.store.base import Warehouse
from tests.qa.test_machine import NOW
from tests.qa.test_machine import seed as transcripts
from tests.web.test_qa_session_machine import UNITS, scores

AT = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)


def test_the_session_beside_the_machine(wh: Warehouse) -> None:
    transcripts(wh)
    s = sessions.create(wh, "With the machine", "communication_quality", UNITS,
                        ["ann", "bob"], "ann", now=AT)
    assert session_machine.beside(wh, s.session_id) is None  # no AutoQA run yet
    for who in ("ann", "bob"):
        for iid in UNITS:
            sessions.record(wh, s.session_id, who, iid, scores(who, iid), now=AT)
    machine.run(wh, now=NOW)
    got = session_machine.beside(wh, s.session_id, resamples=200)
    assert got is not None and got.scored == {"good", "bad", "chat", "email"}
    rows = got.agreement.set_index("criterion")
    assert rows.loc["tone", "kappa"] == pytest.approx(0.5)
    assert rows.loc["tone", "alpha"] == pytest.approx(8 / 15)
    assert (rows.loc["tone", "same_pass"], rows.loc["tone", "deviation"]) == (0.75, 25.0)
    assert not rows.loc["tone", "trusted"] and rows.loc["empathy", "trusted"]
    # policy_denial_handling: N/A for chat and email from everyone: good and bad only
    assert rows.loc["policy_denial_handling", "n_units"] == 2


def test_the_consensus_needs_two_people_and_takes_each_ones_latest() -> None:
    """u1: ann 100 then 0 (her latest), bob 100 → mean 50, not above the middle: fail.
    u2: ann 75, bob 50 → 62.5: pass. u3: ann alone: no consensus. u4: both N/A: none."""
    at = pd.Timestamp("2026-03-05", tz="UTC")
    people = pd.DataFrame({
        "review_id": ["a1", "a1b", "b1", "a2", "b2", "a3", "a4", "b4"],
        "interaction_id": ["u1", "u1", "u1", "u2", "u2", "u3", "u4", "u4"],
        "criterion": "tone", "reviewer": ["ann", "ann", "bob", "ann", "bob", "ann", "ann", "bob"],
        "reviewed_at": [at, at + pd.Timedelta(hours=1), at, at, at, at, at, at],
        "pct": [100.0, 0.0, 100.0, 75.0, 50.0, 100.0, float("nan"), float("nan")]})
    got = session_machine.consensus(people)
    assert dict(zip(got["unit"], got["score"], strict=True)) == {"u1": 0.0, "u2": 1.0}
