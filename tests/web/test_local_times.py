"""Issue 17: timestamps in the viewer's time zone. A case page writes its moments as
<time datetime="…Z"> with a UTC text; static/localtime.js (same-origin, as the CSP allows)
rewrites them with Intl.DateTimeFormat in the browser's zone. Real Chromium with Playwright's
``timezone_id``: New York and Manila read different clocks for the same moment; without
JavaScript the text says "UTC"."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser

from tests.web.conftest import PASSWORD, Server
from tests.web.test_browser import ARTIFACTS, Watched, log_in


@pytest.fixture(scope="module")
def case_path(server: Server) -> str:
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        case = server.wh.query("SELECT min(case_id) FROM followup_cases")[0][0]
    return f"/cases/{case}"


def _opened(browser: Browser, server: Server, path: str, **options: object) -> tuple[str, str]:
    """(datetime attribute, shown text) of the case's "Opened" moment."""
    context = browser.new_context(**options)  # type: ignore[arg-type]
    w = Watched(context.new_page(), server)
    log_in(w, "admin", start=path)
    opened = w.page.locator("dt:text('Opened') + dd time")
    out = (str(opened.get_attribute("datetime")), opened.inner_text())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    zone = str(options.get("timezone_id", "no-js")).replace("/", "-")
    w.page.screenshot(path=str(ARTIFACTS / f"local-time-case-{zone}.png"))
    w.check()
    context.close()
    return out


def _local(iso: str, zone: str) -> dt.datetime:
    return dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.UTC).astimezone(ZoneInfo(zone))


def test_the_same_moment_reads_in_each_viewers_zone(browser: Browser, server: Server,
                                                    case_path: str) -> None:
    iso, new_york = _opened(browser, server, case_path, timezone_id="America/New_York",
                            locale="en-US")
    same, manila = _opened(browser, server, case_path, timezone_id="Asia/Manila",
                           locale="en-US")
    assert iso == same and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", iso)
    assert new_york != manila
    for text, zone, name in ((new_york, "America/New_York", ("EST", "EDT")),
                             (manila, "Asia/Manila", ("GMT+8",))):
        local = _local(iso, zone)
        assert f"{local:%H:%M}" in text, (text, local)
        assert f"{local.day}" in text and any(n in text for n in name), text
        assert "UTC" not in text


def test_without_javascript_the_time_says_utc(browser: Browser, server: Server,
                                              case_path: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + case_path)
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_url(f"**{case_path}")
    opened = page.locator("dt:text('Opened') + dd time")
    iso = str(opened.get_attribute("datetime"))
    assert opened.inner_text() == f"{iso[:10]} {iso[11:16]} UTC"
    context.close()
