"""The closed loop's metrics on cases the loop made, against hand-written SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cxlens import query, store
from cxlens.loop import cases
from cxlens.surveys import collect
from cxlens.surveys.config import current
from cxlens.surveys.run import run
from tests.surveys.world import START, invited

SENT = START + dt.timedelta(days=2)
H = dt.timedelta(hours=1)


def test_loop_metrics_match_hand_sql(tmp_path: Any) -> None:
    wh = store.connect(str(tmp_path / "m.duckdb"))
    invited(wh, at=SENT)
    cfg = current(wh)
    invs = [r[0] for r in wh.query("SELECT invitation_id FROM survey_invitations WHERE "
                                   "programme = 'support-csat' AND status = 'sent' "
                                   "ORDER BY invitation_id")]
    opened = []
    for k, inv in enumerate(invs[:12]):
        r = collect.apply(wh, cfg, collect.Score(inv, 1 + k % 2), SENT + H)
        opened.append(r.case_id)
    for k, case_id in enumerate(opened):  # contact after 2, 12, 30, 60 h, or never
        hours = (2, 12, 30, 60, None)[k % 5]
        if hours is not None and hours < 50:
            cases.update(wh, cfg, case_id, "ann", SENT + H + hours * H, status="contacted")
    run(wh, SENT + 53 * H, deliver=lambda p, m: None)  # the uncontacted ones go overdue
    got = query("followup_within,followup_within:h48,time_to_followup,overdue_case_rate",
                db=wh).set_index("metric")
    total = wh.scalar("SELECT count(*) FROM followup_cases")
    assert total == 12
    within = wh.scalar("SELECT count(*) FROM followup_cases WHERE first_contact_at <= "
                       "opened_at + INTERVAL 24 HOUR")
    within48 = wh.scalar("SELECT count(*) FROM followup_cases WHERE first_contact_at <= "
                         "opened_at + INTERVAL 48 HOUR")
    median = wh.scalar("SELECT median(epoch(first_contact_at) - epoch(opened_at)) "
                       "FROM followup_cases")
    overdue = wh.scalar("SELECT count(*) FROM followup_cases WHERE overdue_at IS NOT NULL")
    assert (got.loc["followup_within", "value"], got.loc["followup_within", "n"]) == \
        (pytest.approx(100 * within / total), total)
    assert got.loc["followup_within:h48", "value"] == pytest.approx(100 * within48 / total)
    assert got.loc["time_to_followup", "value"] == pytest.approx(median)
    assert got.loc["overdue_case_rate", "value"] == pytest.approx(100 * overdue / total)
    assert 0 < within < within48 < total and overdue > 0
    wh.close()
