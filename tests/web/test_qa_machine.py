"""The machine reviewer beside the people on the dashboard (issue 19, AutoQA), over HTTP on a
real server whose warehouse is written by hand (tests/qa/test_machine_beside.py's seed: Acme
a1–a4 scored by the machine pass pass fail fail and by a person pass fail fail fail on the
critical criterion followed_sop; Northwind n1, n2 passed by both, n3 failed by the machine
only). /qa/machine shows per criterion both pass rates, α, κ and the verdict; /qa keeps the
people's scores unless asked to include the machine; coaching shows an agent's failed
checks; a vendor viewer sees their own vendor only, on each; no page scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from html import unescape
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.web.app import create_app
from tests.qa.test_machine_beside import seed
from tests.web.conftest import login
from tests.web.server import PASSWORD, Server, running
from tests.web.test_browser import ARTIFACTS, Watched, log_in


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    wh = store.connect(str(tmp_path_factory.mktemp("qa_machine") / "m.duckdb"))
    seed(wh)
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst")
    users.add(wh, "acme", PASSWORD, "vendor", "Acme BPO")
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


@pytest.fixture
def ann(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "ann")) as client:
        yield client


@pytest.fixture
def acme(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "acme")) as client:
        yield client


def sop(body: dict[str, Any]) -> dict[str, Any]:
    rows = {r["criterion"]: r for r in body["criteria"]}
    return dict(rows["followed_sop"])


def test_the_machine_beside_the_people_for_everyone(ann: httpx.Client) -> None:
    """All six conversations both scored: machine 1 1 0 0 1 1, person 1 0 0 0 1 1.
    Observed 5/6; the machine passes 4/6, the person 3/6, so chance agreement is
    4/6·3/6 + 2/6·3/6 = 1/2 and κ = (5/6 − 1/2) / (1/2) = 2/3."""
    body = ann.get("/api/qa/machine").json()
    assert body["reviewer"] == "machine" and body["filters"]["vendor"] == ""
    row = sop(body)
    assert (row["machine_n"], row["people_n"], row["n_units"]) == (7, 6, 6)
    assert row["machine_rate"] == pytest.approx(4 / 7)
    assert row["people_rate"] == pytest.approx(0.5)
    assert row["kappa"] == pytest.approx(2 / 3)
    assert row["kappa_low"] <= 2 / 3 <= row["kappa_high"]
    assert body["conversations"] == 5  # the conversations with stored check results


def test_a_vendor_viewer_sees_their_own_vendor_only(acme: httpx.Client) -> None:
    body = acme.get("/api/qa/machine", params={"vendor": "Northwind BPO"}).json()
    assert body["filters"]["vendor"] == "Acme BPO"  # whatever the URL asks
    row = sop(body)
    assert (row["machine_n"], row["people_n"], row["n_units"]) == (4, 4, 4)
    assert (row["machine_rate"], row["people_rate"]) == (0.5, 0.25)
    assert row["kappa"] == pytest.approx(0.5)  # tests/qa: checked by hand
    assert row["alpha"] == pytest.approx(8 / 15)
    assert row["trusted"] is False
    page = acme.get("/qa/machine", params={"vendor": "Northwind BPO"})
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Northwind" not in text
    cells = text.split('data-criterion="process_compliance.followed_sop"', 1)[1].split(
        "</tr>", 1)[0]
    assert '<td class="num kappa">0.50' in cells and '<td class="num alpha">0.53' in cells
    assert "not trusted" in cells and ">50 %" in cells and ">25 %" in cells


def test_quality_scores_stay_the_peoples_unless_asked(acme: httpx.Client,
                                                      ann: httpx.Client) -> None:
    """followed_sop is critical, so a review scores 100 or 0. Acme's people: 100, 0, 0, 0
    (mean 25, n 4); with the machine's 100, 100, 0, 0 beside them: mean 37.5, n 8.
    Northwind: people 100, 100; the machine adds 100, 100, 0 (mean 80, n 5)."""
    people = {r["vendor"]: r for r in ann.get("/api/qa").json()["by_vendor"]}
    assert (people["Acme BPO"]["value"], people["Acme BPO"]["n"]) == (25.0, 4)
    both = {r["vendor"]: r for r in ann.get("/api/qa", params={"machine": "true"}).json()[
        "by_vendor"]}
    assert (both["Acme BPO"]["value"], both["Acme BPO"]["n"]) == (37.5, 8)
    assert (both["Northwind BPO"]["value"], both["Northwind BPO"]["n"]) == (80.0, 5)
    theirs = acme.get("/api/qa", params={"machine": "true"}).json()["by_vendor"]
    assert [(r["vendor"], r["value"], r["n"]) for r in theirs] == [("Acme BPO", 37.5, 8)]
    page = acme.get("/qa", params={"machine": "true"})
    assert 'id="with-machine"' in page.text and "Northwind" not in page.text
    assert 'id="with-machine"' not in acme.get("/qa").text


def test_coaching_shows_the_machines_failed_checks(acme: httpx.Client,
                                                   ann: httpx.Client) -> None:
    body = acme.get("/api/qa/coaching", params={"agent_id": "ag-1"}).json()
    assert body["machine"]["checks"] == [{"check_id": "greeting", "n": 4, "fails": 2,
                                          "rate": 0.5}]
    assert [f["interaction_id"] for f in body["machine"]["failed"]] == ["a4", "a3"]
    page = unescape(acme.get("/qa/coaching", params={"agent_id": "ag-1"}).text)
    assert "none of the phrases in a4" in page and "50 %" in page
    other = acme.get("/api/qa/coaching", params={"agent_id": "ag-2"})  # Northwind's agent
    assert other.status_code == 404 and set(other.json()["error"]) == {
        "status", "code", "message", "hint"}
    assert "n3" not in acme.get("/qa/coaching", params={"agent_id": "ag-2"}).text
    theirs = ann.get("/api/qa/coaching", params={"agent_id": "ag-2"}).json()
    assert [f["interaction_id"] for f in theirs["machine"]["failed"]] == ["n3"]


@pytest.mark.parametrize("width", [1440, 390])
def test_the_pages_fit_the_screen(server: Server, browser: Browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(context.new_page(), server)
    try:
        log_in(w, "ann", start="/qa/machine")
        for name, path in (("qa-machine", "/qa/machine"), ("qa-with-machine", "/qa?machine=1"),
                           ("qa-coaching-machine", "/qa/coaching?agent_id=ag-1")):
            w.page.goto(server.url + path)
            sideways = w.page.evaluate(
                "document.scrollingElement.scrollWidth - window.innerWidth")
            assert sideways <= 0, f"{path} scrolls sideways by {sideways} px at {width} px"
            w.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert w.page.locator("#machine-failed tr").count() == 3  # heading + a4, a3
        w.check()
    finally:
        context.close()
