"""Results kept while the tables they read have not changed (issue 18, "Freshness at scale").

A computation that reads only some tables — the CLV fits read ``orders`` and nothing else —
gives the same result until one of those tables, or everything (a global bump), changes data
version (:func:`cxlens.store.migrate.bump_data_version`). :func:`kept` answers it from the last
result while the versions it was computed at still hold: a day of contacts and answers synced
into a 10 M-interaction warehouse then leaves the customers page's 105 CLV fits as they were.
It trusts the bump contract, as the page cache and :mod:`cxlens.metrics.partials` do: a write
without a bump leaves the result stale. A warehouse whose versions were never stamped keeps
nothing."""

from __future__ import annotations

import copy
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from cxlens.store import changes
from cxlens.store.base import Warehouse

T = TypeVar("T")
#: Results kept at once, least recently used dropped first.
ENTRIES = 16

_kept: OrderedDict[tuple[Any, ...], tuple[tuple[str | None, ...], Any]] = OrderedDict()
_guard = threading.Lock()
#: ``hit``, ``computed`` and ``unstamped`` since the process started (the bench and the tests).
counts: Counter[str] = Counter()


def clear() -> None:
    """Forget every kept result."""
    with _guard:
        _kept.clear()


def kept(wh: Warehouse, tables: Sequence[str], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or a copy of its last result for ``key`` on this warehouse while the
    data versions of ``tables`` (and the global one) are those it was computed at. Each
    caller gets its own copy, so a caller that changes what it got changes nothing kept."""
    now = changes.versions(wh)
    if not now:
        counts["unstamped"] += 1
        return compute()
    versions = (now.get(""), *(now.get(t) for t in tables))
    slot = (wh.url, tuple(tables), key)
    with _guard:
        found = _kept.get(slot)
        if found is not None and found[0] == versions:
            _kept.move_to_end(slot)
            counts["hit"] += 1
            result: T = copy.deepcopy(found[1])
            return result
    counts["computed"] += 1
    result = compute()  # versions read before: a change landing meanwhile computes again
    with _guard:
        _kept[slot] = (versions, copy.deepcopy(result))
        _kept.move_to_end(slot)
        while len(_kept) > ENTRIES:
            _kept.popitem(last=False)
    return result
