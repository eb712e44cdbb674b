"""cxlens users: dashboard accounts and API tokens."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit, err_console
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError

if TYPE_CHECKING:
    from cxlens.store.base import Warehouse

users_app = typer.Typer(help="Dashboard users: add, remove, list, reset a password; API "
                        "tokens: issue, list, revoke.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _wh(db: str | None) -> Warehouse:
    from cxlens import accounts

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
    from cxlens import accounts

    password = _password(username, password)
    with _wh(db) as wh:
        user = accounts.users.add(wh, username, password, role, vendor)
    console.print(f"added {user.username} ({user.role}"
                  f"{f', vendor {user.vendor}' if user.vendor else ''})", highlight=False)


def _password(username: str, given: str | None) -> str:
    """The password given, or asked for twice."""
    if given is not None:
        return given
    password = getpass.getpass(f"password for {username}: ")
    if getpass.getpass("again: ") != password:
        raise ConfigError("the two passwords differ", "type the same password twice")
    return password


@users_app.command("password")
def reset_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password: Annotated[str | None, typer.Option(
        envvar="CXLENS_PASSWORD", help="The new password (asked for when not given).")] = None,
    one_time: Annotated[bool, typer.Option(
        "--one-time/--final",
        help="--one-time: the user must replace it at their next login; --final: "
             "theirs to keep.")] = True,
    db: DbOption = None,
) -> None:
    """Reset a user's password; every session of theirs ends (their API tokens stay: list
    and revoke them with cxlens users tokens / revoke)."""
    from cxlens import accounts

    with _wh(db) as wh:
        accounts.users.get(wh, username)
        ended = accounts.passwords.set_password(wh, username, _password(username, password),
                                                must_change=one_time)
    console.print(f"reset the password of {username}"
                  f"{' (one-time: to replace at the next login)' if one_time else ''}; "
                  f"ended {ended} session{'' if ended == 1 else 's'}", highlight=False)


@users_app.command("remove")
def remove(username: Annotated[str, typer.Argument(help="Login name.")],
           db: DbOption = None) -> None:
    """Remove a user, their sessions and their API tokens."""
    from cxlens import accounts

    with _wh(db) as wh:
        accounts.users.remove(wh, username)
    console.print(f"removed {username}", highlight=False)


@users_app.command("list")
def list_users(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """List the dashboard users."""
    import pandas as pd

    from cxlens import accounts

    with _wh(db) as wh:
        people = accounts.users.listing(wh)
    frame = pd.DataFrame([{"username": u.username, "role": u.role, "vendor": u.vendor,
                           "must_change_password": u.must_change} for u in people],
                         columns=["username", "role", "vendor", "must_change_password"])
    emit(frame, fmt, "users")


@users_app.command("token")
def token(username: Annotated[str, typer.Argument(help="The user the token acts as.")],
          label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
          expires: Annotated[str, typer.Option(
              help="When it stops working: a number of days (90d), a date (2027-01-31) or "
                   "never.")] = "30d",
          db: DbOption = None) -> None:
    """Issue an API token (shown once; send it as Authorization: Bearer TOKEN)."""
    from cxlens import accounts

    never = accounts.tokens.token_expiry(expires) is None  # a wrong one is refused before opening
    with _wh(db) as wh:
        value = accounts.tokens.issue_token(wh, username, label, expires=expires)
    if never:
        err_console.print("this token never expires: revoke it when it is no longer needed "
                          "(cxlens users tokens; cxlens users revoke TOKEN_ID)",
                          highlight=False)
    console.print(value, highlight=False, soft_wrap=True)


@users_app.command("tokens")
def list_tokens(username: Annotated[str | None, typer.Argument(
                    help="Only this user's tokens.")] = None,
                fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """List the API tokens (never their secrets): id, user, label, created, last used (to
    the hour), expires."""
    import dataclasses

    import pandas as pd

    from cxlens import accounts

    with _wh(db) as wh:
        if username:
            accounts.users.get(wh, username)
        found = accounts.tokens.listing(wh, username)
    columns = [f.name for f in dataclasses.fields(accounts.tokens.Token)]
    emit(pd.DataFrame([dataclasses.asdict(t) for t in found], columns=columns), fmt,
         "API tokens")


@users_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(
               help="The token's id, as cxlens users tokens lists it.")],
           db: DbOption = None) -> None:
    """Revoke an API token: it stops working at once."""
    from cxlens import accounts

    with _wh(db) as wh:
        gone = accounts.tokens.revoke_token(wh, token_id)
    console.print(f"revoked token {gone.id} of {gone.username}"
                  f"{f' ({gone.label})' if gone.label else ''}", highlight=False)
