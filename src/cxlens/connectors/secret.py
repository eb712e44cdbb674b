"""A connector's credential, read each run from an environment variable or a file and kept
only in memory: its ``repr`` and ``str`` hide it, so an error message, a log line or a
traceback that shows the object never shows the token. It is never written anywhere."""

from __future__ import annotations

import os
from pathlib import Path

from cxlens.errors import ConfigError


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The token itself, for the Authorization header and nothing else."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


def read(env: str, file: str | Path | None = None) -> Secret:
    """The token in ``file`` (its first line) when given, else in the environment variable
    ``env``; a clear error naming both places (never a value) when neither has one."""
    if file is not None:
        path = Path(file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the token file {path} ({type(exc).__name__})",
                              "give a readable file holding the API token on its first "
                              "line") from None
        lines = text.strip().splitlines()
        if not lines or not lines[0].strip():
            raise ConfigError(f"the token file {path} is empty",
                              "put the API token on its first line")
        return Secret(lines[0].strip())
    value = os.environ.get(env, "").strip()
    if not value:
        raise ConfigError(f"no API token: the environment variable {env} is not set and no "
                          "--token-file was given",
                          f"export {env}=... (the helpdesk's API token) or pass "
                          "--token-file PATH (a file readable only by you)")
    return Secret(value)
