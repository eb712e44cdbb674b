"""The dashboard in a real headless Chromium (Debian's, driven by Playwright): log in, change
a filter and see the figures, chart and table follow, drill down, download a CSV. Every test
asserts that no request leaves the server and that no JavaScript error occurs; screenshots go
to test-artifacts/ (or $CXLENS_ARTIFACTS)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.web.conftest import (
    PASSWORD,
    Server,  # re-exported: other modules import it here
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CXLENS_ARTIFACTS", ROOT / "test-artifacts"))


class Watched:
    """A page whose outgoing requests and JavaScript errors are recorded."""

    def __init__(self, page: Page, server: Server) -> None:
        self.page, self.server = page, server
        self.foreign: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.errors.append(msg.text)
                if msg.type == "error" else None)

    def _request(self, request: object) -> None:
        url = str(getattr(request, "url", ""))
        if not url.startswith((self.server.url, "data:", "blob:", "about:")):
            self.foreign.append(url)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def check(self) -> None:
        assert self.foreign == [], f"requests left localhost: {self.foreign}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"


@pytest.fixture
def watched(browser: Browser, server: Server) -> Iterator[Watched]:
    context = browser.new_context(accept_downloads=True)
    w = Watched(context.new_page(), server)
    yield w
    w.check()
    context.close()


def log_in(w: Watched, username: str = "ann", start: str = "/overview") -> None:
    w.page.goto(w.server.url + start)
    assert "/login" in w.page.url
    w.page.fill("input[name=username]", username)
    w.page.fill("input[name=password]", PASSWORD)
    w.page.click("#login button[type=submit]")
    w.page.wait_for_url(f"**{start}*")


def figure_n(w: Watched, metric: str) -> str:
    return w.page.inner_text(f'.figure[data-metric="{metric}"] .n')


def test_login_then_a_filter_updates_figures_chart_and_table(watched: Watched) -> None:
    w = watched
    log_in(w)
    w.page.wait_for_selector(".vega svg")  # Vega-Lite drew the trend charts
    assert w.page.locator(".vega svg").count() == w.page.locator(".vega").count() >= 3
    before = figure_n(w, "csat")
    first_row = w.page.text_content("#table-trend tbody tr:first-child")
    w.shot("overview")
    w.page.select_option("select[name=channel]", "chat")
    w.page.wait_for_url("**channel=chat*")  # the view is in the URL: shareable
    w.page.wait_for_function(
        f"document.querySelector('.figure[data-metric=\"csat\"] .n').innerText !== {before!r}")
    w.page.wait_for_selector(".vega svg")
    assert figure_n(w, "csat") != before
    # every chart of the new content is drawn (relational NPS has no chat: no trend chart)
    assert w.page.locator(".vega svg").count() == w.page.locator(".vega").count() >= 2
    assert w.page.text_content("#table-trend tbody tr:first-child") != first_row
    w.shot("overview-chat")
    # reloading the shared URL shows the same view
    w.page.reload()
    assert w.page.input_value("select[name=channel]") == "chat"


def test_drill_down_vendor_to_site_to_team(watched: Watched) -> None:
    w = watched
    log_in(w, start="/vendors")
    w.page.wait_for_selector(".vega svg")
    w.page.click(".drill a:text('Acme BPO')")
    w.page.wait_for_url("**vendor=Acme+BPO*level=site*")
    assert "KPIs by site" in w.page.inner_text("h1")
    w.shot("vendors-acme-sites")
    w.page.click(".drill a >> nth=0")
    w.page.wait_for_url("**level=team*")
    assert "KPIs by team" in w.page.inner_text("h1")


def test_drill_down_entries_look_like_links(watched: Watched) -> None:
    """The drill-down entries took the menu's style (dark, not underlined): they read as
    plain words beside "Drill down:". They look as the page's other links do."""
    w = watched
    log_in(w, start="/vendors")
    look = "a => [getComputedStyle(a).color, getComputedStyle(a).textDecorationLine]"
    drill = w.page.eval_on_selector(".drill a", look)
    assert drill == w.page.eval_on_selector(".twin a", look)
    assert drill[1] == "underline"


def test_csv_download(watched: Watched, tmp_path: Path) -> None:
    w = watched
    log_in(w, start="/vendors")
    with w.page.expect_download() as info:
        w.page.click("figcaption a.csv >> nth=0")
    path = tmp_path / "kpis.csv"
    info.value.save_as(path)
    text = path.read_text()
    assert text.splitlines()[0].startswith("vendor,period,metric,value,n,ci_low,ci_high,flag")
    assert "Acme BPO" in text


def test_a_vendor_viewer_has_no_vendor_choice(watched: Watched) -> None:
    w = watched
    log_in(w, "acme")
    options = w.page.locator("select[name=vendor] option").all_inner_texts()
    assert options == ["all", "Acme BPO"]
    assert "Northwind" not in w.page.content()
    w.shot("vendor-viewer")


def test_logout_ends_the_session(watched: Watched) -> None:
    w = watched
    log_in(w)
    w.page.click(".logout button")
    w.page.wait_for_url("**/login")
    w.page.goto(w.server.url + "/overview")
    assert "/login" in w.page.url


@pytest.mark.parametrize("name", ["touchpoints", "journey", "verbatims", "catalogue"])
def test_every_page_renders_without_errors(watched: Watched, name: str) -> None:
    w = watched
    log_in(w, start=f"/{name}")
    assert w.page.locator("h1").count() == 1
    if w.page.locator(".vega").count():
        w.page.wait_for_selector(".vega svg")
        assert w.page.locator(".vega svg").count() == w.page.locator(".vega").count()
    w.shot(name)


def test_open_the_report_from_the_dashboard(watched: Watched, browser: Browser) -> None:
    w = watched
    log_in(w, "acme")
    w.page.context.on("request", w._request)  # the new tab's requests are checked too
    with w.page.context.expect_page() as info:
        w.page.click("nav a:text('Report')")
    progress = info.value
    progress.on("pageerror", lambda exc: w.errors.append(str(exc)))
    progress.on("console", lambda msg: w.errors.append(msg.text)  # a CSP refusal, say
                if msg.type == "error" else None)
    progress.wait_for_selector("#report-progress")
    assert "of 12 sections" in progress.content() or "All 12 sections" in progress.content()
    assert "Vendor Acme BPO only" in progress.content()
    progress.screenshot(path=str(ARTIFACTS / "report-progress-acme.png"))
    # the page polls (HTMX under the app's CSP) until the report is ready, then links it
    progress.wait_for_selector("text=The report is ready", timeout=600_000)
    progress.click("text=Open the report")
    progress.wait_for_url("**/report/jobs/*/view")
    report = progress
    report.wait_for_selector("body[data-charts-ready]", timeout=120_000)
    assert "vendor Acme BPO only" in report.content()
    assert "Northwind" not in report.content()
    assert report.locator(".vega svg").count() == report.locator(".vega").count() >= 5
    report.screenshot(path=str(ARTIFACTS / "report-acme.png"))


def test_the_api_docs_render_from_the_app_itself(watched: Watched) -> None:
    """Swagger UI comes from the app (no CDN) and runs under its CSP: after the login the
    operation list appears, nothing is fetched elsewhere, no CSP violation is reported."""
    w = watched
    log_in(w, start="/api/docs")
    w.page.wait_for_selector(".opblock-summary-path")
    paths = w.page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/query" in paths and "/api/pages/{name}" in paths
    w.shot("api-docs")


def test_no_chart_axis_repeats_a_label(watched: Watched) -> None:
    """The churn calibration chart's percent axis rounded its ticks to whole percent on a 0–7 %
    scale: "0% 0% 1% 1% 1% 2%…" along the bottom. Every axis of the customers page's charts
    (percent, currency, plain) reads each tick once."""
    w = watched
    log_in(w, start="/customers")
    w.page.wait_for_function("document.querySelectorAll('.vega svg').length"
                             " === document.querySelectorAll('.vega').length", timeout=120_000)
    axes = w.page.evaluate("""() => [...document.querySelectorAll('.vega')].flatMap(v =>
      [...v.querySelectorAll('g.role-axis')].map(a => [v.id,
        [...a.querySelectorAll('g.role-axis-label text')].map(t => t.textContent)]))""")
    assert any(chart == "chart-calibration" for chart, _ in axes)
    repeated = {chart: labels for chart, labels in axes if len(set(labels)) < len(labels)}
    assert repeated == {}
