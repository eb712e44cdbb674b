"""Data versions scoped by what changed (issue 18), over HTTP on a real server: a survey run
that only invites leaves the pages that read no invitation cached (the same page object,
so not recomputed, and the same bytes), /surveys shows the new invitations, and an arriving
answer still refreshes the overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.store.base import Warehouse
from cxlens.surveys import config
from cxlens.surveys.run import run
from cxlens.web.app import create_app
from cxlens.web.pages import page_key
from cxlens.web.state import WebState
from tests.surveys.world import build, config_text
from tests.web.conftest import PASSWORD, login
from tests.web.server import Server, running

NOW = dt.datetime.now(dt.UTC)
#: Reads contacts and answers, no invitation (present.registry.READS, checked by
#: tests/present/test_reads.py).
STILL = "touchpoints"


@dataclass
class Site:
    server: Server
    st: WebState


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    wh = store.connect(str(tmp_path_factory.mktemp("fresh") / "f.duckdb"))
    build(wh)  # the survey tests' month of contacts, moved to end now (links valid today)
    shift = NOW - dt.timedelta(days=28) - dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    wh.execute("UPDATE interactions SET created_at = created_at + ?, closed_at = closed_at "
               "+ ?", [shift, shift])
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh, collect_rate=10_000)
    st: WebState = app.state.cxlens
    st.page_wait = 120.0  # a loaded machine: wait for the page rather than "being computed"
    with running(app) as url:
        app.state.surveys.set_config(config.save(wh, config_text(25, url)))
        yield Site(Server(url, wh, app), st)
    wh.close()


def cached(st: WebState, name: str) -> Any:
    key = page_key(name, Filters(), {}, users.User("x", "analyst"))
    hit, page = st.peek((st.version(key), *key))
    return page if hit else None


def figure_n(body: dict[str, Any], metric: str) -> int:
    return int(next(f["n"] for f in body["figures"] if f["metric"] == metric))


def test_an_inviting_run_keeps_other_pages_and_refreshes_surveys(site: Site) -> None:
    assert "survey_invitations" not in (registry.reads(STILL) or {"survey_invitations"})
    wh: Warehouse = site.server.wh
    with closing(login(site.server, "ann")) as client:
        still = client.get(f"/{STILL}")
        assert still.status_code == 200
        kept = cached(site.st, STILL)
        assert kept is not None
        surveys = client.get("/api/pages/surveys").json()
        overview = client.get("/api/pages/overview").json()
        assert wh.scalar("SELECT count(*) FROM survey_invitations") == 0

        messages: list[Any] = []
        ticker = wh.sibling()
        summary = run(ticker, NOW - dt.timedelta(hours=2),
                      deliver=lambda p, m: messages.append(m))
        assert summary.invited > 0

        assert cached(site.st, STILL) is kept  # not recomputed
        again = client.get(f"/{STILL}")
        assert again.content == still.content
        after = client.get("/api/pages/surveys").json()
        assert after != surveys
        assert figure_n(surveys, "response_rate") == 0
        assert figure_n(after, "response_rate") == summary.invited  # every one sent

        # an answer arrives through the collection API: the overview's CSAT counts it
        token = messages[0].link.rsplit("/", 1)[1]
        answered = client.post("/api/v1/responses", json={"token": token, "score": 1})
        assert answered.status_code in (200, 201), answered.text
        run(ticker, NOW - dt.timedelta(hours=1), deliver=lambda p, m: None,
            answers_arrived=True)  # what the server's runner does after answers arrived
        ticker.close()
        refreshed = client.get("/api/pages/overview").json()
        assert refreshed != overview
        assert cached(site.st, STILL) is not kept  # answers change it: recomputed
