"""An import bumps the versions of the tables it writes only (ingest.pipeline.writes, issue
18): a page reading none of them stays cached, so importing mentions leaves the survey pages
as they are. The bump must name every table the import writes, or a page reading one would
show stale figures: imports (one with a rejected row, so the quarantine is written too) and a
helpdesk sync are recorded statement by statement (store/trace.py) and what they write must be
named, while the versions of the tables they did not touch stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens import store
from cxlens.connectors import state
from cxlens.connectors.accounts import Account, sync
from cxlens.connectors.http import Policy
from cxlens.ingest.pipeline import import_files, writes
from cxlens.store import registry
from cxlens.store.duck import DuckDBWarehouse
from cxlens.store.migrate import data_version
from cxlens.store.trace import recording
from tests.connectors import zendesk_data as zd

REGISTERED = {t.name for t in registry.tables()} - {"cxlens_meta"}

MENTIONS = """mention_id,brand,source,posted_at,text,sentiment
m1,Acme,twitter,2026-03-01 10:00,Great service today,positive
m2,Acme,twitter,2026-03-02 11:00,Still waiting for my refund,negative
m3,Acme,twitter,not a date,Bad row,negative
"""


def test_an_import_writes_only_the_tables_its_bump_names(tmp_path: Path) -> None:
    path = tmp_path / "mentions.csv"
    path.write_text(MENTIONS)
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        answers = data_version(wh, {"interactions", "survey_responses"})
        mentions = data_version(wh, {"mentions"})
        with recording(wh) as (traced, statements):
            result = import_files(traced, "mentions", [path])
        assert result.inserted == 2 and result.rejected == 1
        written = statements.written() & REGISTERED
        assert {"mentions", "quarantine", "import_log"} <= written
        assert written <= set(writes("mentions")), sorted(written - set(writes("mentions")))
        # the survey pages' tables were not touched: their cached copies stay
        assert data_version(wh, {"interactions", "survey_responses"}) == answers
        assert data_version(wh, {"mentions"}) != mentions
        assert data_version(wh) != answers  # what names no table sees every change


@pytest.mark.usefixtures("token_env")
def test_a_sync_writes_only_the_tables_its_bumps_name(tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        orders = data_version(wh, {"orders", "mentions"})
        before = {t: data_version(wh, {t}) for t in REGISTERED}
        with zd.account().running() as url, recording(wh) as (traced, statements):
            sync(traced, Account("zendesk", url, email=zd.EMAIL,
                                 policy=Policy(attempts=3, backoff=0.01, cap=0.05)))
        written = statements.written() & REGISTERED
        assert {"interactions", "survey_responses", "survey_invitations"} <= written
        bumped = {t for t in REGISTERED if data_version(wh, {t}) != before[t]}
        # sync_runs, the run's log, is written after the landing, outside its transaction:
        # nothing cached reads it (the syncs page reads it live)
        assert written - {state.RUNS.name} <= bumped, sorted(written - bumped)
        assert data_version(wh, {"orders", "mentions"}) == orders


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # the environment the sync reads the token from (not the code under test)
    monkeypatch.setenv("CXLENS_ZENDESK_TOKEN", zd.TOKEN)
