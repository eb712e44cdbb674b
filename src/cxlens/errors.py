"""Errors users see. Each says what happened and how to fix it; the CLI prints them without a
traceback and the web app turns them into one JSON error shape."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CxlensError(Exception):
    """Base error: ``message`` says what went wrong, ``hint`` how to fix it."""

    code = "cxlens_error"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class ConfigError(CxlensError):
    """A setting, URL, mapping or spec is wrong."""

    code = "config_error"


class SchemaError(CxlensError):
    """The warehouse schema is missing, too new or cannot be migrated."""

    code = "schema_error"


class ImportRefused(CxlensError):
    """An import was refused as a whole; nothing was written."""

    code = "import_refused"


class NotFound(CxlensError):
    """A named thing (table, file, preset, metric) does not exist."""

    code = "not_found"


class Forbidden(CxlensError):
    """The viewer may not see or do this (their role or vendor scope); HTTP 403. Here, not in
    the dashboard, so the presentation layer's builders can refuse a page too."""

    code = "forbidden"
    status = 403


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean "x"?' for the closest choice, or '' when nothing is close."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), 1, 0.6)]
    return f' Did you mean "{close[0]}"?' if close else ""
