"""The QA review form shows the conversation's transcript and AutoQA's results on it, labelled
as the machine's (issue 19); readable at 1440 and 390 px without sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from html import unescape
from typing import Any

import pytest
from playwright.sync_api import Browser

from cxlens.qa import machine
from cxlens.store.migrate import bump_data_version
from tests.web.conftest import Server, login
from tests.web.test_browser import ARTIFACTS, Watched, log_in

LABEL = "AutoQA checks (by the machine, not a person's review)"


def lock(server: Server) -> Any:
    return server.app.state.cxlens.lock  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def checked(server: Server) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """AutoQA run on the shared demo server; one conversation whose greeting failed, with its
    turns (speaker, text) read with plain SQL. The machine's rows are removed afterwards."""
    with lock(server):
        machine.run(server.wh)
        (iid,) = server.wh.query(
            "SELECT min(interaction_id) FROM cxlens_autoqa_results WHERE check_id = 'greeting' "
            "AND result = 'fail'")[0]
        turns = [(str(s), str(t)) for s, t in server.wh.query(
            "SELECT speaker, text FROM transcript_turns WHERE interaction_id = ? ORDER BY turn",
            [iid])]
    yield str(iid), turns
    with lock(server):
        server.wh.execute("DELETE FROM cxlens_autoqa_results")
        server.wh.execute("DELETE FROM cxlens_machine_reviews")
        bump_data_version(server.wh)


def test_the_review_form_shows_the_transcript_and_the_machines_checks(
        server: Server, checked: tuple[str, list[tuple[str, str]]]) -> None:
    iid, turns = checked
    assert len(turns) >= 4
    with closing(login(server, "ann")) as ann:
        page = ann.get(f"/qa/review?interaction_id={iid}&scorecard=process_compliance")
    assert page.status_code == 200
    section = page.text.split('id="conversation"', 1)[1].split("</section>", 1)[0]
    assert 'id="no-transcript"' not in section
    transcript = section.split('id="transcript"', 1)[1].split("</ol>", 1)[0]
    where = [unescape(transcript).find(text) for _, text in turns]
    assert -1 not in where and where == sorted(where)  # every turn, in order
    assert transcript.count('class="speaker"') == len(turns)
    assert LABEL in unescape(section)
    checks = unescape(section.split('id="autoqa"', 1)[1].split("</ul>", 1)[0])
    assert "<strong>fail</strong> greeting: none of the phrases in the agent's first 1 turn(s)" \
        in checks
    assert checks.count("<li") == 8  # one line per built-in check


@pytest.mark.parametrize("width", [1440, 390])
def test_the_transcript_fits_the_screen(server: Server, browser: Browser, width: int,
                                        checked: tuple[str, list[tuple[str, str]]]) -> None:
    iid, _ = checked
    context = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(context.new_page(), server)
    try:
        log_in(w, "ann", start="/qa/review")
        w.page.goto(f"{server.url}/qa/review?interaction_id={iid}")
        w.page.locator("#transcript").scroll_into_view_if_needed()
        assert w.page.locator("#transcript li").count() >= 4
        assert w.page.locator("#autoqa li").count() == 8
        sideways = w.page.evaluate(
            "document.scrollingElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"scrolls sideways by {sideways} px at {width} px"
        w.page.locator("#conversation").screenshot(
            path=str(ARTIFACTS / f"qa-review-transcript-{width}.png"))
        w.check()
    finally:
        context.close()
