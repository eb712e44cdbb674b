"""``Warehouse.interrupt`` stops the statement another thread runs on that connection (the
dashboard's shutdown uses it on the pre-computation's connection), on DuckDB and Postgres."""

from __future__ import annotations

import threading
import time

from cxlens.store.base import Warehouse

#: Minutes of work on either engine if nothing stops it.
SLOW = {"duckdb": "SELECT count(*) FROM range(100000000) a, range(100000) b "
                  "WHERE a.range + b.range = -1",
        "postgres": "SELECT pg_sleep(120)"}


def test_a_running_statement_is_interrupted_from_another_thread(wh: Warehouse) -> None:
    worker = wh.sibling()
    raised: list[BaseException] = []

    def run() -> None:
        try:
            worker.query(SLOW[wh.dialect])
        except Exception as exc:  # the engine's own "interrupted" / "canceled" error
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(1.0)  # the statement is running
    assert thread.is_alive()
    t0 = time.perf_counter()
    worker.interrupt()
    thread.join(30)
    assert not thread.is_alive() and raised, "the statement was not interrupted"
    assert time.perf_counter() - t0 < 10
    assert worker.query("SELECT 1") == [(1,)]  # the connection is usable again
    worker.close()


def test_an_idle_connection_is_interrupted_without_harm(wh: Warehouse) -> None:
    wh.interrupt()
    assert wh.query("SELECT 2") == [(2,)]
