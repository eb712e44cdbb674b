"""The accounts' one clock: aware UTC, so session and token expiries, last use and the audit
log's times compare with each other and with stored timestamps on every backend."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
