"""cxlens users: dashboard accounts and API tokens."""

from __future__ import annotations

import getpass
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
