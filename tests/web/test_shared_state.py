"""The pieces ``cxlens serve --workers N`` shares through Postgres, each with two instances
on two connections standing for two workers: the leader lock passes on when its holder's
session ends, one token bucket serves both, and failed logins on one lock the account on the
other. (tests/web/test_workers.py runs them in a real two-worker server.)"""

from __future__ import annotations

import pytest

from cxlens import store
from cxlens.store.advisory import lock_key
from cxlens.web.leader import Leader
from cxlens.web.ratelimit import RateLimited, SharedLimiter
from cxlens.web.throttle import LoginPolicy, LoginThrottled, SharedLoginThrottle

pytestmark = pytest.mark.postgres


def test_one_leader_at_a_time_and_the_next_when_it_goes(pg_db: str) -> None:
    with store.connect(pg_db) as wh:
        first, second = Leader(wh), Leader(wh)
        try:
            assert first.held() is True
            assert second.held() is False
            assert first.held() is True  # it keeps it
            first.close()  # its session ends: a killed worker's does the same
            assert second.held() is True
            assert first.held() is False
        finally:
            first.close()
            second.close()


def test_a_leader_on_duckdb_is_always_the_one(duck: store.Warehouse) -> None:
    assert Leader(duck).held() is True


def test_lock_keys_are_stable_and_distinct() -> None:
    # the same key in every process (Python's hash() is salted per process)
    assert lock_key("cxlens.jobs") == lock_key("cxlens.jobs")
    assert lock_key("cxlens.jobs") != lock_key("cxlens.sync")
    # and in every version: sha256("cxlens.jobs") begins 8c52c6f566dfadfe, read as a signed
    # 64-bit integer; a running worker and an upgraded one must agree on who leads
    assert lock_key("cxlens.jobs") == -8335381203014144514


def test_two_workers_take_from_one_bucket(pg_db: str) -> None:
    """A burst of 3 and 0.01 token per second: three requests pass, over both workers, then
    each is refused with the seconds until the next token (hand-worked: 1 token / 0.01 per s
    = 100 s, less what refilled during the test)."""
    with store.connect(pg_db) as wh:
        a = SharedLimiter(wh.sibling(), rate=0.01, burst=3)
        b = SharedLimiter(wh.sibling(), rate=0.01, burst=3)
        a.check("10.0.0.7")
        b.check("10.0.0.7")
        a.check("10.0.0.7")
        for limiter in (a, b):
            with pytest.raises(RateLimited) as refused:
                limiter.check("10.0.0.7")
            assert 95 <= refused.value.retry_after <= 100
        b.check("10.0.0.8")  # another address has its own bucket
        assert wh.scalar("SELECT count(*) FROM cxlens_rate_buckets") == 2
        a.wh.close()
        b.wh.close()


def test_failed_logins_on_one_worker_lock_the_account_on_the_other(pg_db: str) -> None:
    policy = LoginPolicy(failures=3, window=900, lock_seconds=60, address_failures=0)
    with store.connect(pg_db) as wh:
        a = SharedLoginThrottle(wh.sibling(), policy)
        b = SharedLoginThrottle(wh.sibling(), policy)
        for throttle in (a, b, a):
            throttle.begin("ann", "10.0.0.1")
            throttle.finish("ann", "10.0.0.1", ok=False)
        for throttle in (a, b):
            with pytest.raises(LoginThrottled) as locked:
                throttle.begin("ann", "10.0.0.2")  # from anywhere: the account is locked
            assert 55 <= locked.value.retry_after <= 60
        b.begin("bob", "10.0.0.1")  # another account is not
        b.finish("bob", "10.0.0.1", ok=True)
        assert wh.query("SELECT kind, key FROM cxlens_login_throttle ORDER BY 1, 2") == \
            [("account", "ann")]  # bob's success left nothing to remember
        a.wh.close()
        b.wh.close()


def test_an_attempt_left_pending_by_a_killed_worker_is_forgotten(pg_db: str) -> None:
    """A worker killed between begin and finish leaves its attempt pending; with 2 failures
    and a limit of 3 that pending attempt would refuse every try for as long as the row
    lives. After PENDING_SECONDS untouched it no longer counts (the row's time set back by
    hand: the database's clock cannot be moved)."""
    policy = LoginPolicy(failures=3, window=900, address_failures=0)
    with store.connect(pg_db) as wh:
        throttle = SharedLoginThrottle(wh.sibling(), policy)
        for _ in range(2):
            throttle.begin("ann", "10.0.0.1")
            throttle.finish("ann", "10.0.0.1", ok=False)
        throttle.begin("ann", "10.0.0.1")  # ... and the worker dies here
        with pytest.raises(LoginThrottled):
            throttle.begin("ann", "10.0.0.1")  # the pending one could be the third failure
        wh.execute("UPDATE cxlens_login_throttle SET touched_at = touched_at - 61")
        throttle.begin("ann", "10.0.0.1")
        throttle.finish("ann", "10.0.0.1", ok=True)
        assert wh.scalar("SELECT count(*) FROM cxlens_login_throttle") == 0
        throttle.wh.close()
