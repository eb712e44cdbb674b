"""Zendesk Support: tickets with their metrics, and satisfaction ratings.

- Tickets: the Incremental Ticket Export, cursor-based
  (``GET /api/v2/incremental/tickets/cursor.json``), first with ``start_time`` (``--since``),
  then with the stored ``after_cursor``; ``end_of_stream`` ends a run. Each page sideloads the
  tickets' metric sets (``include=metric_sets``: reply and resolution times, replies,
  reopens), attached to their tickets so both land in one row.
- Satisfaction ratings (``GET /api/v2/satisfaction_ratings``, cursor pagination
  ``page[size]`` / ``meta.has_more`` / ``links.next``), from ``start_time`` = the newest
  rating's creation time stored minus a look-back window: a rating is created when the survey
  is offered and answered later, so the window re-reads recent ratings and lands the ones
  that changed (offered -> good or bad). Each lands as a CSAT answer (zendesk-satisfaction
  preset) and as an invitation (zendesk-satisfaction-invitations), so the response rate works.

Authentication: ``{email}/token:{api token}`` (HTTP Basic), or an OAuth access token (Bearer)
when no e-mail is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from cxlens.connectors.engine import Batch, Page
from cxlens.connectors.http import Client, SyncError

SOURCE = "zendesk"
TICKETS, RATINGS = "tickets", "satisfaction_ratings"
STREAMS = (TICKETS, RATINGS)
TICKET_EXPORT = "/api/v2/incremental/tickets/cursor.json"
RATINGS_LIST = "/api/v2/satisfaction_ratings"
TOKEN_ENV = "CXLENS_ZENDESK_TOKEN"


@dataclass(frozen=True)
class Options:
    since: dt.datetime  # where the first run starts
    ticket_page: int = 1000  # tickets per export page (Zendesk's maximum)
    rating_page: int = 100  # ratings per page (Zendesk's maximum)
    lookback: dt.timedelta = dt.timedelta(days=14)
    tickets_mapping: str = "zendesk-tickets-api"


def auth(token: str, email: str | None) -> httpx.Auth:
    """API token with the agent's e-mail (Basic), or an OAuth token (Bearer)."""
    if email:
        return httpx.BasicAuth(f"{email}/token", token)
    return _Bearer(token)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def pages(client: Client, options: Options) -> Callable[[dict[str, str | None]],
                                                         Iterator[Page]]:
    def read(cursors: dict[str, str | None]) -> Iterator[Page]:
        yield from _tickets(client, cursors.get(TICKETS), options)
        yield from _ratings(client, cursors.get(RATINGS), options)
    return read


def _tickets(client: Client, cursor: str | None, options: Options) -> Iterator[Page]:
    fixed = {"include": "metric_sets", "per_page": options.ticket_page}
    params: dict[str, Any] = {**fixed, **({"cursor": cursor} if cursor else
                                          {"start_time": int(options.since.timestamp())})}
    while True:
        body = _object(client.get_json(TICKET_EXPORT, params), TICKET_EXPORT, "tickets")
        tickets = _list(body, "tickets", TICKET_EXPORT)
        metrics = {m.get("ticket_id"): m for m in body.get("metric_sets") or []
                   if isinstance(m, dict)}
        records = [_with_metrics(t, metrics.get(t.get("id"))) for t in tickets]
        after = body.get("after_cursor") or cursor
        if not isinstance(after, str):
            raise SyncError(f"zendesk: {TICKET_EXPORT} answered without after_cursor",
                            "check --url names a Zendesk Support account")
        yield Page(TICKETS, after, (Batch(TICKETS, records, (options.tickets_mapping,),
                                          version_field="_version"),))
        if body.get("end_of_stream", True) or after == cursor:
            return
        cursor = after
        params = {**fixed, "cursor": after}


def _with_metrics(ticket: dict[str, Any], metric: dict[str, Any] | None) -> dict[str, Any]:
    """The ticket with its metric set; its version changes when either changes."""
    out = dict(ticket)
    out["metric_set"] = metric
    out["_version"] = f"{ticket.get('updated_at')}|{(metric or {}).get('updated_at')}"
    return out


def _ratings(client: Client, cursor: str | None, options: Options) -> Iterator[Page]:
    newest = int(cursor) if cursor else int(options.since.timestamp())
    start = newest - int(options.lookback.total_seconds()) if cursor else newest
    url: str | None = RATINGS_LIST
    params: dict[str, Any] | None = {"start_time": max(start, 0),
                                     "page[size]": options.rating_page}
    while url is not None:
        body = _object(client.get_json(url, params), RATINGS_LIST, "satisfaction_ratings")
        ratings = _list(body, "satisfaction_ratings", RATINGS_LIST)
        for r in ratings:
            newest = max(newest, _epoch(r.get("created_at")) or newest)
        yield Page(RATINGS, str(newest), (Batch(RATINGS, ratings, (
            "zendesk-satisfaction", "zendesk-satisfaction-invitations")),))
        meta = body.get("meta") or {}
        links = body.get("links") or {}
        url = links.get("next") if meta.get("has_more") and links.get("next") else None
        params = None  # the next link carries every parameter


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _object(body: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise SyncError(f"zendesk: {where} did not answer a JSON object with {key}",
                        "check --url names a Zendesk Support account")
    return body


def _list(body: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = body.get(key)
    if not isinstance(items, list):
        raise SyncError(f"zendesk: {where} answered without a {key} list",
                        "check --url names a Zendesk Support account")
    return [i for i in items if isinstance(i, dict)]
