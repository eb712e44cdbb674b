"""Results shared by every caller of a process, once per warehouse, data version and key:
what many pages read alike (every agent page's case-mix fit and CSAT ranking, every vendor's
statement of a quarter) is computed once, by whichever thread asks first, while the others
wait for it instead of computing it again (the dashboard's pre-computation and a request may
ask at the same time). Callers must not change what they get.

A result is kept per version of the tables it reads (``READS``, by the key's first part;
tests/present/test_reads.py records every table its SQL touches and fails on an omission), so
a change to other tables (a survey run's invitations and cases) does not recompute it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version

#: The tables each shared result reads, by its key's first part; a key not named here
#: depends on everything.
READS: dict[str, frozenset[str]] = {
    "casemix": frozenset({"interactions", "survey_responses", "customers"}),
    "csat_rank": frozenset({"interactions", "survey_responses"}),
}
#: Results kept, least recently used dropped first.
ENTRIES = 16


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None


_slots: OrderedDict[tuple[Any, ...], _Slot] = OrderedDict()
_guard = threading.Lock()


def shared(wh: Warehouse, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` once per warehouse, version of the tables it reads and ``key``."""
    version = data_version(wh, READS.get(key[0]) if key else None)
    if version == "0":  # no version stamped: nothing tells this warehouse's data apart
        return compute()
    full = (wh.url, version, *key)
    with _guard:
        slot = _slots.setdefault(full, _Slot())
        _slots.move_to_end(full)
        while len(_slots) > ENTRIES:
            _slots.popitem(last=False)
    with slot.lock:  # one computation per key: a second caller waits for the first's result
        if not slot.done:
            slot.value, slot.done = compute(), True
        return slot.value
