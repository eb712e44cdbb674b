"""Day options (``--from``, ``--to``, ``--as-of``): one parser, one error message."""

from __future__ import annotations

import datetime as dt

from cxlens.errors import ConfigError


def parse_day(text: str | dt.date | None, option: str) -> dt.date | None:
    """``text`` as a date (None stays None); a clear error naming ``option`` otherwise."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date",
                          f"write it as YYYY-MM-DD, e.g. {option} 2026-06-30") from None
