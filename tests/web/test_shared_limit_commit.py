"""With several workers (Postgres), the collection API's shared rate limit is checked on
every request in the event loop, each check its own transaction: its connection commits
without waiting for the disk, while the survey writer's commits (the answers, acknowledged
only once on disk) still wait. A real Postgres; the app as ``cxlens serve --workers`` builds
each worker's."""

from __future__ import annotations

import psycopg
import pytest

from cxlens import store
from cxlens.web.app import create_app
from cxlens.web.ratelimit import RateLimited

pytestmark = pytest.mark.postgres


def test_the_limit_commits_without_a_flush_wait_and_the_answers_with_one(pg_db: str) -> None:
    # the tests' server runs with synchronous_commit off; this database has Postgres's default
    with psycopg.connect(pg_db, autocommit=True) as con:
        con.execute(f'ALTER DATABASE "{pg_db.rsplit("/", 1)[1]}" SET synchronous_commit = on')
    wh = store.connect(pg_db)
    app = create_app(wh, prewarm=False, surveys_every=0, collect_rate=1.0, shared=True)
    svc = app.state.surveys
    try:
        assert svc.limiter.wh.scalar("SHOW synchronous_commit") == "off"
        assert svc.writer.wh.scalar("SHOW synchronous_commit") == "on"
        assert wh.scalar("SHOW synchronous_commit") == "on"
        # still a limit: a burst of 20 (the floor), then 429
        for _ in range(20):
            svc.limiter.check("198.51.100.7")
        with pytest.raises(RateLimited):
            svc.limiter.check("198.51.100.7")
    finally:  # the app's connections (its lifespan would close them in a server)
        svc.writer.close()
        for con in (svc.reader, svc.writer.wh, svc.limiter.wh, app.state.cxlens.logins.wh, wh):
            con.close()
