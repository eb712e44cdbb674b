"""Freshdesk: tickets with their stats, and satisfaction ratings.

- Tickets: ``GET /api/v2/tickets?updated_since=...&order_by=updated_at&order_type=asc
  &include=stats``, page by page (``page`` / ``per_page``, the next page named by the
  ``Link: <...>; rel="next"`` header). The cursor is the newest ``updated_at`` committed: the
  list is in update order, so everything after a committed page is updated at or after it,
  and a run that stops resumes with ``updated_since`` = that time (the records at that very
  second are read again and land only if they changed).
- Satisfaction ratings: ``GET /api/v2/surveys/satisfaction_ratings?created_since=...``, same
  paging; a rating exists once the customer answered, so its creation time is the cursor.

Authentication: the API key as the user name of HTTP Basic, with any password ("X").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from cxlens.connectors.engine import Batch, Page
from cxlens.connectors.http import Client, SyncError

SOURCE = "freshdesk"
TICKETS, RATINGS = "tickets", "satisfaction_ratings"
STREAMS = (TICKETS, RATINGS)
TICKET_LIST = "/api/v2/tickets"
RATINGS_LIST = "/api/v2/surveys/satisfaction_ratings"
TOKEN_ENV = "CXLENS_FRESHDESK_TOKEN"


@dataclass(frozen=True)
class Options:
    since: dt.datetime  # where the first run starts (Freshdesk's default is 30 days back)
    per_page: int = 100  # Freshdesk's maximum
    tickets_mapping: str = "freshdesk-tickets-api"
    ratings_mapping: str = "freshdesk-satisfaction-api"


def auth(token: str) -> httpx.Auth:
    return httpx.BasicAuth(token, "X")


def pages(client: Client, options: Options) -> Callable[[dict[str, str | None]],
                                                         Iterator[Page]]:
    def read(cursors: dict[str, str | None]) -> Iterator[Page]:
        yield from _stream(client, TICKET_LIST, TICKETS, "updated_since", "updated_at",
                           cursors.get(TICKETS), options, options.tickets_mapping,
                           {"order_by": "updated_at", "order_type": "asc", "include": "stats"})
        yield from _stream(client, RATINGS_LIST, RATINGS, "created_since", "created_at",
                           cursors.get(RATINGS), options, options.ratings_mapping, {})
    return read


def _stream(client: Client, path: str, stream: str, since_param: str, time_field: str,
            cursor: str | None, options: Options, mapping: str,
            extra: dict[str, Any]) -> Iterator[Page]:
    newest = cursor or _iso(options.since)
    url: str | None = path
    params: dict[str, Any] | None = {since_param: newest, "per_page": options.per_page,
                                     "page": 1, **extra}
    while url is not None:
        response = client.get(url, params)
        try:
            body = response.json()
        except ValueError as exc:
            raise SyncError(f"freshdesk: {path} did not answer JSON",
                            "check --url names a Freshdesk account, e.g. "
                            "https://DOMAIN.freshdesk.com") from exc
        if not isinstance(body, list):
            raise SyncError(f"freshdesk: {path} did not answer a JSON list",
                            "check --url names a Freshdesk account")
        records = [r for r in body if isinstance(r, dict)]
        for r in records:
            value = r.get(time_field)
            if isinstance(value, str) and _later(value, newest):
                newest = value
        yield Page(stream, newest, (Batch(stream, records, (mapping,)),))
        nxt = response.links.get("next", {}).get("url")
        url, params = (nxt, None) if nxt else (None, None)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _later(a: str, b: str) -> bool:
    def parse(v: str) -> dt.datetime:
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    try:
        return parse(a) > parse(b)
    except ValueError:
        return False
