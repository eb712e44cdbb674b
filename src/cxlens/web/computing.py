"""Pages computed off the request lock: a page nothing has cached is computed in a background
thread on a connection of its own, never under the lock every request shares, at most
``SLOTS`` pages at a time. The request waits up to ``WebState.page_wait`` seconds for it; a
page that takes longer (key drivers or CLV take minutes at 10 M interactions) answers at once
with :class:`StillComputing` — a page that reloads itself, or 202 with Retry-After for the
JSON twin — and the computation goes on, so no other request waits behind it and no tab
waits blank (issue 17). A page computed before the data changed is shown meanwhile instead,
marked as updating with the time its figures are from (issue 18): after an import or a sync
no page goes blank, and each shows the new figures once they are computed. Two requests
for the same page share one computation, and one the pre-computation is already doing
(``WebState.cached``'s pending entries)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxlens.present.model import Page, Updating
from cxlens.store import background
from cxlens.store.base import Warehouse

if TYPE_CHECKING:
    from cxlens.web.state import WebState

#: Pages computed at the same time by requests (the pre-computation has its own thread):
#: each holds a connection, a core and, at 10 M interactions, up to 9 GB.
SLOTS = 2
#: Pages that fit models over the whole warehouse: one of them computes at a time, whoever
#: asks (a request or the pre-computation), so their memory does not add up (customers
#: peaked at 9 GB and themes at 8.5 GB at 10 M interactions).
HEAVY = ("drivers", "cohorts", "impact", "customers", "themes", "sentiment")
#: How long a request waits for its page before answering "being computed" (seconds): the
#: answer then comes within the 2 s a first view may take, rendering included.
PAGE_WAIT = 1.5
#: When to ask again (seconds): soon while the page is young (most are ready within a few
#: seconds), less often once it has computed for ``PATIENT`` seconds.
RETRY_SOON, RETRY_LATER, PATIENT = 1, 3, 10.0


class StillComputing(Exception):  # not a CxlensError: nothing went wrong
    """The page is being computed; ask again in :attr:`retry` seconds."""

    def __init__(self, page: str, started: float) -> None:
        super().__init__(f"{page} is being computed")
        self.page, self.started = page, started

    @property
    def seconds(self) -> float:
        """How long ago its computation started."""
        return time.monotonic() - self.started

    @property
    def retry(self) -> int:
        return RETRY_SOON if self.seconds < PATIENT else RETRY_LATER


@dataclass
class _Job:
    started: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


@dataclass
class Computations:
    """The background page computations of one app."""

    slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(SLOTS))
    #: Held while a page of ``HEAVY`` computes.
    heavy: threading.Lock = field(default_factory=threading.Lock)
    _jobs: dict[tuple[Any, ...], _Job] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def page(self, st: WebState, name: str, key: tuple[Any, ...],
             build: Callable[[Warehouse], Any]) -> Any:
        """The cached page for ``key``, else ``build`` on a connection of its own: its result
        if ready within ``st.page_wait`` seconds, its error, or else the page computed before
        the data changed marked as updating, or :class:`StillComputing` without one."""
        full = (st.version(key), *key)  # the versions of what the page reads
        hit, value = st.peek(full)
        if hit:
            return value
        with self._guard:
            job = self._jobs.get(full)
            if job is None:
                job = self._jobs[full] = _Job()
                threading.Thread(target=self._run, args=(st, full, key, build, job),
                                 name=f"cxlens-page-{name}", daemon=True).start()
        if not job.done.wait(st.page_wait):
            before = st.previous(key)
            if before is not None and isinstance(before[0], Page):
                return dataclasses.replace(before[0], updating=Updating(before[1]))
            raise StillComputing(name, job.started)
        if job.error is not None:
            raise job.error
        return job.value

    def running(self, full: tuple[Any, ...]) -> bool:
        """Whether the page of ``full`` (data version first) is being computed now."""
        with self._guard:
            return full in self._jobs

    def _run(self, st: WebState, full: tuple[Any, ...], key: tuple[Any, ...],
             build: Callable[[Warehouse], Any], job: _Job) -> None:
        try:
            with self.slots:
                wh = st.wh.sibling()
                try:
                    with background.background(wh):
                        job.value = st.cached(key, lambda: build(wh), wh=wh)
                finally:
                    wh.close()
        except BaseException as exc:  # handed to whoever waits for the page, who raises it
            job.error = exc
        finally:
            with self._guard:
                self._jobs.pop(full, None)
            job.done.set()
