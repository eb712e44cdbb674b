"""cxlens sync freshdesk against a local Freshdesk-shaped API: updated_since in update order,
page/per_page with the Link header, resuming and idempotence. Expected rows are literal
(tests/connectors/freshdesk_data.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from cxlens.connectors import state
from cxlens.connectors.accounts import Account, sync
from cxlens.connectors.http import Policy, SyncError
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from tests.connectors import freshdesk_data as fd
from tests.connectors.helpers import rows

TICKETS = "/api/v2/tickets"
FAST = Policy(attempts=3, backoff=0.01, cap=0.05)


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXLENS_FRESHDESK_TOKEN", fd.API_KEY)


def account(url: str) -> Account:
    return Account("freshdesk", url, policy=FAST)


def queries(api: fd.Freshdesk, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(p).query) for _, p, s in api.log
            if s == 200 and urlsplit(p).path == path]


@pytest.mark.usefixtures("token_env")
def test_tickets_and_ratings_land_through_the_import(wh: Warehouse) -> None:
    api = fd.account()
    with api.running() as url:
        result = sync(wh, account(url))
    assert rows(wh, f"SELECT {fd.COLUMNS} FROM interactions ORDER BY 1") == fd.INTERACTIONS
    assert rows(wh, "SELECT response_id, survey, score, scale_min, scale_max, responded_at, "
                    "interaction_id, customer_id, agent_id, comment FROM survey_responses "
                    "ORDER BY 1") == [
        ("freshdesk-31", "csat", 7, 1, 7, "2026-05-04 16:00", "201", "8001", "601",
         "Sorted fast"),
        ("freshdesk-32", "csat", 3, 1, 7, "2026-05-05 11:00", "203", "8003", "601", None),
    ]
    assert rows(wh, "SELECT table_name, source_file, source_row, status, rules "
                    "FROM quarantine") == [
        ("interactions", "freshdesk:tickets", 204, "rejected", "time_order")]
    # two pages of tickets: the second one asked for by the Link header's URL
    asked = queries(api, TICKETS)
    assert [q["page"] for q in asked] == [["1"], ["2"]]
    assert asked[0]["updated_since"] == ["2000-01-01T00:00:00Z"]
    assert asked[0]["order_by"] == ["updated_at"] and asked[0]["include"] == ["stats"]
    assert state.cursor(wh, "freshdesk", "tickets") == "2026-05-05T12:10:00Z"
    assert state.cursor(wh, "freshdesk", "satisfaction_ratings") == "2026-05-05T11:00:00Z"
    assert (result.pages, result.read, result.rejected) == (3, 6, 1)


@pytest.mark.usefixtures("token_env")
def test_a_rerun_changes_nothing(duck: Warehouse) -> None:
    api = fd.account()
    with api.running() as url:
        sync(duck, account(url))
        before = data_version(duck)
        again = sync(duck, account(url))
    # updated_since is inclusive: ticket 204 and rating 32 come again, unchanged
    assert (again.read, again.unchanged, again.loaded) == (0, 2, 0)
    assert data_version(duck) == before
    assert queries(api, TICKETS)[-1]["updated_since"] == ["2026-05-05T12:10:00Z"]
    assert rows(duck, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
        == [(3, 3)]


@pytest.mark.usefixtures("token_env")
def test_a_dropped_connection_resumes_from_the_newest_committed_update(
        wh: Warehouse) -> None:
    api = fd.account()
    api.fault(TICKETS, ("ok",), ("drop",), ("drop",), ("drop",))
    with api.running() as url:
        with pytest.raises(SyncError):
            sync(wh, account(url))
        # page 1 held 202 and 201 (update order): its newest update is the cursor
        assert state.cursor(wh, "freshdesk", "tickets") == "2026-05-04T15:00:00Z"
        assert rows(wh, "SELECT interaction_id FROM interactions ORDER BY 1") == [
            ("201",), ("202",)]
        # a ticket updated while the sync was down is picked up by the resumed run
        api.tickets.append(fd.ticket(202, "2026-05-04T11:00:00Z", "2026-05-06T08:00:00Z", 4,
                                     1, 7, "Question", "2026-05-04T11:02:00Z",
                                     "2026-05-06T08:00:00Z", None))
        resumed = sync(wh, account(url))
    assert queries(api, TICKETS)[1]["updated_since"] == ["2026-05-04T15:00:00Z"]
    assert resumed.unchanged == 1  # 201, at the cursor's very second, read again
    assert rows(wh, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
        == [(3, 3)]
    assert rows(wh, "SELECT interaction_id, resolved, resolved_at FROM interactions "
                    "WHERE interaction_id = '202'") == [("202", True, "2026-05-06 08:00")]
