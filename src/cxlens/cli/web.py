"""cxlens serve (the dashboard) and cxlens users (dashboard accounts)."""

from __future__ import annotations

import gc
import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError

if TYPE_CHECKING:
    from cxlens.store.base import Warehouse

users_app = typer.Typer(help="Dashboard users: add, remove, list; API tokens.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")

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
        db: DbOption = None,
    ) -> None:
        """Run the dashboard. On first run it creates the user admin and prints a one-time
        password (changed at first login)."""
        import uvicorn

        from cxlens.web import accounts
        from cxlens.web.app import create_app

        wh = open_warehouse(db)
        accounts.ensure(wh)
        password = accounts.first_admin(wh)
        if password:
            console.print(f"first run: created user [bold]admin[/] with the one-time password "
                          f"[bold]{password}[/] (you will choose your own at first login)",
                          highlight=False)
        app = create_app(wh, secure_cookies=secure_cookies, prewarm=prewarm,
                         surveys_every=surveys_every, collect_rate=collect_rate)
        _tune_for_serving()
        console.print(f"dashboard on http://{host}:{port} (Ctrl+C stops it)", highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning")


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


def _wh(db: str | None) -> Warehouse:
    from cxlens.web import accounts

    wh = open_warehouse(db)
    accounts.ensure(wh)
    return wh


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, analyst or vendor.")] = "analyst",
    vendor: Annotated[str | None, typer.Option(
        help="For role vendor: the only vendor whose rows they see.")] = None,
    password: Annotated[str | None, typer.Option(
        envvar="CXLENS_PASSWORD", help="The password (asked for when not given).")] = None,
    db: DbOption = None,
) -> None:
    """Add a dashboard user."""
    from cxlens.web import accounts

    if password is None:
        password = getpass.getpass(f"password for {username}: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("the two passwords differ", "type the same password twice")
    with _wh(db) as wh:
        user = accounts.add(wh, username, password, role, vendor)
    console.print(f"added {user.username} ({user.role}"
                  f"{f', vendor {user.vendor}' if user.vendor else ''})", highlight=False)


@users_app.command("remove")
def remove(username: Annotated[str, typer.Argument(help="Login name.")],
           db: DbOption = None) -> None:
    """Remove a user, their sessions and their API tokens."""
    from cxlens.web import accounts

    with _wh(db) as wh:
        accounts.remove(wh, username)
    console.print(f"removed {username}", highlight=False)


@users_app.command("list")
def list_users(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """List the dashboard users."""
    import pandas as pd

    from cxlens.web import accounts

    with _wh(db) as wh:
        people = accounts.users(wh)
    frame = pd.DataFrame([{"username": u.username, "role": u.role, "vendor": u.vendor,
                           "must_change_password": u.must_change} for u in people],
                         columns=["username", "role", "vendor", "must_change_password"])
    emit(frame, fmt, "users")


@users_app.command("token")
def token(username: Annotated[str, typer.Argument(help="The user the token acts as.")],
          label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
          db: DbOption = None) -> None:
    """Issue an API token (shown once; send it as Authorization: Bearer TOKEN)."""
    from cxlens.web import accounts

    with _wh(db) as wh:
        value = accounts.issue_token(wh, username, label)
    console.print(value, highlight=False, soft_wrap=True)
