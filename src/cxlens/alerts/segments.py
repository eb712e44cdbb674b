"""An alert's segment as text (``vendor=Acme BPO, site=Leeds``; ``all`` for everyone) and
back. The text keys the alert and decides what a vendor viewer may see, so it must read back
as the values it was made from: a value that could be taken for the separator (``Smith, Jones
& Co``, a vendor named ``Smith, site=Leeds``) or for a quoted value is written as a JSON
string (``vendor="Smith, Jones & Co"``); ordinary names are written as they are."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

ALL = "all"
_PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|.*?)(?:, (?=\w+=)|$)')


def _value(value: Any) -> str:
    text = str(value)
    if ", " in text or "=" in text or text.startswith('"') or text != text.strip():
        return json.dumps(text, ensure_ascii=False)
    return text


def label(by: Sequence[str], row: Sequence[Any]) -> str:
    """``dim=value, …`` for the dimensions ``by`` and their values (``all`` without any)."""
    return ", ".join(f"{d}={_value(v)}" for d, v in zip(by, row, strict=True)) or ALL


def values(segment: str) -> dict[str, str]:
    """The dimension values a :func:`label` was made from ({} for ``all``)."""
    out: dict[str, str] = {}
    pos = 0
    while segment != ALL and pos < len(segment):
        match = _PAIR.match(segment, pos)
        if match is None or match.end() == pos:
            break
        raw = match.group(2)
        out[match.group(1)] = json.loads(raw) if raw.startswith('"') else raw
        pos = match.end()
    return out
