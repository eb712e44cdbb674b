"""The report routes: ``/report`` answers at once with a progress page while the report is
computed in the background (web/jobs.py), the page polls a small fragment (HTMX, every
second; without JavaScript the page reloads itself) until the report is ready to open as HTML
or download as PDF. A vendor viewer's job is their vendor's report, and another scope's job
is "not found"."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import CxlensError, NotFound
from cxlens.present.filters import Filters
from cxlens.present.scope import own_vendor
from cxlens.reports.sections import Progress, sections_for
from cxlens.store.background import background
from cxlens.web.jobs import Job, ReportJobs
from cxlens.web.pages import Source, html
from cxlens.web.security import CurrentUser, state
from cxlens.web.state import WebState

router = APIRouter()
#: The report inlines its scripts and styles (it must open offline as a file).
REPORT_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src "
              "'unsafe-inline'; img-src data:; frame-ancestors 'none'")

#: The answer that makes HTMX stop polling ("every 1s") and still swap in the content.
STOP_POLLING = 286


class StillComputing(CxlensError):
    code = "report_not_ready"
    status = 409


def jobs(request: Request) -> ReportJobs:
    runner: ReportJobs = request.app.state.report_jobs
    return runner


def start(st: WebState, runner: ReportJobs, filters: Filters, vendor: str | None) -> Job:
    """The job computing the report for ``filters`` and ``vendor`` on its own warehouse
    connection (requests keep the shared one meanwhile), joined if it already runs."""
    from cxlens.reports.html import render_html
    from cxlens.reports.model import build_report

    def build(progress: Progress) -> str:
        with st.lock:
            wh = st.wh.sibling()
        try:
            with background(wh):  # the server's shutdown interrupts it (store/background.py)
                return render_html(build_report(wh, filters, vendor, progress))
        finally:
            wh.close()

    key = ("report", st.version(), filters.key(), vendor)
    job = runner.submit(key, vendor, len(sections_for(vendor)), build)
    job.what = f"report?{filters.query_string()}"
    return job


@router.get("/report", response_class=HTMLResponse)
def report(request: Request, user: CurrentUser) -> HTMLResponse:
    """The CX report for the filters in the URL and the user's scope (a vendor viewer gets
    their vendor's report): its progress page, at once; the report computes meanwhile."""
    filters = Filters.from_query(dict(request.query_params)).scoped(user)
    vendor = own_vendor(user)
    job = start(state(request), jobs(request), filters, vendor)
    return html(request, "report_progress.html", job=job, user=user,
                sections=sections_for(vendor))


@router.get("/report/jobs/{job_id}/progress", response_class=HTMLResponse)
def progress(request: Request, user: CurrentUser, job_id: str) -> HTMLResponse:
    """The progress fragment the page polls: steps done, then the links or the error. To
    the page's poll, a job that is gone answers with its error and 286, which stops HTMX
    polling (a spinner never outlives its job); to anything else, the usual 404."""
    try:
        job = jobs(request).get(job_id, own_vendor(user))
    except NotFound as exc:
        if request.headers.get("hx-request") != "true":
            raise
        gone = Job(job_id, own_vendor(user), 0, error=exc)
        return html(request, "report_progress_part.html", STOP_POLLING, job=gone, user=user)
    return html(request, "report_progress_part.html", job=job, user=user,
                sections=sections_for(job.scope))


def _finished(request: Request, user: User, job_id: str) -> Job:
    job = jobs(request).get(job_id, own_vendor(user))
    if job.error is not None:
        raise job.error
    if job.html is None:
        raise StillComputing("the report is still being computed "
                             f"({job.done} of {job.total} sections done)",
                             f"wait for it on its progress page (/report/jobs/{job_id}/progress"
                             " shows how far it is), then open it again")
    st = state(request)
    with st.lock:
        audit.record(st.wh, user.username, "export", job.what)
    return job


@router.get("/report/jobs/{job_id}/view", response_class=HTMLResponse)
def view(request: Request, user: CurrentUser, job_id: str) -> HTMLResponse:
    """The finished report as the self-contained HTML that ``cxlens report`` writes."""
    job = _finished(request, user, job_id)
    assert job.html is not None
    return HTMLResponse(job.html, headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/report/jobs/{job_id}/pdf")
def pdf(request: Request, user: CurrentUser, job_id: str) -> Response:
    """The finished report printed to PDF (page numbers on every page), printed once."""
    from cxlens.reports.html import write_pdf

    job = _finished(request, user, job_id)
    with job.pdf_lock:
        if job.pdf is None:
            with tempfile.TemporaryDirectory(prefix="cxlens-report-") as folder:
                source, printed = Path(folder) / "report.html", Path(folder) / "report.pdf"
                source.write_text(job.html or "", encoding="utf-8")
                write_pdf(source, printed, numbered=True)
                job.pdf = printed.read_bytes()
    return Response(job.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="cx-report.pdf"'})


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/report": Source("cxlens.reports.model.build_report", "report_progress.html"),
           "/report/jobs/{job_id}/progress": Source(jobs, "report_progress_part.html"),
           "/report/jobs/{job_id}/view": Source("cxlens.reports.model.build_report",
                                                "report.html")}
