"""Issue 18: ``POST /api/syncs``, where ``cxlens sync`` hands its sync to the server that
holds the DuckDB file (cxlens.handoff). In-process: the real app served by uvicorn in a
thread (tests/web/server.py), the connector tests' local Zendesk API, and the call the
command makes (:func:`cxlens.handoff.call`)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cxlens import accounts, handoff, store
from cxlens.connectors.accounts import Account
from cxlens.connectors.lock import SyncBusy
from cxlens.connectors.schedule import run_logged
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.web.app import create_app
from tests.connectors import zendesk_data as zd
from tests.connectors.helpers import rows
from tests.web.server import running

TOKEN = "the-hand-off-token"
EXPORT = "/api/v2/incremental/tickets/cursor.json"


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with store.connect(str(tmp_path / "served.duckdb")) as warehouse:
        accounts.ensure(warehouse)
        yield warehouse


def fields(url: str) -> list[tuple[str, str]]:
    """What ``cxlens sync zendesk --url URL --email …`` sends."""
    return [("source", "zendesk"), ("url", url), ("email", zd.EMAIL),
            ("since", "2000-01-01T00:00:00+00:00"), ("tickets_mapping", ""),
            ("token", zd.TOKEN)]


def test_a_handed_off_sync_lands_and_bumps_the_data_version_once_rows_change(
        wh: Warehouse) -> None:
    """The dashboard's page cache is keyed by the data version: a sync that lands rows
    changes it (pages refresh); one that finds nothing new keeps it (they stay cached)."""
    app = create_app(wh)
    app.state.handoff = TOKEN
    api = zd.account()
    with running(app) as url, api.running() as api_url:
        server = handoff.Handoff(url, TOKEN, os.getpid())
        before = data_version(wh)
        first = handoff.call(server, "/api/syncs", fields(api_url))["result"]
        landed = data_version(wh)
        again = handoff.call(server, "/api/syncs", fields(api_url))["result"]
        assert data_version(wh) == landed != before
    assert (first["pages"], first["read"], first["unchanged"]) == (4, 8, 0)
    assert (again["read"], again["tables"]) == (0, [])
    assert [(t["table"], t["inserted"], t["rejected"]) for t in first["tables"]] == [
        ("interactions", 3, 1), ("survey_responses", 2, 0), ("survey_invitations", 3, 0)]
    assert rows(wh, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
        == [(3, 3)]


def test_the_sync_route_wants_its_token_from_this_machine(wh: Warehouse) -> None:
    api = zd.account()
    with api.running() as api_url:
        unpublished = create_app(wh)
        with running(unpublished) as url:
            r = httpx.post(url + "/api/syncs", data=dict(fields(api_url)),
                           headers={"authorization": f"Bearer {TOKEN}"})
            assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
        app = create_app(wh)
        app.state.handoff = TOKEN
        with running(app, trusted=["127.0.0.1"]) as url:
            r = httpx.post(url + "/api/syncs", data=dict(fields(api_url)),
                           headers={"authorization": "Bearer not-the-token"})
            assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated")
            r = httpx.post(url + "/api/syncs", data=dict(fields(api_url)),
                           headers={"authorization": f"Bearer {TOKEN}",
                                    "x-forwarded-for": "203.0.113.9"})
            assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
            r = httpx.post(url + "/api/syncs", data={**dict(fields(api_url)), "token": ""},
                           headers={"authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 400
            assert r.json()["error"]["message"] == "a handed-off sync without the helpdesk's token"
    assert api.log == []  # nothing refused reached the helpdesk
    assert rows(wh, "SELECT count(*) FROM interactions") == [(0,)]


def test_a_handed_off_sync_of_a_source_the_server_is_syncing_is_refused(
        wh: Warehouse, tmp_path: Path) -> None:
    """The scheduled sync (its own connection, its own thread) waits on the helpdesk's page 2
    when ``cxlens sync`` hands over a sync of the same source: two syncs of one source on one
    DuckDB file would land the same pages twice. The second is refused with the Postgres
    lock's error; the first then finishes, each ticket landed once."""
    (tmp_path / "token").write_text(zd.TOKEN, encoding="utf-8")
    app = create_app(wh)
    app.state.handoff = TOKEN
    api = zd.account()
    api.fault(EXPORT, ("ok",), ("hold",))
    with running(app) as url, api.running() as api_url:
        scheduled = Account("zendesk", api_url, tmp_path / "token", zd.EMAIL)
        own = wh.sibling()
        worker = threading.Thread(target=run_logged, args=(own, scheduled))
        worker.start()
        try:
            assert api.held.wait(60), "the scheduled sync never asked for page 2"
            with pytest.raises(SyncBusy) as busy:
                handoff.call(handoff.Handoff(url, TOKEN, os.getpid()), "/api/syncs",
                             fields(api_url))
            assert busy.value.message == "another sync of zendesk is running on this warehouse"
        finally:
            api.release()
            worker.join(60)
            own.close()
    assert rows(wh, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
        == [(3, 3)]
    assert rows(wh, "SELECT status FROM sync_runs") == [("ok",)]
