"""One helpdesk account to sync (where, which credential, from when) and the one function
that syncs it, shared by ``cxlens sync`` and the scheduled sync inside ``cxlens serve``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cxlens.connectors import engine, freshdesk, zendesk
from cxlens.connectors.http import Client, Policy
from cxlens.connectors.secret import Secret, read
from cxlens.errors import ConfigError, did_you_mean
from cxlens.store.base import Warehouse

SOURCES = ("zendesk", "freshdesk")
DEFAULT_SINCE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Account:
    source: str
    url: str
    token_file: Path | None = None
    email: str | None = None  # Zendesk: the agent whose API token it is
    since: dt.datetime = DEFAULT_SINCE
    tickets_mapping: str | None = None
    policy: Policy = field(default_factory=Policy)
    #: The credential itself, when the caller already read it: a sync handed to a running
    #: server (``POST /api/syncs``) brings the token the command read, in memory only.
    secret: Secret | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ConfigError(f"no connector for {self.source!r}."
                              f"{did_you_mean(self.source, SOURCES)}",
                              f"sources: {', '.join(SOURCES)}")
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"{self.source}: --url {self.url!r} is not an http(s) address",
                              "give the account's address, e.g. https://SUBDOMAIN.zendesk.com "
                              "or https://DOMAIN.freshdesk.com")

    @property
    def token_env(self) -> str:
        return zendesk.TOKEN_ENV if self.source == "zendesk" else freshdesk.TOKEN_ENV

    def token(self) -> Secret:
        """The credential given, else read now from the token file or the environment."""
        return self.secret if self.secret is not None else read(self.token_env,
                                                                 self.token_file)


def sync(wh: Warehouse, account: Account,
         progress: engine.Progress | None = None) -> engine.SyncResult:
    """Sync ``account`` into ``wh`` from its stored cursors; see :mod:`engine`."""
    token = account.token()
    pages: Callable[[dict[str, str | None]], Iterator[engine.Page]]
    if account.source == "zendesk":
        client = Client(account.url, zendesk.auth(token.reveal(), account.email),
                        account.policy, source="zendesk")
        z = zendesk.Options(account.since,
                            tickets_mapping=_mapping(account, "zendesk-tickets-api"))
        pages, streams = zendesk.pages(client, z), zendesk.STREAMS
    else:
        client = Client(account.url, freshdesk.auth(token.reveal()), account.policy,
                        source="freshdesk")
        f = freshdesk.Options(account.since,
                              tickets_mapping=_mapping(account, "freshdesk-tickets-api"))
        pages, streams = freshdesk.pages(client, f), freshdesk.STREAMS
    with client:
        return engine.run(wh, account.source, pages, streams, progress)


def _mapping(account: Account, default: str) -> str:
    return account.tickets_mapping or default
