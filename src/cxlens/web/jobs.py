"""Report jobs: the dashboard's report is computed in the background (it takes a minute on a
large warehouse) while the tab shows its progress. At most ``WORKERS`` reports compute at
once; a job is keyed by the data version, the filters and the scope, so two clicks share one
job and a finished report is served again until the data changes. A job belongs to its
scope: asking for it from another scope is "not found", as if it did not exist.

Only report jobs: the pre-computation of pages has its own thread (web/prewarm.py)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cxlens.errors import CxlensError, NotFound
from cxlens.reports.sections import Progress, Section
from cxlens.web.fallback import reference

log = logging.getLogger("cxlens.web")
#: Reports computed at the same time (each holds its own warehouse connection and a core).
WORKERS = 1
#: Jobs remembered (finished reports served again), least recently asked for forgotten first.
KEEP = 8


class ReportFailed(CxlensError):
    """An unexpected error computing a report: said with the reference of its log entry."""

    code = "internal_error"
    status = 500


@dataclass
class Job:
    id: str
    scope: str | None  # the vendor of a vendor's report; None: every vendor
    total: int
    done: int = 0
    step: str = "Waiting for another report to finish"
    html: str | None = None
    pdf: bytes | None = None
    #: Why it failed, in the house shape (the result routes raise it; the page shows it).
    error: CxlensError | None = None
    what: str = "report"  # what the audit log says was exported
    pdf_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def finished(self) -> bool:
        return self.html is not None or self.error is not None


class ReportJobs:
    """The report jobs of one app."""

    def __init__(self, workers: int = WORKERS, keep: int = KEEP) -> None:
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._by_key: OrderedDict[tuple[Any, ...], Job] = OrderedDict()
        self._keep = keep
        self.started = 0  # jobs ever started (two clicks on one report start one)

    def submit(self, key: tuple[Any, ...], scope: str | None, total: int,
               build: Callable[[Progress], str]) -> Job:
        """The job for ``key``: the running or finished one, else a new one running
        ``build(progress)`` (it returns the report's HTML). A failed job is not reused: the
        next click tries again."""
        with self._lock:
            job = self._by_key.get(key)
            if job is not None and job.error is None:
                self._by_key.move_to_end(key)
                return job
            job = Job(secrets.token_urlsafe(16), scope, total)
            self._by_key[key] = job
            while len(self._by_key) > self._keep:
                self._by_key.popitem(last=False)
            self.started += 1
        # a daemon thread: a server stopping does not wait for a report nobody will read
        threading.Thread(target=self._run, args=(job, build), name=f"cxlens-report-{job.id}",
                         daemon=True).start()
        return job

    def get(self, job_id: str, scope: str | None) -> Job:
        """The job ``job_id`` if it is ``scope``'s; another scope's job is not found."""
        with self._lock:
            job = next((j for j in self._by_key.values() if j.id == job_id), None)
        if job is None or job.scope != scope:
            raise NotFound(f"no report job {job_id!r}", "open the report again from the "
                           "dashboard's menu (Report): it starts a new one")
        return job

    def _run(self, job: Job, build: Callable[[Progress], str]) -> None:
        def progress(section: Section, done: int, total: int) -> None:
            job.step, job.done, job.total = section.doing, done, total

        try:
            with self._slots:
                job.step = "Starting"
                html = build(progress)
        except CxlensError as exc:  # e.g. nothing to report on: what and how to fix it
            job.error = exc
        except Exception:  # the one shape for the unexpected: a reference into the log
            ref = reference()
            log.exception("report job %s failed: unexpected error %s", job.id, ref)
            job.error = ReportFailed(
                f"the report could not be computed (reference {ref})",
                f"open the report again from the menu; if it fails again, give the reference "
                f"{ref} to the administrator (the server log has the details)")
        else:
            job.done, job.step, job.html = job.total, "Done", html
