"""The dashboard's report link (/report) answers at once with a progress page, the report is
computed in a background job shared by clicks on the same report, a vendor viewer's job is
their vendor's and nobody else's, and a failing section ends in the error shape, not in an
endless spinner."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.demo import build_demo
from cxlens.web.app import create_app
from cxlens.web.routes.report import REPORT_CSP
from tests.web.conftest import PASSWORD, Server, login
from tests.web.server import running

#: The report's sections for every vendor, and for a vendor (no company-wide ones), as the
#: progress lists them: written out, not read from reports/sections.py.
ALL = ("Executive summary", "What moved it", "Touchpoints", "Customer journey",
       "Vendor scorecard", "Vendors", "Sites",
       "CSAT by ticket type", "Agent leaderboard", "Key drivers of CSAT",
       "Relational NPS by support history", "Initiative impact on CSAT",
       "Customers: lifetime value and churn risk", "Themes in customer comments", "Alerts",
       "Voice of the customer")
VENDOR = ("Executive summary", "What moved it", "Touchpoints", "Customer journey",
          "Vendor scorecard", "Vendors", "Sites", "CSAT by ticket type", "Agent leaderboard", "Key drivers of CSAT", "Alerts",
          "Voice of the customer")
POLL = {"hx-request": "true"}  # what HTMX sends with the page's poll


def job_of(page: str) -> str:
    found = re.search(r'hx-get="/report/jobs/([^/"]+)/progress"', page)
    assert found, page[:2000]
    return found.group(1)


def wait(client: httpx.Client, job: str, seen: list[str] | None = None,
         timeout: float = 600) -> str:
    """Poll the progress fragment as the page does until it stops asking to be polled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        part = client.get(f"/report/jobs/{job}/progress", headers=POLL)
        assert part.status_code == 200, part.text[:500]
        if "hx-trigger" not in part.text:
            return part.text
        if seen is not None:
            seen.append(part.text)
        time.sleep(0.2)
    pytest.fail(f"report job {job} did not finish within {timeout} s")


def jobs_started(server: Server) -> int:
    started: int = server.app.state.report_jobs.started  # type: ignore[attr-defined]
    return started


def test_the_report_link_answers_at_once_with_progress_then_the_report(server: Server) -> None:
    with closing(login(server, "ann")) as ann:
        began = time.monotonic()
        page = ann.get("/report?grain=quarter")
        took = time.monotonic() - began
        assert page.status_code == 200
        assert took < 2.0, f"/report took {took:.2f} s"
        assert 'hx-trigger="every 1s"' in page.text
        assert '<meta http-equiv="refresh" content="3">' in page.text  # without JavaScript
        job = job_of(page.text)
        running_parts: list[str] = []
        done = wait(ann, job, running_parts)
        assert running_parts, "the job finished before the first poll: no progress to check"
        counts = [int(m.group(1)) for p in running_parts
                  if (m := re.search(r"(\d+) of 16 sections done", p))]
        assert counts and counts == sorted(counts), counts  # it only moves forward
        for title in ALL:  # every step listed, the one being computed said
            assert title in running_parts[-1]
        assert "Computing" in running_parts[-1]
        assert "The report is ready" in done and "All 16 sections computed" in done
        assert f"/report/jobs/{job}/view" in done and f"/report/jobs/{job}/pdf" in done
        report = ann.get(f"/report/jobs/{job}/view")
        assert report.status_code == 200
        assert report.headers.get_list("content-security-policy") == [REPORT_CSP]
        for heading in ("Executive summary", "Touchpoints", "Customer journey",
                        "KPIs by vendor", "KPIs by site", "CSAT by ticket type",
                        "Agent leaderboard", "Key drivers of CSAT",
                        "Relational NPS by support history", "Initiative impact on CSAT",
                        "Customers: lifetime value and churn risk",
                        "Themes in customer comments", "Alerts", "Voice of the customer"):
            assert f">{heading}" in report.text, heading
        again = ann.get("/report?grain=quarter")  # finished: cached, no new job
        assert job_of(again.text) if 'hx-get' in again.text else True
        assert f"/report/jobs/{job}/view" in again.text
        pdf = ann.get(f"/report/jobs/{job}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        assert "attachment" in pdf.headers["content-disposition"]


def test_two_clicks_on_one_report_make_one_job(server: Server) -> None:
    """An analyst and an admin (the same scope) asking at once for the same report."""
    before = jobs_started(server)
    pages: list[str] = []
    with closing(login(server, "ann")) as ann, closing(login(server, "admin")) as admin:
        def click(client: httpx.Client) -> None:
            pages.append(client.get("/report?grain=week").text)

        clicks = [threading.Thread(target=click, args=(c,)) for c in (ann, admin)]
        for c in clicks:
            c.start()
        for c in clicks:
            c.join(60)
        assert len(pages) == 2
        assert job_of(pages[0]) == job_of(pages[1])
        assert jobs_started(server) == before + 1
        wait(ann, job_of(pages[0]))
        ann.get("/report?grain=week")  # finished: served from the same job
        assert jobs_started(server) == before + 1


def test_a_vendor_viewer_gets_their_vendor_s_job_and_no_other(server: Server) -> None:
    with closing(login(server, "acme")) as acme, closing(login(server, "north")) as north, \
            closing(login(server, "ann")) as ann:
        page = acme.get("/report")
        assert "Vendor Acme BPO only" in page.text
        for title in ALL:
            assert (title in page.text) == (title in VENDOR), title
        job = job_of(page.text)
        theirs = job_of(north.get("/report").text)
        assert theirs != job
        for client in (north, ann):  # another vendor, and every-vendor scope
            for part in ("progress", "view", "pdf"):
                refused = client.get(f"/report/jobs/{job}/{part}")
                assert refused.status_code == 404, (part, refused.text[:300])
                assert refused.json()["error"]["code"] == "not_found"
                assert "Acme" not in refused.text
        done = wait(acme, job)
        assert "All 12 sections computed" in done
        report = acme.get(f"/report/jobs/{job}/view").text
        assert "vendor Acme BPO only" in report
        assert "Northwind" not in report and "in-house" not in report


def test_a_job_gone_stops_the_page_polling(server: Server) -> None:
    """A job nobody has (a server restarted, an old tab): the poll gets the error and the 286
    that stops HTMX polling; a plain request the usual 404."""
    with closing(login(server, "ann")) as ann:
        poll = ann.get("/report/jobs/job_nope/progress", headers=POLL)
        assert poll.status_code == 286
        assert "no report job" in poll.text and "hx-trigger" not in poll.text
        assert ann.get("/report/jobs/job_nope/progress").status_code == 404


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A small warehouse whose alert table was replaced by something else (a view without
    its columns): the report's alerts section fails with an error nobody foresaw."""
    path = Path(tmp_path_factory.mktemp("broken")) / "b.duckdb"
    wh = store.connect(str(path))
    build_demo(wh, scale=0.005, seed=5)
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh)
    wh.execute("DROP TABLE IF EXISTS cxlens_alerts")
    wh.execute("CREATE VIEW cxlens_alerts AS SELECT 1 AS nothing")
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


def test_a_failing_section_ends_in_the_error_shape(broken: Server) -> None:
    with closing(login(broken, "ann")) as ann:
        job = job_of(ann.get("/report").text)
        done = wait(ann, job)
        found = re.search(r"the report could not be computed \(reference ([0-9a-f]{12})\)",
                          done)
        assert found, done
        assert "The report could not be made" in done and "Try again" in done
        view = ann.get(f"/report/jobs/{job}/view")
        assert view.status_code == 500
        error = view.json()["error"]
        assert error["code"] == "internal_error"
        assert found.group(1) in error["message"] and found.group(1) in error["hint"]
        assert "cxlens_alerts" not in view.text and "Binder" not in view.text  # no internals
        again = job_of(ann.get("/report").text)  # a failed job is not served again: retried
        assert again != job
