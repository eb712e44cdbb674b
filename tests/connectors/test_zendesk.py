"""cxlens sync zendesk against a local Zendesk-shaped API: what lands, resuming, idempotence,
rate limits and transient errors. Expected rows are literal (tests/connectors/zendesk_data.py)."""

from __future__ import annotations

import base64
import itertools
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cxlens.connectors import state
from cxlens.connectors.accounts import Account, sync
from cxlens.connectors.http import Policy, SyncError
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from tests.connectors import zendesk_data as zd
from tests.connectors.helpers import rows

EXPORT = "/api/v2/incremental/tickets/cursor.json"
FAST = Policy(attempts=3, backoff=0.01, cap=0.05)
#: The advisory-lock key of Zendesk's sync: the first 8 bytes of sha256("cxlens.sync.zendesk"),
#: c7b6b745e4a64455, as a signed 64-bit integer (cxlens.store.advisory, the one derivation of
#: every cxlens lock; it was Postgres's hashtext of the name before the leader's and the
#: sync's keys became one function).
SYNC_KEY = -4055852903583824811


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # the environment the CLI reads the token from (not the code under test)
    monkeypatch.setenv("CXLENS_ZENDESK_TOKEN", zd.TOKEN)


def account(url: str, policy: Policy = FAST) -> Account:
    return Account("zendesk", url, email=zd.EMAIL, policy=policy)


def cursor_of(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode()


@pytest.mark.usefixtures("token_env")
def test_tickets_metrics_and_ratings_land_through_the_import(wh: Warehouse) -> None:
    api = zd.account()
    with api.running() as url:
        result = sync(wh, account(url))
    assert rows(wh, f"SELECT {zd.COLUMNS} FROM interactions ORDER BY interaction_id") \
        == zd.INTERACTIONS
    assert rows(wh, "SELECT response_id, survey, score, scale_min, scale_max, responded_at, "
                    "sent_at, interaction_id, comment FROM survey_responses ORDER BY 1") == [
        ("zendesk-1", "csat", 1, 0, 1, "2026-05-04 13:00", "2026-05-04 12:05", "101",
         "Quick and kind"),
        ("zendesk-2", "csat", 0, 0, 1, "2026-05-05 10:00", "2026-05-05 09:05", "103",
         "Took two calls"),
    ]
    assert rows(wh, "SELECT invitation_id, interaction_id, response_id FROM survey_invitations "
                    "ORDER BY 1") == [("zendesk-1", "101", "zendesk-1"),
                                      ("zendesk-2", "103", "zendesk-2"),
                                      ("zendesk-3", "102", None)]
    # problems are reported like a file import's: source, record (the ticket id), column, fix
    assert rows(wh, "SELECT table_name, source_file, source_row, status, rules FROM quarantine "
                    "ORDER BY table_name, source_row") == [
        ("interactions", "zendesk:tickets", 104, "rejected", "enum"),
        ("interactions", "zendesk:tickets", 105, "skipped", "skipped"),
        ("survey_responses", "zendesk:satisfaction_ratings", 3, "skipped", "skipped"),
    ]
    reason = wh.scalar("SELECT reason FROM quarantine WHERE source_row = 104")
    assert reason.startswith("channel: ") and "'carrier_pigeon'" in reason and "fix:" in reason
    assert (result.pages, result.read, result.rejected) == (4, 8, 1)  # 3 ticket pages, 1 of ratings
    assert state.cursor(wh, "zendesk", "tickets") == cursor_of(5)
    assert state.cursor(wh, "zendesk", "satisfaction_ratings") == "1777972200"  # 05-05 09:10
    assert rows(wh, "SELECT source, status, pages, rows_read, rows_quarantined, error "
                    "FROM sync_runs") == [("zendesk", "ok", 4, 8, 1, None)]


@pytest.mark.usefixtures("token_env")
def test_a_rerun_changes_nothing_and_keeps_the_data_version(wh: Warehouse) -> None:
    api = zd.account()
    with api.running() as url:
        sync(wh, account(url))
        before = data_version(wh)
        counts = rows(wh, "SELECT (SELECT count(*) FROM interactions), "
                          "(SELECT count(*) FROM survey_responses), "
                          "(SELECT count(*) FROM survey_invitations), "
                          "(SELECT count(*) FROM quarantine), (SELECT count(*) FROM import_log)")
        again = sync(wh, account(url))
    assert (again.read, again.loaded) == (0, 0)
    assert again.unchanged == 3  # the look-back window read the three ratings again
    assert data_version(wh) == before
    assert rows(wh, "SELECT (SELECT count(*) FROM interactions), "
                    "(SELECT count(*) FROM survey_responses), "
                    "(SELECT count(*) FROM survey_invitations), "
                    "(SELECT count(*) FROM quarantine), (SELECT count(*) FROM import_log)") \
        == counts == [(3, 2, 3, 3, 5)]  # import_log: 3 ticket pages, ratings twice


@pytest.mark.usefixtures("token_env")
def test_changes_at_the_source_replace_rows_and_leave_quarantine(duck: Warehouse) -> None:
    api = zd.account()
    with api.running() as url:
        sync(duck, account(url))
        before = data_version(duck)
        # ticket 102 solved a day later; the offered rating on it answered "good"
        api.tickets.append(zd.ticket(102, "2026-05-04T10:00:00Z", "2026-05-06T09:00:00Z",
                                     "solved", "chat", None, "question"))
        api.metric_sets[102] = zd.metric(102, "2026-05-04T10:00:00Z", "2026-05-06T09:00:00Z",
                                         5, 1380, 1380, 0, 2)
        api.ratings.append(zd.rating(3, 102, "good", "2026-05-05T09:10:00Z",
                                     "2026-05-06T10:00:00Z"))
        again = sync(duck, account(url))
    assert again.read == 2
    assert data_version(duck) != before
    assert rows(duck, f"SELECT {zd.COLUMNS} FROM interactions WHERE interaction_id = '102'") == [
        ("102", "chat", None, "question", "2026-05-04 10:00", "2026-05-04 10:05",
         "2026-05-05 09:00", "2026-05-05 09:00", True, 0, 2, "501", "77", "9002")]
    assert duck.scalar("SELECT count(*) FROM interactions") == 3
    assert rows(duck, "SELECT response_id, score FROM survey_responses ORDER BY 1") == [
        ("zendesk-1", 1), ("zendesk-2", 0), ("zendesk-3", 1)]
    # the skipped entry of rating 3 is gone; the other records' entries stay
    assert rows(duck, "SELECT source_file, source_row FROM quarantine ORDER BY 1, 2") == [
        ("zendesk:tickets", 104), ("zendesk:tickets", 105)]


@pytest.mark.usefixtures("token_env")
def test_a_dropped_connection_mid_sync_resumes_from_the_last_committed_page(
        wh: Warehouse) -> None:
    api = zd.account()
    # page 1 answers; every try at page 2 has its connection closed with no answer
    api.fault(EXPORT, ("ok",), ("drop",), ("drop",), ("drop",))
    with api.running() as url:
        with pytest.raises(SyncError) as failed:
            sync(wh, account(url))
        assert "failed 3 times" in failed.value.message and EXPORT in failed.value.message
        assert state.cursor(wh, "zendesk", "tickets") == cursor_of(2)
        assert rows(wh, "SELECT interaction_id FROM interactions ORDER BY 1") == [
            ("101",), ("102",)]
        assert rows(wh, "SELECT status, pages, rows_read FROM sync_runs") == [("failed", 1, 2)]
        sync(wh, account(url))  # the server answers again
    assert rows(wh, "SELECT count(*), count(DISTINCT interaction_id) FROM interactions") \
        == [(3, 3)]
    assert rows(wh, "SELECT count(*), count(DISTINCT response_id) FROM survey_responses") \
        == [(2, 2)]
    assert rows(wh, f"SELECT {zd.COLUMNS} FROM interactions ORDER BY interaction_id") \
        == zd.INTERACTIONS
    # the resumed run asked for page 2 by the stored cursor, not from the start
    resumed = [p for _, p, s in api.log if s == 200 and p.startswith(EXPORT)]
    assert parse_qs(urlsplit(resumed[1]).query)["cursor"] == [cursor_of(2)]


@pytest.mark.usefixtures("token_env")
def test_a_429_storm_waits_the_retry_after_each_time(duck: Warehouse) -> None:
    api = zd.account()
    api.fault(EXPORT, ("429", "1"), ("429", "1"), ("429", "1"))
    with api.running() as url:
        t0 = time.monotonic()
        result = sync(duck, account(url, Policy(attempts=5, backoff=0.01)))
        elapsed = time.monotonic() - t0
    assert api.statuses(EXPORT)[:4] == [429, 429, 429, 200]
    times = [t for t, p, _ in api.log if p.startswith(EXPORT)][:4]
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))
    assert elapsed >= 3
    assert result.read == 8


@pytest.mark.usefixtures("token_env")
def test_a_retry_after_longer_than_the_limit_gives_up_at_once(duck: Warehouse) -> None:
    api = zd.account()
    api.fault(EXPORT, ("429", "3600"))
    with api.running() as url, pytest.raises(SyncError) as failed:
        sync(duck, account(url, Policy(longest_wait=60)))
    assert "rate limited for 3600 s" in failed.value.message
    assert "resumes from the stored cursor" in failed.value.hint
    assert api.statuses(EXPORT) == [429]


@pytest.mark.usefixtures("token_env")
def test_a_server_error_then_success_is_retried(duck: Warehouse) -> None:
    api = zd.account()
    api.fault("/api/v2/satisfaction_ratings", ("500",), ("500",))
    with api.running() as url:
        result = sync(duck, account(url))
    assert api.statuses("/api/v2/satisfaction_ratings") == [500, 500, 200]
    assert result.read == 8 and duck.scalar("SELECT count(*) FROM survey_responses") == 2


def test_a_wrong_token_is_refused_with_a_fix_and_never_shown(
        duck: Warehouse, tmp_path: Path) -> None:
    wrong = "not-the-token-77"
    (tmp_path / "token").write_text(wrong + "\n")
    api = zd.account()
    with api.running() as url, pytest.raises(SyncError) as failed:
        sync(duck, Account("zendesk", url, tmp_path / "token", zd.EMAIL, policy=FAST))
    assert "answered 401" in failed.value.message
    assert "--token-file" in failed.value.hint
    assert wrong not in str(failed.value) and wrong not in repr(failed.value)
    assert api.statuses(EXPORT) == [401]  # a refusal is not retried


@pytest.mark.postgres
@pytest.mark.usefixtures("token_env")
def test_a_second_sync_of_the_source_on_postgres_stops_at_once(pg_db: str) -> None:
    """A cron run while the server's scheduled sync of the same source runs (a lock held by
    another session here): refused with a clear error, nothing landed; then it runs."""
    import psycopg

    from cxlens import store
    from cxlens.connectors.lock import SyncBusy

    api = zd.account()
    with store.connect(pg_db) as wh, api.running() as url, \
            psycopg.connect(pg_db, autocommit=True) as other:
        other.execute(f"SELECT pg_advisory_lock({SYNC_KEY})")
        with pytest.raises(SyncBusy) as busy:
            sync(wh, account(url))
        assert busy.value.message == "another sync of zendesk is running on this warehouse"
        assert api.log == [] and wh.count("interactions") == 0
        other.execute(f"SELECT pg_advisory_unlock({SYNC_KEY})")
        assert sync(wh, account(url)).read == 8
        # the lock is given back after a run: the other session can take it
        assert other.execute(f"SELECT pg_try_advisory_lock({SYNC_KEY})"
                             ).fetchone() == (True,)
