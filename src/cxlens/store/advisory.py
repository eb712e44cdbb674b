"""The one way a name becomes a Postgres advisory-lock key, for every lock cxlens takes (the
scheduled jobs' leader, web/leader.py; one sync per source, connectors/lock.py): two
derivations would let two versions of the code, or two parts of it, think they hold
different locks for the same name. Computed here rather than by ``hashtext`` in the
database, whose value Postgres does not promise across major versions."""

from __future__ import annotations

import hashlib


def lock_key(name: str) -> int:
    """A stable 64-bit advisory-lock key for ``name`` (the same in every process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
