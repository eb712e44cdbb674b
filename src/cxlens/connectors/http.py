"""GET JSON from a helpdesk API with the retry policy every connector shares.

- 429 (rate limited): wait the ``Retry-After`` the server asks for (seconds or an HTTP date),
  then try again; a wait longer than ``Policy.longest_wait`` gives up instead of hanging.
- 5xx, a dropped or refused connection, a time-out: transient; wait ``backoff`` seconds,
  doubled each time up to ``cap``, then try again.
- Any other 4xx (a wrong token, a wrong URL): not retried, the fix is the user's.

After ``Policy.attempts`` tries the request gives up with a :class:`SyncError` that says what
failed, where (the URL, which never holds the credential: it travels in the Authorization
header only) and what to do. Nothing here prints or logs the credential or the headers.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from cxlens.errors import CxlensError


class SyncError(CxlensError):
    """A helpdesk API could not be read; what was committed before stays committed."""

    code = "sync_error"


@dataclass(frozen=True)
class Policy:
    """How hard to try one request."""

    attempts: int = 6  # tries per request, the first included
    backoff: float = 2.0  # first wait after a transient error, in seconds
    cap: float = 60.0  # longest wait between two tries after a transient error
    longest_wait: float = 900.0  # a Retry-After longer than this gives up
    timeout: float = 60.0  # seconds to connect, and between two reads


Sleep = Callable[[float], None]


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (a number of seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Client:
    """One API account: a base URL, an Authorization header, the policy."""

    def __init__(self, base_url: str, auth: httpx.Auth, policy: Policy | None = None,
                 sleep: Sleep = time.sleep, source: str = "the API") -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy or Policy()
        self.source = source
        self._sleep = sleep
        self._http = httpx.Client(auth=auth, timeout=self.policy.timeout,
                                  headers={"Accept": "application/json"},
                                  follow_redirects=False)
        #: tries, waits and rate-limit answers so far (shown after a sync)
        self.requests = 0
        self.rate_limited = 0
        self.retried = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL: a next-page link as given, a path under the base URL."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.base_url + "/" + path_or_url.lstrip("/")

    def get(self, path_or_url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """The response to GET (status 2xx), after the retries the policy allows."""
        url = self.url(path_or_url)
        where = _plain(httpx.URL(url, params=params) if params else httpx.URL(url))
        wait = self.policy.backoff
        problem = ""
        for attempt in range(1, self.policy.attempts + 1):
            self.requests += 1
            try:
                response = self._http.get(url, params=params)
            except httpx.TransportError as exc:
                problem = f"the connection failed ({type(exc).__name__})"
            else:
                if response.is_success:
                    return response
                if response.status_code == 429:
                    self.rate_limited += 1
                    asked = retry_after(response.headers.get("Retry-After"))
                    if asked is not None and asked > self.policy.longest_wait:
                        raise SyncError(
                            f"{self.source}: GET {where} is rate limited for {asked:.0f} s "
                            f"(Retry-After), more than the {self.policy.longest_wait:.0f} s a "
                            "sync waits; nothing after the last committed page was written",
                            "run the sync again later (it resumes from the stored cursor), or "
                            "sync less often")
                    problem = "rate limited (429)"
                    if attempt < self.policy.attempts:
                        self.retried += 1
                        self._sleep(asked if asked is not None else wait)
                        wait = min(wait * 2, self.policy.cap)
                    continue
                if response.status_code < 500:
                    raise SyncError(
                        f"{self.source}: GET {where} answered {response.status_code} "
                        f"{response.reason_phrase}{_refusal(response)}",
                        _fix_for(response.status_code))
                problem = f"the server answered {response.status_code}"
            if attempt < self.policy.attempts:
                self.retried += 1
                self._sleep(wait)
                wait = min(wait * 2, self.policy.cap)
        raise SyncError(
            f"{self.source}: GET {where} failed {self.policy.attempts} times (last: {problem}); "
            "pages before it are committed, this one and those after it are not",
            "check the service's status and run the sync again: it resumes from the stored "
            "cursor and re-reads nothing already landed")

    def get_json(self, path_or_url: str, params: dict[str, Any] | None = None) -> Any:
        response = self.get(path_or_url, params)
        try:
            return response.json()
        except ValueError as exc:
            raise SyncError(f"{self.source}: GET {_plain(response.url)} did not answer JSON",
                            "check the URL names the API (e.g. https://SUBDOMAIN.zendesk.com)"
                            ) from exc


def _plain(url: httpx.URL) -> str:
    """The URL without any user:password part (the credential never goes there anyway)."""
    return str(url.copy_with(username=None, password=None)) if url.userinfo else str(url)


def _refusal(response: httpx.Response) -> str:
    """The API's own short reason, when it gives one in JSON (never echoes request headers)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("description", "error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return f": {value[:200]}"
    return ""


def _fix_for(status: int) -> str:
    if status in (401, 403):
        return ("check the credential (environment variable or --token-file) and that the "
                "user it belongs to may read this data")
    if status == 404:
        return "check --url: the account's address, e.g. https://SUBDOMAIN.zendesk.com"
    return "check --url and the options; the API refused the request as sent"
