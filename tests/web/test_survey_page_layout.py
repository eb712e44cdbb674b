"""The hosted survey page on a phone, in a real Chromium with JavaScript off: a numeric scale
(0–10 NPS, 1–5 CSAT, 1–7 CES, a follow-up's scale question) is one row of tappable targets
at 390 and 320 px, the page never scrolls sideways, and the end labels the programme defines
are both visible and the radio group's description, so a screen reader announces them with
the group (and with the end radio each one belongs to)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cxlens.present.render import env
from cxlens.surveys import tokens
from cxlens.web.routes.collect import _words
from tests.web.server import Server
from tests.web.test_browser import Watched
from tests.web.test_surveys import NOW, Site, _token, links, site

__all__ = ["site"]

# programme, question, scores shown, end labels (from src/cxlens/surveys/example.yaml)
SCALES = [
    ("relational-nps", "How likely are you to recommend Acme to a friend or colleague?",
     [str(s) for s in range(11)], "Not at all likely", "Extremely likely"),
    ("support-csat", "How satisfied are you with the help you received?",
     ["1", "2", "3", "4", "5"], "Very dissatisfied", "Very satisfied"),
    ("onboarding-ces", "Acme made it easy to get started.",
     ["1", "2", "3", "4", "5", "6", "7"], "", ""),
]
MEASURE = """() => {
  const boxes = [...document.querySelectorAll('input[name=score]')].map(i => {
    const b = i.closest('label').getBoundingClientRect();
    const t = i.getBoundingClientRect();
    return {top: b.top, width: b.width, height: b.height, tw: t.width, th: t.height};
  });
  return {boxes, scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth};
}"""


def _link(site: Site, programme: str) -> str:
    """An unanswered invitation's link. The test world's month sends no onboarding-ces
    invitation, so one is made as the runner would: an NPS invitation's row copied under a
    new id and that programme, with a signed link."""
    if programme != "onboarding-ces":
        return links(site, programme)[0]
    inv = "inv_layoutces"
    if not site.wh.scalar("SELECT count(*) FROM survey_invitations WHERE invitation_id = ?",
                          [inv]):
        site.wh.execute("INSERT INTO survey_invitations SELECT * REPLACE (? AS invitation_id, "
                        "'onboarding-ces' AS programme, 'ces' AS survey) FROM "
                        "survey_invitations WHERE invitation_id = ?",
                        [inv, _token(links(site, "relational-nps")[0]).split(".")[0]])
    token = tokens.make(site.app.state.surveys.secret, inv, NOW + dt.timedelta(days=7))
    return f"{site.url}/s/{token}"


def _open(browser: Browser, site: Site, programme: str, width: int) -> tuple[Page, Watched]:
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": width, "height": 700})
    page = context.new_page()
    watched = Watched(page, Server(site.url, site.wh, site.app))
    page.goto(_link(site, programme))  # a GET records nothing: the link stays unused
    return page, watched


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize(("programme", "question", "scores", "low", "high"), SCALES,
                         ids=["nps", "csat", "ces"])
def test_the_scale_is_one_row_of_tappable_targets(site: Site, browser: Browser, width: int,
                                                   programme: str, question: str,
                                                   scores: list[str], low: str,
                                                   high: str) -> None:
    page, watched = _open(browser, site, programme, width)
    got: dict[str, Any] = page.evaluate(MEASURE)
    boxes = got["boxes"]
    assert len(boxes) == len(scores)
    assert {round(b["top"]) for b in boxes} == {round(boxes[0]["top"])}, "the scale wraps"
    assert got["scroll"] <= got["inner"] == width, "the page scrolls sideways"
    for b in boxes:  # WCAG 2.5.8: a target of at least 24 x 24 CSS px; the radio fills it
        assert b["width"] >= 24 and b["height"] >= 24, b
        assert (b["tw"], b["th"]) == (b["width"], b["height"]), b
    watched.shot(f"survey-{programme}-{width}")
    watched.check()
    page.context.close()


@pytest.mark.parametrize(("programme", "question", "scores", "low", "high"), SCALES[:2],
                         ids=["nps", "csat"])
def test_the_end_labels_describe_the_radio_group(site: Site, browser: Browser, programme: str,
                                                  question: str, scores: list[str], low: str,
                                                  high: str) -> None:
    page, watched = _open(browser, site, programme, 390)
    group = page.get_by_role("group", name=question)
    expect(group).to_have_accessible_description(
        f"{scores[0]} = {low} {scores[-1]} = {high}")
    expect(group.get_by_role("radio")).to_have_count(len(scores))
    # the end radios carry their own label, so moving onto them announces it
    expect(group.get_by_role("radio", name=scores[0], exact=True)
           ).to_have_accessible_description(low)
    expect(group.get_by_role("radio", name=scores[-1], exact=True)
           ).to_have_accessible_description(high)
    expect(group.get_by_role("radio", name=scores[1], exact=True)
           ).to_have_accessible_description("")
    # and both are on screen, the low one at the left end, the high one at the right
    expect(page.get_by_text(low, exact=True)).to_be_visible()
    expect(page.get_by_text(high, exact=True)).to_be_visible()
    watched.check()
    page.context.close()


def test_an_error_joins_the_group_description(site: Site, browser: Browser) -> None:
    """Send without a score (the form is posted as a browser without JavaScript would,
    bypassing `required`): the error is announced with the group, before the end labels."""
    page, watched = _open(browser, site, "relational-nps", 390)
    page.locator("input[name=score]").evaluate_all(
        "all => all.forEach(e => e.removeAttribute('required'))")
    page.get_by_role("button", name="Send").click()
    group = page.get_by_role("group", name=SCALES[0][1])
    expect(group).to_have_accessible_description(
        "Choose a score, then press Send. 0 = Not at all likely 10 = Extremely likely")
    assert watched.foreign == []  # (the console's only error is the page's own 422 status)
    page.context.close()


def test_a_followup_scale_question_is_one_row_too(site: Site, browser: Browser) -> None:
    """The example programmes ask no follow-up scale question, so the follow-up template is
    rendered here with one (0–10, as the page would) and shown from the site, its CSS too."""
    html = env.get_template("survey_more.html").render(
        lang="en", w=_words("en"), token="t", why=None, demographics=[], error=None,
        extras=[{"id": "effort", "text": "How easy was it?", "type": "scale",
                 "values": list(range(11)), "options": []}])
    context = browser.new_context(viewport={"width": 390, "height": 700})
    page = context.new_page()
    page.goto(f"{site.url}/static/survey.css")  # same origin: the page's /static/ link loads
    page.set_content(html)
    got: dict[str, Any] = page.evaluate(MEASURE.replace("name=score", "name=q_effort"))
    assert len(got["boxes"]) == 11
    assert {round(b["top"]) for b in got["boxes"]} == {round(got["boxes"][0]["top"])}
    assert got["scroll"] <= got["inner"] == 390
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in got["boxes"])
    expect(page.get_by_role("group", name="How easy was it? (optional)")
           ).to_have_accessible_description("")
    context.close()
