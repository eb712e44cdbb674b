"""The machine beside a calibration session's reviewers (issue 19), over HTTP on a real server:
AutoQA run for real on tests/qa/test_machine.py's transcripts (good, bad, email, chat; silent
has none), a communication_quality session on all five scored by ann and bob. The machine is
a column of the progress grid and a table of its own, compared with the people's consensus,
never counted in the people's α; with no AutoQA run the page is as before.

AutoQA's pass/fail on these transcripts (tests/qa/test_autoqa.py, worked out by reading the
turns): tone good P, bad F, chat P, email P; empathy good P, the rest F.
The people (1–5, a pass is 4 or 5: above the middle, 3):

=========  ======  ======  ===========  =======  ======  ===========
unit       tone                         empathy
---------  ---------------------------  ----------------------------
           ann     bob     consensus    ann      bob     consensus
=========  ======  ======  ===========  =======  ======  ===========
good       5       5       100 → P      5        4       87.5 → P
bad        1       2       12.5 → F     1        1       0 → F
chat       4       5       87.5 → P     2        3       37.5 → F
email      2       3       37.5 → F     3        3       50 → F (not above)
silent     4       4       (no machine) 4        4       (no machine)
=========  ======  ======  ===========  =======  ======  ===========

Tone, machine P F P P against consensus P F P F on 4 interactions: same verdict 3/4; the
machine passes 3/4, the people 2/4, so 25 points more often. κ = (3/4 − 1/2) / (1 − 1/2) =
0.5 (chance 3/4·2/4 + 1/4·2/4 = 1/2). α (nominal, 2 raters): coincidences o(P,P) = 4,
o(F,F) = 2, o(P,F) = o(F,P) = 1, n_P = 5, n_F = 3, n = 8: α = 1 − 7·2 / (2·5·3) = 8/15, below
two thirds: not trusted. Empathy: the same verdict on all 4: α = κ = 1, trusted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing
from html import unescape
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.qa import machine, sessions
from cxlens.web.app import create_app
from tests.qa.test_machine import NOW
from tests.qa.test_machine import seed as transcripts
from tests.web.conftest import login
from tests.web.server import PASSWORD, Server, running
from tests.web.test_browser import ARTIFACTS, Watched, log_in

UNITS = ("good", "bad", "chat", "email", "silent")
#: (tone, empathy) per unit for ann and bob; the other criteria as the machine scored them
PEOPLE = {"ann": {"good": (5, 5), "bad": (1, 1), "chat": (4, 2), "email": (2, 3),
                  "silent": (4, 4)},
          "bob": {"good": (5, 4), "bad": (2, 1), "chat": (5, 3), "email": (3, 3),
                  "silent": (4, 4)}}
OTHERS = {"good": (5, 5, 5), "bad": (1, 1, 1), "chat": (1, 5, "na"), "email": (1, 1, "na"),
          "silent": (3, 3, "na")}  # proactive_guidance, clarity, policy_denial_handling


def scores(who: str, iid: str) -> dict[str, Any]:
    tone, empathy = PEOPLE[who][iid]
    guidance, clarity, policy = OTHERS[iid]
    return {"tone": tone, "empathy": empathy, "proactive_guidance": guidance,
            "clarity": clarity, "policy_denial_handling": policy}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    wh = store.connect(str(tmp_path_factory.mktemp("qa_session_machine") / "s.duckdb"))
    transcripts(wh)
    accounts.ensure(wh)
    for name in ("ann", "bob"):
        users.add(wh, name, PASSWORD, "analyst")
    at = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
    for name in ("With the machine", "Before AutoQA"):
        s = sessions.create(wh, name, "communication_quality",
                            UNITS if name != "Before AutoQA" else ("silent",),
                            ["ann", "bob"], "ann", now=at)
        for who in ("ann", "bob"):
            for iid in s.interaction_ids:
                sessions.record(wh, s.session_id, who, iid, scores(who, iid), now=at)
    machine.run(wh, now=NOW)  # AutoQA for real: the machine reviews the four transcripts
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


def session_id(server: Server, name: str) -> str:
    return next(s.session_id for s in sessions.listing(server.wh) if s.name == name)


@pytest.fixture
def ann(server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, "ann")) as client:
        yield client


def test_the_machine_beside_the_reviewers_in_json(server: Server, ann: httpx.Client) -> None:
    body = ann.get(f"/api/qa/calibration/{session_id(server, 'With the machine')}").json()
    beside = body["machine"]
    assert beside["reviewer"] == "machine"
    assert beside["scored"] == ["bad", "chat", "email", "good"]  # silent has no transcript
    rows = {r["criterion"]: r for r in beside["agreement"]}
    assert list(rows) == ["empathy", "policy_denial_handling", "clarity",
                          "proactive_guidance", "tone"]  # the checks' order, this scorecard only
    tone = rows["tone"]
    assert (tone["checks"], tone["n_units"]) == ("end_sentiment", 4)
    assert tone["same_pass"] == pytest.approx(0.75)
    assert tone["deviation"] == pytest.approx(25.0)
    assert tone["kappa"] == pytest.approx(0.5)
    assert tone["alpha"] == pytest.approx(8 / 15)
    assert (tone["label"], tone["trusted"]) == ("unreliable", False)
    empathy = rows["empathy"]
    assert (empathy["alpha"], empathy["kappa"], empathy["n_units"]) == (1.0, 1.0, 4)
    assert (empathy["same_pass"], empathy["deviation"], empathy["trusted"]) == (1.0, 0.0, True)
    # the people's α and deviations stay theirs: 5 interactions × 2 people, no machine
    people = {r["criterion"]: r for r in body["reliability"]}
    assert (people["tone"]["n_units"], people["tone"]["n_ratings"]) == (5, 10)
    assert {r["reviewer"] for r in body["reviewers"]} == {"ann", "bob"}


def test_the_page_shows_the_machine_marked_as_such(server: Server, ann: httpx.Client) -> None:
    page = ann.get(f"/qa/calibration/{session_id(server, 'With the machine')}")
    assert page.status_code == 200
    text = unescape(page.text)
    assert '<th class="machine">machine <span class="muted">(AutoQA)</span></th>' in text
    assert '<th class="machine">4 / 5</th>' in text
    assert "it is not counted in the α and deviations above" in text
    tone = text.split('<tr class="machine" data-criterion="tone">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num alpha">0.53' in tone and '<td class="num kappa">0.50' in tone
    assert '<td class="num same">75 %' in tone and '<td class="num deviation">+25' in tone
    assert "not trusted" in tone
    empathy = text.split('<tr class="machine" data-criterion="empathy">', 1)[1].split(
        "</tr>", 1)[0]
    assert ">trusted<" in empathy and "not trusted" not in empathy


def test_a_session_the_machine_did_not_review_is_as_before(server: Server,
                                                           ann: httpx.Client) -> None:
    sid = session_id(server, "Before AutoQA")
    assert ann.get(f"/api/qa/calibration/{sid}").json()["machine"] is None
    text = ann.get(f"/qa/calibration/{sid}").text
    assert 'id="machine-agreement"' not in text and 'class="machine"' not in text


@pytest.mark.parametrize("width", [1440, 390])
def test_the_session_page_fits_the_screen(server: Server, browser: Browser,
                                          width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(context.new_page(), server)
    try:
        path = f"/qa/calibration/{session_id(server, 'With the machine')}"
        log_in(w, "ann", start=path)
        w.page.goto(server.url + path)
        sideways = w.page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"{path} scrolls sideways by {sideways} px at {width} px"
        assert w.page.locator("#machine-agreement tbody tr").count() == 5
        w.page.screenshot(path=str(ARTIFACTS / f"qa-session-machine-{width}.png"),
                          full_page=True)
        w.check()
    finally:
        context.close()
