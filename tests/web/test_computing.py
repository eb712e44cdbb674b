"""A page nothing has cached is computed off the request lock: while every background slot is
busy a request answers at once with "being computed" (HTML that reloads itself, or 202 JSON
with Retry-After), other requests are answered meanwhile, two requests share one computation,
and the page opens by itself with the figures a direct build gives."""

from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path

import httpx

from cxlens import accounts
from cxlens.accounts import users
from cxlens.accounts.users import User
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx, as_json
from cxlens.web.app import create_app
from cxlens.web.computing import SLOTS
from tests.insights.test_moved import HAND, world
from tests.web.conftest import login
from tests.web.server import PASSWORD, Server, running


def _ready(client: httpx.Client, path: str, seconds: float = 120) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        r = client.get(path)
        if r.status_code != 202:
            return r
        assert time.monotonic() < deadline, f"{path} still being computed after {seconds} s"
        time.sleep(float(r.headers["retry-after"]))


def test_a_page_being_computed_answers_at_once_and_opens_when_ready(tmp_path: Path) -> None:
    wh = world(tmp_path, HAND)
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh)
    with running(app) as url, closing(login(Server(url, wh, app), "ann")) as client:
        st = app.state.cxlens
        st.page_wait = 0.5
        for _ in range(SLOTS):  # every background slot busy: the page cannot start yet
            st.computing.slots.acquire()
        try:
            t0 = time.monotonic()
            page = client.get("/overview", headers={"accept": "text/html"})
            took = time.monotonic() - t0
            assert page.status_code == 202 and took < 2.0, (page.status_code, took)
            assert page.headers["retry-after"] == "1"  # a young computation: ask again soon
            assert "Overview is being computed" in page.text
            assert '<meta http-equiv="refresh" content="1">' in page.text
            twin = client.get("/api/pages/overview")
            assert twin.status_code == 202
            assert twin.json()["status"] == "computing" and twin.json()["page"] == "overview"
            assert client.get("/api/health").status_code == 200  # others are answered
            assert client.get("/catalogue", headers={"accept": "text/html"}).status_code == 202
        finally:
            for _ in range(SLOTS):
                st.computing.slots.release()
        ready = _ready(client, "/api/pages/overview")
        assert ready.status_code == 200
        html = _ready(client, "/overview")
        assert html.status_code == 200 and "being computed" not in html.text
    # the HTML and the JSON twin asked while waiting shared one computation
    kept = [k for k in st._cache if k[1:3] == ("page", "overview")]
    assert len(kept) == 1
    direct = as_json(registry.build("overview", PageCtx(wh, User("ann", "analyst"), Filters())))
    assert ready.json()["figures"] == direct["figures"]
    wh.close()


def test_an_error_in_the_background_reaches_the_request_in_the_error_shape(
        tmp_path: Path) -> None:
    """Key drivers refuse an outcome they do not know: the refusal is raised in the
    background thread and answered as the one error shape, not as a 500."""
    wh = world(tmp_path, HAND)
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh)
    with running(app) as url, closing(login(Server(url, wh, app), "ann")) as client:
        r = client.get("/api/pages/drivers?outcome=galaxy")
    assert r.status_code == 404, r.text[:300]
    assert set(r.json()["error"]) == {"status", "code", "message", "hint"}
    assert "no outcome 'galaxy'" in r.json()["error"]["message"]
    wh.close()
