"""Quality assurance in the dashboard: quality scores by vendor, team and agent (``/qa``), the
review entry form built from a scorecard (``/qa/review``), calibration sessions
(``/qa/calibration``, :mod:`cxlens.web.routes.qa_calibration`), disputes and coaching
(``/qa/disputes``, ``/qa/coaching``, :mod:`cxlens.web.routes.qa_disputes`), each with its JSON twin
under ``/api/qa``.

Reviewing and calibration are for admins and analysts (the reviewer is the logged-in user); a
vendor viewer sees their own vendor's scores, reviews, disputes and agents only, may contest
a review of their vendor's agents and write coaching notes for them, and gets 403 on the
rest. Quality scores read the reviews with the arbiters' dispute decisions applied; they are
cached per data version and QA revision, so a new review or decision shows at once."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import CxlensError
from cxlens.format import decimal
from cxlens.jsonable import plain, records
from cxlens.present.pages import qa as model
from cxlens.qa import disputes, sessions
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.routes.qa_common import (
    PostedForm,
    StaffUser,
    cards,
    interaction,
    posted_scores,
    review,
)
from cxlens.web.security import CurrentUser, check_csrf, state

router = APIRouter()
RECENT = model.RECENT


def _index(request: Request, user: User, start: str | None, end: str | None,
           scorecard: str | None, vendor: str | None, machine: bool = False) -> dict[str, Any]:
    """Quality scores per level and the latest reviews, within the user's scope."""
    page = build(request, model.index, user, vendor, scorecard=scorecard,
                 machine="1" if machine else None, **{"from": start, "to": end})
    return {"levels": {name: page.tables[f"by_{name}"] for name in model.LEVELS},
            "reviews": page.tables["reviews"], **page.extra}


From = Annotated[str | None, Query(alias="from", description="first day (YYYY-MM-DD)")]
To = Annotated[str | None, Query(alias="to", description="last day, inclusive")]
Machine = Annotated[bool, Query(description="include the machine reviewer's (AutoQA's) "
                                            "reviews in the quality scores")]


@router.get("/qa", response_class=HTMLResponse)
def qa_index(request: Request, user: CurrentUser, start: From = None, end: To = None,
             scorecard: str | None = None, vendor: str | None = None,
             machine: Machine = False) -> HTMLResponse:
    data = _index(request, user, start, end, scorecard, vendor, machine)
    query = urlencode({k: v for k, v in data["chosen"].items() if v})
    return html(request, "qa_index.html", user=user, page={"name": "qa"},
                names=cards().names, query=query, **data)


@router.get("/api/qa", tags=["qa"])
def api_qa(request: Request, user: CurrentUser, start: From = None, end: To = None,
           scorecard: str | None = None, vendor: str | None = None,
           machine: Machine = False) -> dict[str, Any]:
    """Quality scores (mean review score 0–100, n, 95 % interval, small-sample flag) by
    vendor, team and agent — the people's reviews, or with the machine's too when
    ``machine=true`` — and the people's latest reviews; ``?from=&to=&scorecard=&vendor=``."""
    data = _index(request, user, start, end, scorecard, vendor, machine)
    return {"filters": data["chosen"],
            **{f"by_{name}": records(frame) for name, frame in data["levels"].items()},
            "recent_reviews": records(data["reviews"])}


@router.get("/api/qa/scorecards", tags=["qa"])
def api_scorecards(user: CurrentUser) -> dict[str, Any]:
    """The scorecards reviews are entered with: sections, criteria, scales, weights."""
    return {"scorecards": [c.model_dump() for c in cards().scorecards]}


# -- review entry ---------------------------------------------------------------------------------
def _review_page(request: Request, user: User, interaction_id: str | None,
                 scorecard: str | None, *, values: dict[str, str] | None = None,
                 error: str | None = None, saved: str | None = None, comment: str = "",
                 status: int = 200) -> HTMLResponse:
    data = build(request, model.review_form, user, interaction_id=interaction_id,
                 scorecard=scorecard, saved=saved).extra
    return html(request, "qa_review.html", status, user=user, page={"name": "qa"},
                values=values or {}, error=error, comment=comment,
                max_comment=sessions.MAX_COMMENT, **data)


@router.get("/qa/review", response_class=HTMLResponse)
def review_form(request: Request, user: StaffUser, interaction_id: str | None = None,
                scorecard: str | None = None, saved: str | None = None) -> HTMLResponse:
    """The review form of an interaction (or the choice of one, with your open
    assignments); after saving, the review and its score."""
    return _review_page(request, user, (interaction_id or "").strip() or None, scorecard,
                        saved=saved)


@router.post("/qa/review", dependencies=[Depends(check_csrf)])
def review_save(request: Request, user: StaffUser, form: PostedForm) -> Response:
    interaction_id = str(form.get("interaction_id") or "").strip()
    scorecard = str(form.get("scorecard") or "")
    scores = posted_scores(form)
    comment = str(form.get("comment") or "")
    st = state(request)
    try:
        with st.lock:
            interaction(st.wh, user, interaction_id)
            saved = sessions.add_review(st.wh, interaction_id, scorecard, user.username,
                                        scores, scorecards=cards(), comment=comment)
            audit.record(st.wh, user.username, "qa_review",
                         f"{saved.review_id} of {interaction_id} ({scorecard}): "
                         f"{decimal(saved.score)}")
    except CxlensError as exc:
        if exc.code == "not_found":
            raise
        return _review_page(request, user, interaction_id, scorecard, values=scores,
                            error=f"{exc.message} ({exc.hint})", comment=comment, status=400)
    query = urlencode({"interaction_id": interaction_id, "scorecard": scorecard,
                       "saved": saved.review_id})
    return RedirectResponse(f"/qa/review?{query}", status_code=303)


@router.get("/api/qa/reviews/{review_id}", tags=["qa"])
def api_review(request: Request, user: CurrentUser, review_id: str) -> dict[str, Any]:
    """One review: its interaction, the criteria's scores (null = N/A), the review score as
    entered and as the arbiters left it (null once overturned), and its disputes."""
    st = state(request)
    with st.lock:
        found, facts = review(st.wh, user, review_id)
        effective = sessions.effective_score(st.wh, review_id, scorecards=cards())
        contested = disputes.listing(st.wh, review_id=review_id)
    return {"review": {"review_id": found.review_id, "scorecard": found.scorecard,
                       "reviewer": found.reviewer, "reviewed_at": plain(found.reviewed_at),
                       "scores": dict(found.scores), "score": found.score,
                       "effective_score": effective, "comment": found.comment},
            "interaction": {k: plain(v) for k, v in facts.items()},
            "disputes": [{"dispute_id": d.dispute_id, "status": d.status} for d in contested]}


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/qa": Source(model.index, "qa_index.html", "/api/qa"),
           "/qa/review": Source(model.review_form, "qa_review.html")}
