"""Every URL parameter is plain text of a sane length, checked once for all routes before any
of them reads one: a NUL byte or another control character (which PostgreSQL refuses in text
and which no filter, id or date holds) or a value longer than :data:`MAX_VALUE` is refused
with a 400 naming the parameter, instead of reaching SQL, a parser or a log line."""

from __future__ import annotations

from fastapi import Request

from cxlens.errors import ConfigError

#: Longer than any id, filter value, date or metric list the dashboard takes.
MAX_VALUE = 1000


def _control(text: str) -> str | None:
    return next((c for c in text if c < " " or "\x7f" <= c < "\xa0"), None)


async def plain_query(request: Request) -> None:
    """A FastAPI dependency of the whole app: refuses the request's odd URL parameters."""
    for name, value in request.query_params.multi_items():
        shown = repr(name[:40])
        if len(value) > MAX_VALUE or len(name) > MAX_VALUE:
            raise ConfigError(f"URL parameter {shown} is {max(len(value), len(name))} "
                              f"characters long", f"no parameter takes more than {MAX_VALUE}: "
                              f"shorten it")
        bad = _control(name) or _control(value)
        if bad is not None:
            raise ConfigError(f"URL parameter {shown} holds the control character {bad!r}",
                              "remove it: parameters are plain text (a NUL byte is %00 in a "
                              "URL)")
