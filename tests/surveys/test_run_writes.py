"""A survey run bumps the versions of the tables it writes only (surveys.run.WRITES, issue 18):
pages reading none of them stay cached. The bump must name every table the run writes, or a
page reading one would show stale figures: two runs (invitations, then reminders and cases)
are recorded statement by statement (store/trace.py) and what they write must be named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cxlens import store
from cxlens.store import registry
from cxlens.store.duck import DuckDBWarehouse
from cxlens.store.migrate import data_version
from cxlens.store.trace import recording
from cxlens.surveys import config
from cxlens.surveys.run import WRITES, run
from tests.surveys.world import START, build, config_text


def test_a_survey_run_writes_only_the_tables_its_bump_names(tmp_path: Path) -> None:
    registered = {t.name for t in registry.tables()} - {"cxlens_meta"}
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        build(wh)
        config.save(wh, config_text(25))
        messages: list[Any] = []
        interactions = data_version(wh, {"interactions", "survey_responses"})
        with recording(wh) as (traced, statements):
            first = run(traced, START + dt.timedelta(days=2),
                        deliver=lambda p, m: messages.append(m))
            run(traced, START + dt.timedelta(days=12),
                        deliver=lambda p, m: messages.append(m))
        assert first.invited > 0 and messages
        written = statements.written() & registered
        assert "survey_invitations" in written
        assert written <= WRITES, sorted(written - WRITES)
        # the runs changed no answer: what reads only contacts and answers keeps its version
        assert data_version(wh, {"interactions", "survey_responses"}) == interactions
        assert data_version(wh, {"survey_invitations"}) != interactions
