"""Issue 17, phone: at 390 px no dashboard page scrolls sideways and the grouped menu starts
collapsed behind a "Menu" button (a <details>, so it works without JavaScript); at 1440 px the
same pages have no horizontal overflow either, and at both widths each page's JSON link has its
line to itself. Real headless Chromium, every page of the menu, as an admin and as a vendor
viewer (who is not offered the company-wide pages)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from cxlens.web.pages import COMPANY_WIDE, NAV
from tests.web.conftest import Server
from tests.web.test_browser import ARTIFACTS, Watched, log_in

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}
GROUPS = ["Performance", "Vendors", "Voice of the customer", "Operations"]


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    return int(page.evaluate(
        "document.scrollingElement.scrollWidth - window.innerWidth"))


def settle(page: Page) -> None:
    """Wait until every chart of the page is drawn (they set their width when drawn)."""
    if page.locator(".vega").count():
        page.wait_for_function("document.querySelectorAll('.vega svg').length"
                               " === document.querySelectorAll('.vega').length",
                               timeout=120_000)


def json_link_alone(page: Page) -> bool:
    """The page's JSON link (``.twin``) has its line to itself: neither the element before
    it nor the one after shares its height (floated, it sat beside the first finding with no
    gap, "…ranks customers JSON", and narrowed the first chart beside it)."""
    return bool(page.evaluate("""() => {
      const t = document.querySelector('.twin');
      if (!t) return true;
      const r = t.getBoundingClientRect();
      for (const el of [t.previousElementSibling, t.nextElementSibling]) {
        if (!el) continue;
        const e = el.getBoundingClientRect();
        if (e.height && e.top < r.bottom - 1 && e.bottom > r.top + 1) return false;
      }
      return true;
    }"""))


def check_menu(page: Page, groups: list[str]) -> None:
    menu = page.locator("header details.menu")
    assert menu.count() == 1
    assert menu.evaluate("d => d.open") is False, "the menu starts collapsed on a phone"
    assert not page.locator("header .group-name").nth(2).is_visible()
    names = page.locator("header .group-name")
    assert names.all_text_contents() == groups


@pytest.mark.parametrize("username", ["admin", "acme"])
def test_no_page_scrolls_sideways_and_the_menu_collapses(browser: Browser, server: Server,
                                                         username: str) -> None:
    context = browser.new_context(viewport=PHONE)
    w = Watched(context.new_page(), server)
    pages = [n for n, _ in NAV if not (username == "acme" and n in COMPANY_WIDE)]
    groups = GROUPS + (["Admin"] if username == "admin" else [])
    wide: dict[str, int] = {}
    beside: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_in(w, username, start=f"/{pages[0]}")
    for name in pages:
        w.page.set_viewport_size(PHONE)
        w.page.goto(f"{server.url}/{name}")
        settle(w.page)
        check_menu(w.page, groups)
        if overflow(w.page) > 1:
            wide[f"{name} at 390 px"] = overflow(w.page)
        if not json_link_alone(w.page):
            beside.append(f"{name} at 390 px")
        w.page.screenshot(path=str(ARTIFACTS / f"phone-{username}-{name}.png"))
        w.page.set_viewport_size(LAPTOP)
        w.page.wait_for_timeout(100)  # charts sized to their container follow the resize
        if overflow(w.page) > 1:
            wide[f"{name} at 1440 px"] = overflow(w.page)
        if not json_link_alone(w.page):
            beside.append(f"{name} at 1440 px")
    assert wide == {}, f"pages wider than the window (px too wide): {wide}"
    assert beside == [], f"the JSON link shares its line with the page's text: {beside}"
    w.check()
    context.close()


def test_the_menu_opens_by_keyboard_and_shows_its_groups(browser: Browser,
                                                         server: Server) -> None:
    context = browser.new_context(viewport=PHONE)
    w = Watched(context.new_page(), server)
    log_in(w, "admin")
    settle(w.page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    w.page.screenshot(path=str(ARTIFACTS / "phone-overview-menu-closed.png"))
    summary = w.page.locator("header details.menu > summary")
    assert summary.inner_text() == "Menu"
    summary.focus()
    w.page.keyboard.press("Enter")
    assert w.page.locator("header details.menu").evaluate("d => d.open") is True
    for group in [*GROUPS, "Admin"]:
        assert w.page.locator("header .group-name").get_by_text(group, exact=True).is_visible()
    assert w.page.locator("header a[href='/vendors']").is_visible()
    assert overflow(w.page) <= 1
    w.page.screenshot(path=str(ARTIFACTS / "phone-overview-menu-open.png"))
    w.page.keyboard.press("Enter")  # the same key closes it again
    assert w.page.locator("header details.menu").evaluate("d => d.open") is False
    w.check()
    context.close()


def test_on_a_laptop_the_menu_shows_every_group_without_a_click(browser: Browser,
                                                                server: Server) -> None:
    context = browser.new_context(viewport=LAPTOP)
    w = Watched(context.new_page(), server)
    log_in(w, "acme")
    assert not w.page.locator("header details.menu > summary").is_visible()
    for group in GROUPS:
        assert w.page.locator("header .group-name").get_by_text(group, exact=True).is_visible()
    assert w.page.locator("header a[href='/contracts']").is_visible()
    assert w.page.locator("header a[href='/themes']").count() == 0  # company-wide: hidden
    w.page.screenshot(path=str(ARTIFACTS / "laptop-overview-menu.png"))
    w.check()
    context.close()


def test_short_cells_keep_to_one_line_on_a_phone(browser: Browser, server: Server) -> None:
    """At 390 px a table's short cells wrapped at their spaces and hyphens: "2025-" over
    "10-01", "A-" "BOG-" "0001" over three lines, "58.6" over "%". A figure, a date or an id
    keeps to one line (the table scrolls inside itself); long text still wraps."""
    context = browser.new_context(viewport=PHONE)
    w = Watched(context.new_page(), server)
    log_in(w, "admin", start="/touchpoints")
    broken: dict[str, list[str]] = {}
    for name in ("touchpoints", "overview", "drivers"):
        w.page.goto(f"{server.url}/{name}")
        w.page.evaluate("document.querySelectorAll('details.table').forEach(d => d.open = true)")
        lines = w.page.evaluate("""() => [...document.querySelectorAll('details.table td')]
          .filter(td => td.innerText.trim().length <= 16).map(td => {
            const r = document.createRange(); r.selectNodeContents(td);
            return [td.innerText.trim(),
                    new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; })""")
        assert len(lines) > 20, name
        broken[name] = sorted({text for text, n in lines if n > 1})
    assert broken == {"touchpoints": [], "overview": [], "drivers": []}
    w.check()
    context.close()
