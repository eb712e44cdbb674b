"""``/qa``: quality scores by vendor, team and agent and the latest reviews, within the
vendor in scope — and what every QA page shares: the scorecards, an interaction or review
looked up within the viewer's scope (another vendor's is "not found": a vendor viewer is not
told it exists), the critical criteria failed and the form's values. Quality scores read the
reviews with the arbiters' dispute decisions applied; they are cached per data version and QA
revision (``disputes.revision``), so a new review or a dispute decision shows at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxlens.dates import parse_bound
from cxlens.errors import ConfigError, NotFound
from cxlens.present.model import Page, PageCtx, Viewer
from cxlens.present.scope import check_seen, own_vendor, rows_of
from cxlens.qa import (
    calibration,
    conversation,
    disputes,
    machine,
    reviews,
    sampling,
    scoring,
    session_machine,
    sessions,
)
from cxlens.qa.scorecards import Scorecard, Scorecards, builtin
from cxlens.store.base import Warehouse

LEVELS = {"vendor": ("vendor",), "team": ("vendor", "team"),
          "agent": ("vendor", "team", "agent_id")}
#: Latest reviews listed on /qa.
RECENT = 50


def cards() -> Scorecards:
    return builtin()


def card(name: str) -> Scorecard:
    return cards().get(name)


def interaction(wh: Warehouse, user: Viewer, interaction_id: str) -> dict[str, Any]:
    """The interaction's facts; NotFound when missing or of another vendor."""
    facts = reviews.interaction_facts(wh, interaction_id)
    missing = NotFound(f"no interaction {interaction_id!r}",
                       "interaction ids are interactions.interaction_id"
                       + ("; you see your vendor's only" if own_vendor(user) else ""))
    if facts is None:
        raise missing
    check_seen(user, facts["vendor"], missing)
    return facts


def review(wh: Warehouse, user: Viewer, review_id: str,
           ) -> tuple[sessions.Review, dict[str, Any]]:
    """A review of qa_reviews and its interaction, within the user's scope."""
    try:
        found = sessions.get_review(wh, review_id, scorecards=cards())
        facts = interaction(wh, user, found.interaction_id)
    except NotFound:
        raise NotFound(f"no QA review {review_id!r}", "the reviews you can see are listed on "
                       "/qa") from None
    return found, facts


def form_values(scores: Mapping[str, float | None]) -> dict[str, str]:
    """Scores as the form's radio values: "na" for N/A, "3" for 3.0."""
    return {k: sessions.NA if v is None else f"{v:g}" for k, v in scores.items()}


def failed_critical(sc: Scorecard, scores: Mapping[str, float | None]) -> list[str]:
    """Titles of the critical criteria scored below half their scale."""
    out = []
    for c in sc.criteria:
        v = scores.get(c.id)
        if c.critical and v is not None and scoring.criterion_score(
                v, c.scale.min, c.scale.max) < scoring.CRITICAL_PASS:
            out.append(c.title)
    return out


def date_param(name: str, text: str | None) -> str | None:
    """A ``from``/``to`` URL value, checked, as YYYY-MM-DD (an ISO week: its Monday for
    ``from``, its Sunday for ``to``)."""
    text = (text or "").strip()
    return parse_bound(text, name, end=name == "to").isoformat() if text else None


def index(ctx: PageCtx) -> Page:
    """Options ``from``, ``to``, ``scorecard`` and ``machine`` ("1": the quality scores
    include the machine reviewer's reviews, AutoQA's; otherwise they are the people's
    alone). Tables ``by_vendor``, ``by_team``,
    ``by_agent`` (quality scores) and ``reviews`` (the latest, with their dispute's status);
    ``extra``: ``chosen`` (the form's values) and ``vendors`` (its vendor choices)."""
    start, end = date_param("from", ctx.options.get("from")), date_param("to",
                                                                          ctx.options.get("to"))
    if start and end and start > end:
        raise ConfigError(f"from={start} is after to={end}", "give a from on or before to")
    scorecard = ctx.options.get("scorecard") or None
    if scorecard:
        card(scorecard)  # an unknown one is refused with the list
    with_machine = ctx.options.get("machine") == "1"
    key = ("qa", disputes.revision(ctx.wh), start, end, scorecard, ctx.vendor,
           own_vendor(ctx.user), with_machine)
    page: Page = ctx.cached(key, lambda: _index(ctx, start, end, scorecard, with_machine))
    return page


def _index(ctx: PageCtx, start: str | None, end: str | None, scorecard: str | None,
           with_machine: bool = False) -> Page:
    page = Page("qa", "Quality assurance")
    source = disputes.effective_reviews_sql(ctx.wh)
    if with_machine:  # asked for: the machine is one more reviewer (its reviews are undisputed)
        machine.ensure(ctx.wh)
        source = machine.with_machine(source)
    for name, by in LEVELS.items():
        page.tables[f"by_{name}"] = rows_of(scoring.quality_scores(
            ctx.wh, by=by, start=start, end=end, scorecard=scorecard, scorecards=cards(),
            source=source), ctx.vendor).reset_index(drop=True)
    latest = rows_of(scoring.review_scores(ctx.wh, start, end, scorecard, scorecards=cards()),
                     ctx.vendor)
    status = {d.review_id: d.status for d in disputes.listing(ctx.wh)}
    latest = latest.sort_values(["reviewed_at", "review_id"], ascending=False).head(RECENT)
    latest = latest.assign(dispute=[status.get(r, "") for r in latest["review_id"]])
    page.tables["reviews"] = latest.reset_index(drop=True)
    page.extra["chosen"] = {"from": start or "", "to": end or "", "scorecard": scorecard or "",
                            "vendor": ctx.vendor or "", "machine": "1" if with_machine else ""}
    page.extra["vendors"] = (reviews.vendors(ctx.wh) if own_vendor(ctx.user) is None
                             else [ctx.vendor])
    return page


def review_form(ctx: PageCtx) -> Page:
    """Options ``interaction_id`` (none: the choice of one), ``scorecard`` (none: the first)
    and ``saved`` (a review just saved). ``extra``: ``names`` (the scorecards), ``card``,
    ``facts`` and ``talk`` (the interaction and its conversation), ``done`` (the saved
    review, its scorecard and failed critical criteria), ``todo`` (the reviewer's open
    assignments) and ``interaction_id``."""
    names = cards().names
    interaction_id, saved = ctx.option("interaction_id"), ctx.options.get("saved")
    sc = card(ctx.options.get("scorecard") or names[0])
    todo = sampling.assignments(ctx.wh, reviewer=ctx.user.username, status="open")
    facts = talk = done = None
    if interaction_id:
        facts = interaction(ctx.wh, ctx.user, interaction_id)
        talk = conversation.of(ctx.wh, interaction_id)
    if saved:
        found, _ = review(ctx.wh, ctx.user, saved)
        done = {"review": found, "card": card(found.scorecard),
                "failed": failed_critical(card(found.scorecard), found.scores)}
    page = Page("qa_review", "QA review")
    page.extra.update(names=names, card=sc, facts=facts, talk=talk, done=done,
                      todo=todo.head(RECENT).to_dict("records"),
                      interaction_id=interaction_id or "")
    return page


def calibration_list(ctx: PageCtx) -> Page:
    """``extra``: ``rows`` (each calibration session's progress, newest first), ``names``
    (the scorecards) and ``vendors`` (the draw form's choices)."""
    page = Page("qa_calibration", "QA calibration")
    page.extra.update(rows=[sessions.progress(ctx.wh, s.session_id)
                            for s in sessions.listing(ctx.wh)],
                      names=cards().names, vendors=reviews.vendors(ctx.wh))
    return page


def calibration_session(ctx: PageCtx) -> Page:
    """Options ``session_id`` and ``interaction_id`` (the viewer's form for it, when they are
    one of the session's reviewers). ``extra``: ``prog`` (progress), ``session``, ``card``,
    ``result`` (α per criterion and the reviewers' deviations), ``rel`` and ``dev`` (the same
    as records), ``titles`` (criterion → title), ``reviewer`` (whether the viewer is one),
    ``facts`` and ``stored`` (the interaction and the viewer's scores of it, as form values),
    ``machine`` (AutoQA beside the people: :func:`cxlens.qa.session_machine.beside`, None
    when the machine reviewed none of the session's interactions) and ``trusted_alpha``."""
    session_id = ctx.options.get("session_id", "")
    prog = sessions.progress(ctx.wh, session_id)
    out = sessions.result(ctx.wh, session_id, scorecards=cards())
    session = prog.session
    sc = card(session.scorecard)
    reviewer = ctx.user.username in session.reviewers
    interaction_id = ctx.option("interaction_id")
    facts = stored = None
    if interaction_id and reviewer:
        if interaction_id not in session.interaction_ids:
            raise NotFound(f"interaction {interaction_id!r} is not in this session",
                           "pick one of the session's interactions")
        facts = interaction(ctx.wh, ctx.user, interaction_id)
        stored = form_values(sessions.scores_of(ctx.wh, session_id, ctx.user.username,
                                                interaction_id))
    titles = {c.id: c.title for c in sc.criteria} | {calibration.OVERALL: "Overall (review "
                                                     "score)"}
    page = Page("qa_session", f"Calibration: {session.name}")
    page.extra.update(prog=prog, session=session, card=sc, result=out,
                      rel=out.reliability.to_dict("records"),
                      dev=out.reviewers.to_dict("records"), titles=titles, reviewer=reviewer,
                      facts=facts, stored=stored, trusted_alpha=machine.TRUSTED,
                      machine=session_machine.beside(ctx.wh, session_id, scorecards=cards()))
    return page
