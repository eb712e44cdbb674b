"""The shared rate limit (``cxlens serve --workers N`` on Postgres) leases tokens: a worker
takes several of a client's tokens per round trip and spends them locally, and remembers a
refusal until the next token is due, so a collection request no longer runs a blocking
statement in the event loop each time. Two limiters on two connections of a real Postgres
stand for two workers; the round trips are counted by a statement trigger on the buckets'
table (every take is one INSERT … ON CONFLICT statement)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from cxlens.web import ratelimit
from cxlens.web.ratelimit import RateLimited, SharedLimiter

pytestmark = pytest.mark.postgres


@pytest.fixture
def counted(pg_db: str) -> Iterator[Warehouse]:
    """The warehouse, with a count of the statements that take from a bucket."""
    with store.connect(pg_db) as wh:
        wh.execute("CREATE TABLE test_takes (n integer NOT NULL)")
        wh.execute("INSERT INTO test_takes VALUES (0)")
        wh.execute("CREATE FUNCTION test_count_take() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN UPDATE test_takes SET n = n + 1; RETURN NULL; END $$")
        wh.execute("CREATE TRIGGER test_count_take AFTER INSERT ON cxlens_rate_buckets "
                   "FOR EACH STATEMENT EXECUTE FUNCTION test_count_take()")
        yield wh


def _takes(wh: Warehouse) -> int:
    return int(wh.scalar("SELECT n FROM test_takes"))


def test_lease_sizes() -> None:
    # half a lease's life of the rate, at most a quarter of the burst, at least one
    assert ratelimit.lease_size(5.0, 20.0, 0.1) == 1  # the default collection limit: exact
    assert ratelimit.lease_size(1_000_000.0, 2_000_000.0, 0.1) == 50_000  # the bench's limit
    assert ratelimit.lease_size(1_000.0, 20.0, 0.1) == 5  # 50 refill in 0.05 s; the burst caps it
    assert ratelimit.lease_size(400.0, 4_000.0, 5.0) == 1_000


def test_a_worker_takes_a_lease_of_tokens_per_round_trip(counted: Warehouse) -> None:
    """400 per second, a burst of 4,000 and leases kept 5 s: 1,000 tokens per round trip, so
    2,500 requests make 3 round trips (they made 2,500: one statement per request)."""
    limiter = SharedLimiter(counted.sibling(), rate=400, burst=4_000, lease_seconds=5.0)
    try:
        for _ in range(2_500):
            limiter.check("203.0.113.9")
        assert _takes(counted) == 3
        # the bucket lent 3 × 1,000 of its 4,000 (plus what refilled meanwhile, < 5 s × 400)
        tokens = counted.scalar("SELECT tokens FROM cxlens_rate_buckets")
        assert 1_000 <= tokens < 3_000
    finally:
        limiter.wh.close()


def test_a_refusal_is_remembered_until_the_next_token_is_due(counted: Warehouse) -> None:
    """A burst of 3 at 0.01 per second (leases of one token: exact): three requests pass, then
    fifty are refused with the same wait (about 100 s) after one round trip, not fifty."""
    limiter = SharedLimiter(counted.sibling(), rate=0.01, burst=3)
    try:
        for _ in range(3):
            limiter.check("203.0.113.10")
        assert _takes(counted) == 3
        for _ in range(50):
            with pytest.raises(RateLimited) as refused:
                limiter.check("203.0.113.10")
            assert 95 <= refused.value.retry_after <= 100
        assert _takes(counted) == 4
    finally:
        limiter.wh.close()


def test_two_workers_keep_the_limit_within_the_documented_bound(counted: Warehouse) -> None:
    """100 per second, a burst of 20, leases kept 0.2 s: L = min(100 × 0.1, 20 / 4) = 5.
    Two workers hammer one client's bucket in turn for 0.6 s. An exact bucket admits
    20 + 100·T; the documented bound (web/ratelimit.py SharedLimiter) allows at most
    (L − 1) + min(W·(L − 1), rate·τ) = 4 + min(8, 20) = 12 more. The other way, unspent
    leases (W·(L − 1) = 8), the token not yet due and the round trips at either end of the
    measured T (a few tokens each on a loaded machine) keep it above 20 + 100·T − 30."""
    a = SharedLimiter(counted.sibling(), rate=100, burst=20, lease_seconds=0.2)
    b = SharedLimiter(counted.sibling(), rate=100, burst=20, lease_seconds=0.2)
    admitted = {"a": 0, "b": 0}
    try:
        start = time.monotonic()
        while time.monotonic() - start < 0.6:
            for name, limiter in (("a", a), ("b", b)):
                try:
                    limiter.check("203.0.113.11")
                    admitted[name] += 1
                except RateLimited:
                    pass
        seconds = time.monotonic() - start
        exact = 20 + 100 * seconds
        assert exact - 30 <= admitted["a"] + admitted["b"] <= exact + 12
        assert admitted["a"] >= 5 and admitted["b"] >= 5  # both spent from the one bucket
        # leases and remembered refusals: fewer takes than requests admitted (a statement per
        # request took one per request tried, tens of thousands here; a take per lease of 5
        # and about one refused take per lease, by the worker that lost the race, ≈ 2 / 5)
        assert _takes(counted) < admitted["a"] + admitted["b"]
    finally:
        a.wh.close()
        b.wh.close()
