"""cxlens sync: pull new and changed tickets and satisfaction ratings from a helpdesk API,
landed like an import (same mapping, validation, quarantine), resumable and idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import console
from cxlens.cli.warehouse import DbOption, handing_off, open_warehouse

if TYPE_CHECKING:
    from cxlens.connectors.accounts import Account
    from cxlens.connectors.engine import SyncResult

app = typer.Typer(help="Sync tickets and satisfaction ratings from a helpdesk API "
                       "(incremental: each run starts where the last one stopped).",
                  no_args_is_help=True)

TokenFileOption = Annotated[
    Path | None,
    typer.Option("--token-file", help="File holding the API token on its first line (instead "
                 "of the environment variable); the token is never printed or stored."),
]
SinceOption = Annotated[
    dt.datetime | None,
    typer.Option("--since", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
                 help="First run only: sync records changed since this UTC date "
                      "(default 2000-01-01); later runs resume from the stored cursor."),
]
MappingOption = Annotated[
    str | None,
    typer.Option("--tickets-mapping", help="Your own mapping YAML for the tickets (a copy of "
                 "the built-in one, docs/connectors.md)."),
]


def _run(account: Account, db: str | None) -> None:
    from cxlens.cli.import_ import report
    from cxlens.connectors.accounts import sync
    from cxlens.errors import ConfigError

    try:
        wh = open_warehouse(db, create=True)
    except ConfigError as exc:  # held by a running server: hand the sync to it
        result = _hand_off(db, exc, account)
    else:
        with wh:
            result = sync(wh, account)
    for imported in result.results():
        report(imported, "synced")
    console.print(f"[bold]{account.source}[/]: {result.pages:,} page(s), {result.read:,} new "
                  f"or changed record(s), {result.unchanged:,} unchanged", highlight=False)


def _hand_off(db: str | None, refused: Exception, account: Account) -> SyncResult:
    """Send the sync to the ``cxlens serve`` that holds the DuckDB file (cxlens.handoff);
    re-raise ``refused`` when no server published a hand-off. The token is read here, as a
    direct sync reads it (a missing one fails the same way), and travels in the request's
    body over the loopback connection, never in its URL (docs/security.md)."""
    from cxlens import handoff, store
    from cxlens.connectors.wire import sync_from_json

    server = handoff.for_held(store.duckdb_path(db or store.default_url()), refused)
    if server is None:
        raise refused
    token = account.token()
    tickets = account.tickets_mapping or ""
    if tickets and Path(tickets).expanduser().is_file():  # the server runs elsewhere: whole path
        tickets = str(Path(tickets).expanduser().resolve())
    handing_off(server, "sync")
    doc = handoff.call(server, "/api/syncs", [
        ("source", account.source), ("url", account.url), ("email", account.email or ""),
        ("since", account.since.isoformat()), ("tickets_mapping", tickets),
        ("token", token.reveal())])
    return sync_from_json(doc["result"])


def _account() -> type[Account]:
    """The Account class, once the connectors' extra is known to be installed."""
    from cxlens.extras import require

    require("connectors")
    from cxlens.connectors.accounts import Account

    return Account


def _since(value: dt.datetime | None) -> dt.datetime:
    from cxlens.connectors.accounts import DEFAULT_SINCE

    return value.replace(tzinfo=dt.UTC) if value else DEFAULT_SINCE


@app.command("zendesk")
def zendesk(
    url: Annotated[str, typer.Option("--url", envvar="CXLENS_ZENDESK_URL", show_envvar=True,
                                     help="The account, e.g. https://SUBDOMAIN.zendesk.com.")],
    email: Annotated[str | None, typer.Option(
        "--email", envvar="CXLENS_ZENDESK_EMAIL", show_envvar=True,
        help="The agent whose API token it is; without it the token is sent as an OAuth "
             "bearer token.")] = None,
    token_file: TokenFileOption = None,
    since: SinceOption = None,
    tickets_mapping: MappingOption = None,
    db: DbOption = None,
) -> None:
    """Zendesk Support: tickets with their metrics (incremental export, cursor-based) and
    satisfaction ratings. Token: $CXLENS_ZENDESK_TOKEN or --token-file."""
    _run(_account()("zendesk", url, token_file, email, _since(since), tickets_mapping), db)


@app.command("freshdesk")
def freshdesk(
    url: Annotated[str, typer.Option("--url", envvar="CXLENS_FRESHDESK_URL", show_envvar=True,
                                     help="The account, e.g. https://DOMAIN.freshdesk.com.")],
    token_file: TokenFileOption = None,
    since: SinceOption = None,
    tickets_mapping: MappingOption = None,
    db: DbOption = None,
) -> None:
    """Freshdesk: tickets with their stats (updated_since, in update order) and satisfaction
    ratings. API key: $CXLENS_FRESHDESK_TOKEN or --token-file."""
    _run(_account()("freshdesk", url, token_file, None, _since(since), tickets_mapping), db)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sync")
