"""Local helpdesk APIs for the connector tests, written from the public API documentation
(shapes, cursors, pagination, 429 with Retry-After): a real HTTP server on 127.0.0.1 in a
thread, never a network call.

Each fake keeps a change log of records (a record updated later is appended again with its
new ``updated_at``; only its latest copy is served, as the real APIs serve current state),
checks the Authorization header, and plays scripted faults per path: ``("429", seconds)``,
``("500",)``, ``("ok",)`` (answered as usual), ``("drop",)`` (the connection is closed with no answer) and ``("hold",)`` (the
request waits until :meth:`FakeAPI.release`, so a test can kill the client mid-sync).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

Record = dict[str, Any]


def epoch(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


class FakeAPI:
    """The server side shared by both fakes: auth, faults, the request log."""

    def __init__(self, authorization: str) -> None:
        self.authorization = authorization
        self.faults: dict[str, list[tuple[str, ...]]] = {}
        self.log: list[tuple[float, str, int]] = []  # (monotonic time, path?query, status)
        self.headers_seen: list[str] = []
        self.held = threading.Event()  # set when a request is being held
        self._release = threading.Event()
        self.url = ""

    def fault(self, path: str, *faults: tuple[str, ...]) -> None:
        """Play ``faults`` on the next requests to ``path``, one per request, in order."""
        self.faults.setdefault(path, []).extend(faults)

    def release(self) -> None:
        self._release.set()

    def statuses(self, path: str) -> list[int]:
        return [status for _, p, status in self.log if urlsplit(p).path == path]

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    # -- the HTTP side -------------------------------------------------------------------
    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                api.headers_seen.append(str(self.headers))
                queue = api.faults.get(parts.path) or []
                fault = queue.pop(0) if queue else None
                if fault is not None and fault[0] == "ok":
                    fault = None
                if fault is not None and fault[0] == "drop":
                    api.log.append((time.monotonic(), self.path, 0))
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault is not None and fault[0] == "hold":
                    api.held.set()
                    api._release.wait(60)
                if self.headers.get("Authorization") != api.authorization:
                    self._send(401, {"error": "Couldn't authenticate you"}, {})
                    return
                if fault is not None and fault[0] == "429":
                    self._send(429, {"error": "APIRateLimitExceeded"},
                               {"Retry-After": fault[1]})
                    return
                if fault is not None and fault[0] == "500":
                    self._send(500, {"error": "InternalError"}, {})
                    return
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, body, headers = api.answer(parts.path, query)
                self._send(status, body, headers)

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                api.log.append((time.monotonic(), self.path, status))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    @contextmanager
    def running(self) -> Iterator[str]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        server.daemon_threads = True
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.url
        finally:
            self.release()
            server.shutdown()
            server.server_close()
            thread.join(10)


def _latest(log: list[Record]) -> list[tuple[int, Record]]:
    """(position, record) of each record's latest copy in the change log."""
    last = {r["id"]: i for i, r in enumerate(log)}
    return [(i, r) for i, r in enumerate(log) if last[r["id"]] == i]


class Zendesk(FakeAPI):
    """Incremental Ticket Export (cursor-based, metric_sets sideload) and Satisfaction
    Ratings (cursor pagination), as documented by Zendesk."""

    def __init__(self, email: str, token: str, page_size: int = 2) -> None:
        creds = base64.b64encode(f"{email}/token:{token}".encode()).decode()
        super().__init__(f"Basic {creds}")
        self.page_size = page_size
        self.tickets: list[Record] = []  # change log
        self.metric_sets: dict[int, Record] = {}
        self.ratings: list[Record] = []  # change log

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path == "/api/v2/incremental/tickets/cursor.json":
            return self._export(query)
        if path == "/api/v2/satisfaction_ratings":
            return self._ratings(query)
        return 404, {"error": "InvalidEndpoint"}, {}

    def _export(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if "cursor" in q:
            start = int(base64.b64decode(q["cursor"]).decode())
        elif "start_time" in q:
            since = int(q["start_time"])
            start = next((i for i, r in _latest(self.tickets) if epoch(r["updated_at"]) >= since),
                         len(self.tickets))
        else:
            return 400, {"error": "InvalidPaginationParameter",
                         "description": "start_time or cursor is required"}, {}
        size = min(int(q.get("per_page", 1000)), self.page_size)
        picked = [(i, r) for i, r in _latest(self.tickets) if i >= start][:size]
        after = picked[-1][0] + 1 if picked else start
        cursor = base64.b64encode(str(after).encode()).decode()
        body: dict[str, Any] = {
            "tickets": [r for _, r in picked],
            "after_url": f"{self.url}/api/v2/incremental/tickets/cursor.json?cursor={cursor}",
            "after_cursor": cursor,
            "before_url": None, "before_cursor": None,
            "end_of_stream": not any(i >= after for i, _ in _latest(self.tickets)),
        }
        if "metric_sets" in q.get("include", ""):
            body["metric_sets"] = [self.metric_sets[r["id"]] for _, r in picked
                                   if r["id"] in self.metric_sets]
        return 200, body, {}

    def _ratings(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        since = int(q.get("start_time", 0))
        size = int(q.get("page[size]", 100))
        rows = sorted((r for _, r in _latest(self.ratings) if epoch(r["created_at"]) >= since),
                      key=lambda r: r["id"])
        after = int(q.get("page[after]", "0") or 0)
        rows = [r for r in rows if r["id"] > after]
        page, more = rows[:size], len(rows) > size
        last = str(page[-1]["id"]) if page else None
        nxt = (f"{self.url}/api/v2/satisfaction_ratings?"
               + urlencode({"start_time": since, "page[size]": size, "page[after]": last})
               if more else None)
        return 200, {"satisfaction_ratings": page,
                     "meta": {"has_more": more, "after_cursor": last, "before_cursor": None},
                     "links": {"next": nxt, "prev": None}}, {}


class Freshdesk(FakeAPI):
    """List All Tickets (updated_since, order_by, include=stats, page/per_page, Link header)
    and View All Satisfaction Ratings (created_since), as documented by Freshdesk."""

    def __init__(self, api_key: str, page_size: int = 2) -> None:
        creds = base64.b64encode(f"{api_key}:X".encode()).decode()
        super().__init__(f"Basic {creds}")
        self.page_size = page_size
        self.tickets: list[Record] = []
        self.ratings: list[Record] = []

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path == "/api/v2/tickets":
            since = query.get("updated_since")
            rows = self._since(self.tickets, "updated_at", since)
            if query.get("order_by") == "updated_at" and query.get("order_type") == "asc":
                rows.sort(key=lambda r: (epoch(r["updated_at"]), r["id"]))
            if "stats" not in query.get("include", ""):
                rows = [{k: v for k, v in r.items() if k != "stats"} for r in rows]
            return self._page(path, rows, query)
        if path == "/api/v2/surveys/satisfaction_ratings":
            rows = self._since(self.ratings, "created_at", query.get("created_since"))
            return self._page(path, rows, query)
        return 404, {"code": "invalid_path"}, {}

    @staticmethod
    def _since(log: list[Record], field: str, since: str | None) -> list[Record]:
        rows = [r for _, r in _latest(log)]
        return [r for r in rows if since is None or epoch(r[field]) >= epoch(since)]

    def _page(self, path: str, rows: list[Record],
              q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(q.get("per_page", 30)), self.page_size)
        page = int(q.get("page", 1))
        chunk = rows[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(rows):
            nxt = {**q, "page": str(page + 1)}
            headers["Link"] = f'<{self.url}{path}?{urlencode(nxt)}>; rel="next"'
        return 200, chunk, headers
