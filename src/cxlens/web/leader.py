"""Which server process runs the scheduled jobs: with ``cxlens serve --workers N`` on
Postgres, each job must run once, not once per worker.

The leader is whoever holds a Postgres advisory lock (``pg_try_advisory_lock``) on a
connection of its own. The lock lives as long as that session: when the worker holding it
dies (or its connection drops), Postgres releases it and the next worker to ask becomes the
leader — no lease to expire, no clock to trust. Each job asks :meth:`Leader.held` before each
run, so a job moves to another worker within one of its periods.

Jobs that must not run twice at once take one name (:data:`JOBS`); a job that may run beside
them (a helpdesk sync, say) can take a name of its own to spread the work. On DuckDB there is
only ever one process, which is always the leader."""

from __future__ import annotations

import logging

from cxlens.store.advisory import lock_key
from cxlens.store.base import Warehouse

log = logging.getLogger("cxlens.web")
#: The lock of the server's scheduled jobs (survey programmes, alert checks).
JOBS = "cxlens.jobs"


class Leader:
    """Holds (or tries to take) the lock ``name`` on its own connection to ``wh``'s database;
    use from one thread."""

    def __init__(self, wh: Warehouse, name: str = JOBS) -> None:
        self._source, self.name, self.key = wh, name, lock_key(name)
        self._con: Warehouse | None = None
        self._held = False

    def held(self) -> bool:
        """True when this process is the leader now: it held the lock and its session is
        alive, or it has just taken the lock."""
        if self._source.dialect != "postgres":
            return True
        try:
            if self._con is None:
                self._con = self._source.sibling()
            if self._held:
                self._con.scalar("SELECT 1")  # the session, and with it the lock, is alive
            else:
                self._held = bool(self._con.scalar("SELECT pg_try_advisory_lock(?)",
                                                   [self.key]))
                if self._held:
                    log.info("this worker now runs the scheduled jobs (%s)", self.name)
        except Exception:  # the connection dropped: the lock went with it; retry next time
            log.warning("lost the connection holding the %s lock", self.name, exc_info=True)
            self.close()
        return self._held

    def close(self) -> None:
        """Let go (closing the session releases the lock)."""
        self._held = False
        if self._con is not None:
            con, self._con = self._con, None
            try:
                con.close()
            except Exception:  # already broken
                log.debug("closing the leader connection failed", exc_info=True)
