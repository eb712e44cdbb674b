"""cxlens serve: the dashboard."""

from __future__ import annotations

import gc
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from cxlens.cli.output import console
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.store import default_url, memory


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        secure_cookies: Annotated[bool, typer.Option(
            "--secure-cookies", help="Mark cookies Secure (behind HTTPS).")] = False,
        prewarm: Annotated[bool, typer.Option(
            help="Pre-compute the default pages at start and after each data change.")]
        = True,
        surveys_every: Annotated[float, typer.Option(
            help="Run the survey programmes, and the alert checks when due, every so many "
                 "seconds (0: never).")] = 60,
        collect_rate: Annotated[float, typer.Option(
            help="Survey submissions allowed per client address and second.")] = 5,
        collect_max_body: Annotated[int, typer.Option(
            help="Largest request body, in bytes, on the collection API and survey pages "
                 "(larger ones get 413 before they are read; 0: no limit).")] = 64 * 1024,
        max_body: Annotated[int, typer.Option(
            help="Largest request body, in bytes, on every other route (0: no limit).")]
        = 10 * 1024 * 1024,
        upload_max_body: Annotated[int, typer.Option(
            help="Largest upload, in bytes, on the dashboard's /uploads (0: no limit).")]
        = 200 * 1024 * 1024,
        login_failures: Annotated[int, typer.Option(
            help="Failed logins for one account within --login-window that lock it "
                 "(0: no limit).")] = 5,
        login_address_failures: Annotated[int, typer.Option(
            help="Failed logins from one client address within --login-window that lock "
                 "it (0: no limit).")] = 50,
        login_window: Annotated[float, typer.Option(
            help="Seconds over which failed logins are counted.")] = 900,
        login_lock: Annotated[float, typer.Option(
            help="Seconds of the first lock; each further lock doubles, until a "
                 "successful login.")] = 60,
        login_max_lock: Annotated[float, typer.Option(
            help="Longest lock, in seconds.")] = 3600,
        trusted_proxy: Annotated[list[str] | None, typer.Option(
            help="A reverse proxy (IP address or CIDR network) whose X-Forwarded-For is "
                 "believed; repeat for several. Without it the header is ignored and the "
                 "connecting address is the client (rate limits, login throttle, audit "
                 "log).")] = None,
        sync_config: Annotated[Path | None, typer.Option(
            "--sync-config",
            help="YAML naming the helpdesk accounts to sync and how often (every_minutes); "
                 "the sync runs in the server and pages refresh when rows change "
                 "(docs/connectors.md).")] = None,
        workers: Annotated[int, typer.Option(
            help="Server processes. More than 1 needs a Postgres warehouse (a DuckDB file is "
                 "held by one process); sessions, rate limits, the login throttle and the "
                 "data version are shared through it, and the scheduled jobs run in one "
                 "worker at a time (docs/deploy.md).")] = 1,
        memory_limit: Annotated[str, typer.Option(
            help="Memory the DuckDB engine may keep for its buffers: a size (6GB, 512MiB) or "
                 "a share of RAM (25%); beyond it DuckDB spills to FILE.tmp. Python's own "
                 "memory comes on top. Postgres sizes its own.")] = memory.DEFAULT,
        db: DbOption = None,
    ) -> None:
        """Run the dashboard. On first run it creates the user admin and prints a one-time
        password (changed at first login)."""
        import uvicorn

        from cxlens import accounts, handoff, store
        from cxlens.web import workers as several
        from cxlens.web.app import create_app
        from cxlens.web.proxies import server_config, trusted_proxies
        from cxlens.web.throttle import LoginPolicy

        proxies = trusted_proxies(trusted_proxy or [])  # refused before the warehouse opens
        limit = memory.parse(memory_limit)  # so is a bad size
        schedule = None
        if sync_config is not None:  # refused before the warehouse opens, too
            from cxlens.connectors.schedule import load

            schedule = load(sync_config)
        wh = open_warehouse(db)
        several.check_engine(wh, workers)
        accounts.ensure(wh)
        password = accounts.users.first_admin(wh)
        if password:
            console.print(f"first run: created user [bold]admin[/] with the one-time password "
                          f"[bold]{password}[/] (you will choose your own at first login)",
                          highlight=False)
        engine_memory = wh.limit_memory(limit)  # before any sibling connection opens
        if engine_memory:
            console.print(engine_memory, highlight=False)
        policy = LoginPolicy(failures=login_failures, window=login_window,
                             lock_seconds=login_lock, max_lock_seconds=login_max_lock,
                             address_failures=login_address_failures)
        options: dict[str, Any] = {"secure_cookies": secure_cookies, "prewarm": prewarm,
                   "surveys_every": surveys_every, "collect_rate": collect_rate,
                   "max_body": max_body, "collect_max_body": collect_max_body,
                   "upload_max_body": upload_max_body}
        if workers > 1:
            several.prepare(wh)
            wh.close()
            several.export(db or default_url(), {
                **options, "login_policy": asdict(policy),
                "sync_config": None if sync_config is None else str(sync_config.resolve())})
            _serve_workers(server_config(several.FACTORY, host=host, port=port,
                                         trusted=proxies, workers=workers, factory=True),
                           f"dashboard on http://{host}:{port} with {workers} workers "
                           "(Ctrl+C stops them)")
            return
        app = create_app(wh, login_policy=policy, sync=schedule, **options)
        _tune_for_serving()
        console.print(f"dashboard on http://{host}:{port} (Ctrl+C stops it)", highlight=False)
        # `cxlens import` in another terminal hands its files to this process (cxlens.handoff)
        _unwind_on_sigterm()
        with handoff.published(store.duckdb_path(db or store.default_url()), host,
                               port) as token:
            app.state.handoff = token
            uvicorn.Server(server_config(app, host=host, port=port, trusted=proxies)).run()


def _unwind_on_sigterm() -> None:
    """Let SIGTERM end the process by unwinding it: uvicorn shuts down gracefully on the
    signal, then raises it again with the handler it found; with the default one the process
    died there and the hand-off file (cxlens.handoff) outlived the server."""
    import signal

    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


def _serve_workers(config: Any, message: str) -> None:
    """What ``uvicorn.run`` does for several workers: bind the socket once, then start the
    worker processes on it (uvicorn restarts one that dies)."""
    from uvicorn.supervisors import Multiprocess

    console.print(message, highlight=False)
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()


def _tune_for_serving() -> None:
    """Two process-wide settings for a long-running server, both measured with
    bench/collect.py (docs/performance.md):

    - the libraries loaded by now (ibis, pandas, sqlglot…) are hundreds of thousands of
      long-lived objects; left to the collector, every full collection walked them all and
      paused every thread for 100–230 ms (p99 of the collection API 180 ms → 69 ms frozen);
    - the survey writer thread gives up the GIL for each DuckDB statement and must win it
      back from the event loop; a 1 ms switch interval instead of 5 ms shortens that wait.
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(0.001)
