"""The retry policy's reading of Retry-After, and the credential's wrapper."""

from __future__ import annotations

import datetime as dt

from cxlens.connectors.http import retry_after
from cxlens.connectors.secret import Secret


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 5, 4, 9, 0, 0, tzinfo=dt.UTC).timestamp()
    assert retry_after("120", now) == 120
    assert retry_after(" 7 ", now) == 7
    assert retry_after("Mon, 04 May 2026 09:00:30 GMT", now) == 30
    assert retry_after("Mon, 04 May 2026 08:59:00 GMT", now) == 0  # already past
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None and retry_after("", now) is None


def test_a_secret_never_shows_its_value() -> None:
    token = Secret("zd-Secr3t-Token-4f9a")
    assert "zd-Secr3t" not in repr(token) and "zd-Secr3t" not in str(token)
    assert "zd-Secr3t" not in f"{token} {[token]} { {'t': token} }"
    assert token.reveal() == "zd-Secr3t-Token-4f9a"
