"""The scheduled sync inside the dashboard: a Zendesk-shaped and a Freshdesk-shaped local API
synced while the server runs (its lifespan starts the sync), the figures refreshed without a
restart, and /admin/sync showing the runs, cursors and next run."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.connectors.accounts import Account
from cxlens.connectors.http import Policy
from cxlens.connectors.schedule import Schedule
from cxlens.web.app import create_app
from cxlens.web.proxies import server_config
from tests.connectors import freshdesk_data as fd
from tests.connectors import zendesk_data as zd
from tests.web.conftest import csrf_of
from tests.web.server import PASSWORD, free_port

QUERY = "/api/query?metrics=resolution_rate&grain=month&from=2026-05-01&to=2026-05-31"


@contextmanager
def serving(app: object) -> Iterator[str]:
    """The app with its lifespan on (as ``cxlens serve`` runs it), so the sync thread runs."""
    port = free_port()
    srv = uvicorn.Server(server_config(app, host="127.0.0.1", port=port, lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(30)


def admin_client(url: str, username: str = "boss") -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/login")
    done = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": csrf_of(form.text), "next": "/overview"})
    assert done.status_code == 303
    return client


def wait_for(check: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _screenshots(url: str) -> dict[str, int]:
    """/admin/sync in Chromium at 1440 and 390 px (PNGs in test-artifacts/): how far each
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
            page.fill("input[name=username]", "boss")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/overview**")
            page.goto(f"{url}/admin/sync")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"admin-sync-{size}.png"), full_page=True)
            out[size] = overflow(page)
        browser.close()
    return out


def test_the_server_syncs_both_helpdesks_and_pages_refresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXLENS_ZENDESK_TOKEN", zd.TOKEN)
    monkeypatch.setenv("CXLENS_FRESHDESK_TOKEN", fd.API_KEY)
    wh = store.connect(str(tmp_path / "cx.duckdb"))
    accounts.ensure(wh)
    users.add(wh, "boss", PASSWORD, "admin", None)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    zen, fresh = zd.account(), fd.account()
    fast = Policy(attempts=3, backoff=0.01)
    with zen.running() as zurl, fresh.running() as furl:
        schedule = Schedule([Account("zendesk", zurl, email=zd.EMAIL, policy=fast),
                             Account("freshdesk", furl, policy=fast)],
                            dt.timedelta(minutes=30))
        # hold the first Zendesk page until the dashboard has answered once, empty
        zen.fault("/api/v2/incremental/tickets/cursor.json", ("hold",))
        app = create_app(wh, sync=schedule)
        with serving(app) as url, closing(admin_client(url)) as client:
            assert zen.held.wait(30)
            before = client.get(QUERY).json()
            zen.release()
            wait_for(lambda: wh.scalar("SELECT count(*) FROM sync_runs") == 2)
            after = client.get(QUERY).json()
            page = client.get("/admin/sync")
            with closing(admin_client(url, "ann")) as analyst:
                refused = analyst.get("/admin/sync", headers={"Accept": "application/json"})
            widths = _screenshots(url)
    wh.close()
    assert widths == {"1440": 0, "390": 0}  # no sideways scroll
    assert before["rows"] == []
    # 101, 103, 201, 203 resolved; 102, 202 not: 4 of 6 (tickets 104 and 204 quarantined)
    assert [(r["value"], r["n"]) for r in after["rows"]] == [(pytest.approx(400 / 6), 6)]  # percent
    assert page.status_code == 200
    assert refused.status_code == 403  # admins only
    text = page.text
    assert "This server syncs every 30 minutes" in text
    assert "<strong>zendesk</strong>" in text and "<strong>freshdesk</strong>" in text
    assert text.count("<td>ok</td>") == 2
    assert 'id="cursors"' in text and "2026-05-05T12:10:00Z" in text
