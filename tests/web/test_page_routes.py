"""Every page has its own explicit route in its area module (web/routes/): no route catches
another's URL, so the order in which app.py includes the routers does not matter, every page
answers whatever the order, and an unknown path is the app's one 404 shape."""

from __future__ import annotations

import random
import re
from contextlib import closing

import httpx
from fastapi.routing import iter_route_contexts

from cxlens.present import registry
from cxlens.web.app import create_app
from cxlens.web.routes import operations, performance, vendors, voice
from tests.web.conftest import login
from tests.web.server import Server, running
from tests.web.test_api import error_shape


def _get_routes(app: object) -> list[tuple[str, re.Pattern[str]]]:
    return [(r.path, r.path_regex) for r in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
            if r.path and r.methods and "GET" in r.methods]


def test_no_get_route_catches_another_routes_url(server: Server) -> None:
    """Each GET route's URL (path parameters filled with a word) is matched by that route
    only: what makes the include order irrelevant (a ``/{name}`` catch-all matched ``/qa``,
    ``/cases`` ... and had to be included last)."""
    routes = _get_routes(server.app)
    assert len(routes) > 40
    for path, _ in routes:
        url = re.sub(r"\{[^}]+\}", "x1", path)
        matching = [other for other, regex in routes if regex.match(url)]
        assert matching == [path], f"{url} is matched by {matching}"


def test_each_page_model_page_is_named_by_one_area_module() -> None:
    named = [*performance.PAGES, *vendors.PAGES, *voice.PAGES, *operations.PAGES]
    assert sorted(named) == sorted(registry.PAGES)  # each once, none left to a catch-all
    assert "vendors" in vendors.PAGES and "loop" in operations.PAGES
    assert "overview" in performance.PAGES and "verbatims" in voice.PAGES


def test_every_page_answers_with_the_routers_in_another_order(server: Server) -> None:
    """The app with its routes in a shuffled order (as if app.py included the routers in
    another order): every page of the menu, page model or bespoke, answers 200, and
    ``/nosuchpage`` is the 404 error shape."""
    app = create_app(server.wh)
    head, *rest = app.router.routes  # /static first: it is a mount, not a router
    random.Random(17).shuffle(rest)
    app.router.routes[:] = [head, *reversed(rest)]
    agent = str(server.wh.scalar("SELECT min(agent_id) FROM interactions"))
    urls = [f"/{name}" for name in registry.PAGES if name != "agent"] + [f"/agent?agent_id={agent}",
        "/qa", "/qa/calibration", "/qa/disputes", "/qa/coaching", "/qa/machine", "/contracts",
        "/statement",
        "/contracts/compare", "/cases", "/programmes", "/alerts", "/admin/users",
        "/admin/settings", "/account/password", "/api/docs"]
    with running(app) as url:
        with closing(httpx.Client(base_url=url, timeout=120)) as anonymous:
            assert anonymous.get("/login").status_code == 200
            assert error_shape(anonymous.get("/nosuchpage"), 404, "not_found")
        admin = login(Server(url, server.wh, app), "admin")
        with closing(admin):
            for path in urls:
                response = admin.get(path)
                assert response.status_code == 200, (path, response.text[:300])
            err = error_shape(admin.get("/nosuchpage"), 404, "not_found")
            assert err["message"] == "no page at /nosuchpage."
            err = error_shape(admin.get("/overveiw"), 404, "not_found")
            assert err["message"] == 'no page at /overveiw. Did you mean "/overview"?'
            page = admin.get("/nosuchpage", headers={"accept": "text/html"})
            assert page.status_code == 404 and "no page at /nosuchpage." in page.text
