"""The themes page with kept themes (cxlens themes track) on a real server over hand-built
comments: the tracked table shows the user's names, merges and pins, its JSON twin is what
``cxlens.text.theme_track.latest`` reads, a rename shows on the next request (the page cache is
keyed by the data version), and at 390 px nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.text import theme_store as ts
from cxlens.text.theme_track import latest, track
from cxlens.web.app import create_app
from tests.text.theme_comments import COLUMNS, month_of_comments
from tests.web.conftest import Server, login
from tests.web.server import PASSWORD, running


def _screenshots(url: str) -> dict[str, int]:
    """/themes in Chromium at 1440 and 390 px (PNGs in test-artifacts/): how far each
    scrolls sideways."""
    from playwright.sync_api import sync_playwright

    from cxlens.reports.html import CHROMIUM_ARGS
    from tests.web.conftest import chromium_path
    from tests.web.test_browser import ARTIFACTS
    from tests.web.test_phone import LAPTOP, PHONE, overflow

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for size, viewport in (("1440", LAPTOP), ("390", PHONE)):
            page = browser.new_context(viewport=viewport).new_page()
            page.goto(f"{url}/login")
            page.fill("input[name=username]", "ann")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/overview**")
            page.goto(f"{url}/themes?from=2026-01-01&to=2026-02-28")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"themes-tracked-{size}.png"), full_page=True)
            out[size] = overflow(page)
        browser.close()
    return out


def test_the_page_shows_the_kept_themes_as_the_user_named_them(tmp_path: Path) -> None:
    wh = store.connect(str(tmp_path / "cx.duckdb"))
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    wh.insert_rows("survey_responses", COLUMNS, month_of_comments(dt.date(2026, 1, 1)))
    first = track(wh, "2026-01-01", "2026-01-31")
    login_id = next(int(t) for t, e in zip(first.themes["theme"], first.themes["examples"],
                                           strict=True) if e[0].startswith("Login is broken"))
    ts.rename(wh, login_id, "Login problems")
    wh.insert_rows("survey_responses", COLUMNS,
                   month_of_comments(dt.date(2026, 2, 1), planted=True, again=True))
    track(wh, "2026-01-01", "2026-02-28")
    want = latest(wh)
    assert want is not None
    app = create_app(wh)
    try:
        with running(app) as url, closing(login(Server(url, wh, app), "ann")) as client:
            query = {"from": "2026-01-01", "to": "2026-02-28"}
            body = client.get("/api/pages/themes", params=query).json()
            got = body["tables"]["tracked"]
            assert [r["theme"] for r in got] == want.themes["theme"].tolist()
            row = next(r for r in got if r["theme"] == login_id)
            assert row["label"] == "Login problems" and row["comments"] == 40
            assert row["sentence"].startswith("Login problems: ")
            assert [r["new"] for r in got].count(True) == 1
            trend = body["tables"]["tracked_trend"]
            assert len(trend) == 7 * 2  # seven kept themes × January, February
            assert any("Kept themes: run 2" in n for n in body["notes"])
            html = client.get("/themes", params=query).text
            assert "Login problems" in html and "Table: tracked" in html
            # a rename is a data change: the cached page is not served again
            ts.rename(wh, login_id, "Cannot sign in")
            again = client.get("/api/pages/themes", params=query).json()
            assert any(r["label"] == "Cannot sign in" for r in again["tables"]["tracked"])
            widths = _screenshots(url)
        assert widths["390"] <= 0, widths
    finally:
        wh.close()
