"""After the data changes, a page keeps answering with the figures computed before, marked as
updating with the time they are from, while its new figures are computed (issue 18): no page
goes blank or answers "being computed" after an import or a sync. Its banner asks the server
every few seconds (a header, 204 while computing) and reloads once the new figures are ready,
which then carry no mark. A page never computed before still answers "being computed"."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from playwright.sync_api import Browser

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.store.migrate import bump_data_version
from cxlens.web.app import create_app
from cxlens.web.pages import FRESH_CHECK
from tests.surveys.world import build
from tests.web.conftest import PASSWORD, login
from tests.web.server import Server, running
from tests.web.test_browser import ARTIFACTS
from tests.web.test_freshness import Site

PAGE = "touchpoints"  # reads contacts and answers


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    wh = store.connect(str(tmp_path_factory.mktemp("updating") / "u.duckdb"))
    build(wh)
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh)
    with running(app) as url:
        yield Site(Server(url, wh, app), app.state.cxlens)
    wh.close()


def change_contacts(wh: store.Warehouse) -> int:
    """What an import of contacts does to the warehouse, on a connection of its own: rows
    change and the contacts' version moves. Returns how many contacts are left."""
    other = wh.sibling()
    try:
        with other.transaction():
            other.execute("DELETE FROM interactions WHERE interaction_id IN (SELECT "
                          "interaction_id FROM interactions ORDER BY interaction_id LIMIT 40)")
            bump_data_version(other, ("interactions",))
        return int(other.scalar("SELECT count(*) FROM interactions"))
    finally:
        other.close()


def until_fresh(client: httpx.Client, path: str, seconds: float = 180.0) -> list[int]:
    """The fresh checks' status codes until the server says to reload."""
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = client.get(path, headers={FRESH_CHECK: "1", "HX-Request": "true"})
        seen.append(answer.status_code)
        if answer.headers.get("HX-Refresh") == "true":
            assert answer.status_code == 200
            return seen
        assert answer.status_code == 204, answer.text
        time.sleep(0.2)
    raise AssertionError(f"no reload within {seconds} s: {seen[-5:]}")


def test_a_changed_page_shows_its_last_figures_marked_until_the_new_ones_are_ready(
        site: Site) -> None:
    with closing(login(site.server, "ann")) as client:
        site.st.page_wait = 120.0  # the first view: wait for it
        first = client.get(f"/api/pages/{PAGE}").json()
        assert first["updating"] is None
        left = change_contacts(site.server.wh)

        site.st.page_wait = 0.0  # from now on, answer at once whatever is ready
        stale = client.get(f"/api/pages/{PAGE}")
        assert stale.status_code == 200
        body = stale.json()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["updating"]["as_of"])
        assert {k: v for k, v in body.items() if k != "updating"} == \
            {k: v for k, v in first.items() if k != "updating"}  # the figures from before
        html = client.get(f"/{PAGE}").text
        assert 'class="updating"' in html and "these figures are from" in html
        assert '<time datetime="' in html  # the moment in the viewer's zone
        assert FRESH_CHECK in html  # the banner asks whether the new figures are ready

        until_fresh(client, f"/{PAGE}")
        fresh = client.get(f"/api/pages/{PAGE}").json()
        assert fresh["updating"] is None
        assert fresh != {**first, "updating": None}  # the new data's figures
        assert 'class="updating"' not in client.get(f"/{PAGE}").text
        assert left == int(site.server.wh.scalar("SELECT count(*) FROM interactions"))


def test_a_page_never_computed_still_answers_being_computed(site: Site) -> None:
    with closing(login(site.server, "ann")) as client:
        site.st.page_wait = 0.0
        answer = client.get("/api/pages/verbatims")
        assert answer.status_code == 202 and answer.json()["status"] == "computing"
        until_fresh(client, "/verbatims")  # its banner-less check says reload once ready
        site.st.page_wait = 120.0
        assert client.get("/api/pages/verbatims").json()["updating"] is None


@pytest.mark.parametrize("width", [390, 1440])
def test_in_a_browser_the_banner_shows_then_the_page_reloads_itself(
        site: Site, browser: Browser, width: int) -> None:
    with closing(login(site.server, "ann")) as client:
        site.st.page_wait = 120.0
        client.get(f"/{PAGE}")
        change_contacts(site.server.wh)
        site.st.page_wait = 0.0
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": k, "value": v, "url": site.server.url}
                             for k, v in client.cookies.items()])
    page = context.new_page()
    page.goto(f"{site.server.url}/{PAGE}")
    banner = page.locator("p.updating")
    assert banner.count() == 1  # the figures from before, marked
    assert "these figures are from" in banner.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"updating-{width}.png"))
    # no click: the banner's check sees the new figures and HTMX reloads the page
    banner.wait_for(state="detached", timeout=120_000)
    assert page.locator("h1").first.inner_text() and page.locator("p.updating").count() == 0
    context.close()
