"""``/qa/disputes`` and ``/qa/coaching``: the disputes in the viewer's scope (open ones first)
and one dispute with its review and history; an agent's coaching notes, latest reviews and
the QA trend around each coaching session (or, without an agent, the agents with notes). A
vendor viewer sees their vendor's disputes and agents only; another vendor's are "not
found"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxlens.errors import ConfigError, NotFound
from cxlens.present.model import Page, PageCtx, Viewer
from cxlens.present.pages.qa import card, cards, review
from cxlens.present.scope import limited, may_see, only_theirs, own_vendor
from cxlens.qa import coaching, disputes, machine, reviews, scoring, sessions
from cxlens.store.base import Warehouse

#: Days before and after a coaching session compared (option ``window``).
WINDOW_DAYS = 30


def dispute_list(ctx: PageCtx) -> Page:
    """Option ``status``. ``extra``: ``rows``, the disputes with their interaction, vendor and
    agent, open ones first then the latest."""
    found = disputes.listing(ctx.wh, status=ctx.options.get("status") or None)
    owners = reviews.owners(ctx.wh, sorted({d.review_id for d in found}))
    rows = []
    for d in sorted(found, key=lambda d: (d.status != "open", -d.opened_at.timestamp())):
        iid, v, agent = owners.get(d.review_id, (None, None, None))
        if not may_see(ctx.user, v):
            continue
        rows.append({"dispute_id": d.dispute_id, "review_id": d.review_id, "status": d.status,
                     "opened_by": d.agent, "opened_at": d.opened_at, "reason": d.reason,
                     "criterion": d.criterion, "arbiter": d.arbiter, "decided_at": d.decided_at,
                     "interaction_id": iid, "vendor": v, "agent_id": agent})
    page = Page("qa_disputes", "QA disputes")
    page.extra["rows"] = rows
    return page


def dispute(ctx: PageCtx) -> Page:
    """Option ``dispute_id``. ``extra``: ``dispute``, ``review``, ``facts`` (its interaction),
    ``events`` (the history), ``effective`` (the score with the decisions applied) and
    ``card`` (the review's scorecard)."""
    dispute_id = ctx.options.get("dispute_id", "")
    d = disputes.get(ctx.wh, dispute_id)
    try:
        found, facts = review(ctx.wh, ctx.user, d.review_id)
    except NotFound:
        raise NotFound(f"no QA dispute {dispute_id!r}",
                       "the disputes you can see are listed on /qa/disputes") from None
    page = Page("qa_dispute", f"QA dispute {dispute_id}")
    page.extra.update(dispute=d, review=found, facts=facts,
                      events=disputes.history(ctx.wh, dispute_id),
                      effective=sessions.effective_score(ctx.wh, d.review_id,
                                                         scorecards=cards()),
                      card=card(found.scorecard))
    return page


def agent(wh: Warehouse, user: Viewer, agent_id: str) -> dict[str, Any]:
    """The agent's vendor and team; NotFound when unknown or of another vendor."""
    mine = only_theirs(user, reviews.agent_segments(wh, agent_id), lambda r: r[0])
    if not mine:
        raise NotFound(f"no agent {agent_id!r}", "agents are interactions.agent_id"
                       + ("; you see your vendor's only" if limited(user) else ""))
    return {"agent_id": agent_id, "vendor": mine[0][0], "team": mine[0][1]}


def agent_reviews(wh: Warehouse, agent_id: str, vendor: str | None,
                  limit: int = 30) -> list[dict[str, Any]]:
    """The agent's latest reviews with their scores (as entered)."""
    ids = reviews.agent_reviewed(wh, agent_id, vendor, limit)
    if not ids:
        return []
    frame = scoring.review_scores(wh, interaction_ids=ids, scorecards=cards())
    frame = frame.sort_values(["reviewed_at", "review_id"], ascending=False)
    return [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]


def coaching_page(ctx: PageCtx) -> Page:
    """Options ``agent_id`` and ``window`` (days, 1–365). ``extra``: ``agent`` (None: no agent
    chosen, then ``agents``: those with notes) and ``window``; with an agent also ``notes``
    (latest first), ``trend`` (the QA trend around each session), ``reviews`` and
    ``machine`` (the machine reviewer's — AutoQA's — fail rate per check for the agent and
    the agent's latest failed checks with the evidence, :func:`cxlens.qa.machine.agent_failures`;
    shown labelled as the machine's, apart from the people's reviews)."""
    window = int(ctx.options.get("window") or WINDOW_DAYS)
    if not 1 <= window <= 365:
        raise ConfigError(f"the window must be 1–365 days, not {window}", "e.g. window=30")
    agent_id = ctx.option("agent_id")
    page = Page("qa_coaching", "Coaching")
    vendor = own_vendor(ctx.user)
    if not agent_id:
        page.extra.update(agent=None, agents=reviews.coached_agents(ctx.wh, vendor),
                          window=window)
        return page
    found = agent(ctx.wh, ctx.user, agent_id)  # within the viewer's scope, or 404
    per_check, failed = machine.agent_failures(ctx.wh, agent_id)
    page.extra.update(
        agent=found,
        machine={"checks": per_check, "failed": failed},
        notes=list(reversed(coaching.notes(ctx.wh, agent_id))),
        trend=coaching.trend_after_coaching(ctx.wh, agent_id, window=dt.timedelta(days=window),
                                            score=coaching.zendesk_score(cards())),
        reviews=agent_reviews(ctx.wh, agent_id, vendor), window=window)
    return page
