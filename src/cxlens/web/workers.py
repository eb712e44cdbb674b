"""``cxlens serve --workers N``: several server processes on one Postgres warehouse.

uvicorn starts the workers as fresh processes that import :func:`app` (an ASGI factory), so
the options of ``cxlens serve`` travel to them in one environment variable (:data:`ENV`).
What is written once — the migration, the first admin, the signing secrets — is done by
the parent before any worker starts (:func:`prepare`): N workers starting at the same moment
would otherwise each make a different secret, and a session signed by one would be refused
by the others.

Between workers everything that must agree lives in Postgres: sessions and the CSRF key
(the warehouse's secret), the data version that keys every worker's page cache, the rate
limits (:class:`~cxlens.web.ratelimit.SharedLimiter`), the login throttle
(:class:`~cxlens.web.throttle.SharedLoginThrottle`) and the lock that makes one worker run
the scheduled jobs (:mod:`cxlens.web.leader`). Each response says which worker answered
(``X-Cxlens-Worker``: its process id), so an operator can see the load spread."""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxlens.errors import ConfigError
from cxlens.store.base import Warehouse

ENV = "CXLENS_SERVE_OPTIONS"
FACTORY = "cxlens.web.workers:app"
HEADER = "X-Cxlens-Worker"


def check_engine(wh: Warehouse, workers: int) -> None:
    """Several workers need a server database: a DuckDB file is opened for writing by one
    process only."""
    if workers < 1:
        raise ConfigError(f"--workers {workers}: there must be at least one worker",
                          "give --workers 1 or more")
    if workers > 1 and wh.dialect != "postgres":
        raise ConfigError(
            f"--workers {workers} needs a Postgres warehouse: the DuckDB file {wh.url} can be "
            "opened for writing by one process only",
            "serve the DuckDB file with one worker (leave out --workers), or move to "
            "Postgres (cxlens backup DIR, then cxlens restore DIR --db postgresql://…) and "
            "serve that with --workers")


def prepare(wh: Warehouse) -> None:
    """Write what every worker reads at start, once, before they start (the signing secrets
    above all; the first admin is made by ``cxlens serve`` itself)."""
    from cxlens import accounts
    from cxlens.loop import cases
    from cxlens.store.migrate import secret
    from cxlens.surveys import tokens

    accounts.ensure(wh)
    cases.ensure(wh)
    secret(wh)
    secret(wh, tokens.SECRET_KEY)


def export(db: str, options: dict[str, Any]) -> None:
    """Hand the warehouse URL and ``create_app``'s options to the workers (they inherit the
    environment)."""
    os.environ[ENV] = json.dumps({"db": db, "options": options})


def app() -> FastAPI:
    """The ASGI factory each worker runs (``uvicorn cxlens.web.workers:app --factory``)."""
    from cxlens.web.app import create_app
    from cxlens.web.throttle import LoginPolicy

    raw = os.environ.get(ENV)
    if not raw:
        raise ConfigError(f"{ENV} is not set: this factory is started by cxlens serve "
                          "--workers N", "run cxlens serve --workers N --db postgresql://…")
    given = json.loads(raw)
    options = dict(given["options"])
    options["login_policy"] = LoginPolicy(**options.get("login_policy", {}))
    sync_config = options.pop("sync_config", None)
    if sync_config:  # every worker knows the schedule; the one holding its lock syncs
        from cxlens.connectors.schedule import load

        options["sync"] = load(sync_config)
    served = create_app(given["db"], shared=True, **options)
    from cxlens.cli.serve import _tune_for_serving  # the same process settings as one worker

    _tune_for_serving()
    return served


class WorkerHeader:
    """Adds ``X-Cxlens-Worker: <pid>`` to every response (plain ASGI: no per-request cost
    beyond one header)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.pid = app, str(os.getpid())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_worker(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = self.pid
            await send(message)

        await self.app(scope, receive, send_with_worker)
