"""QA disputes and coaching in the dashboard.

Disputes (``/qa/disputes``): anyone may contest a review they can see (a vendor viewer — a
BPO team lead — only reviews of their vendor's agents) with a reason, optionally naming the
criterion; an admin or analyst decides as arbiter (upheld, overturned, or adjusted with new
criterion scores) with a comment, once. The whole history stays on the dispute's page.

Coaching (``/qa/coaching?agent_id=…``): notes per agent, linked to the agent's reviews, and
the QA trend around each coaching session (mean review score of the interactions handled
in the window before and after it, with n and a Welch p-value). Admins, analysts and the
agent's vendor viewer may add notes. JSON twins under ``/api/qa/disputes`` and
``/api/qa/coaching``."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import ConfigError, CxlensError, NotFound
from cxlens.format import percent
from cxlens.jsonable import plain, records
from cxlens.present.pages import qa_disputes as model
from cxlens.present.scope import limited
from cxlens.qa import coaching, disputes, reviews
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.routes.qa_common import (
    ADJUST,
    PostedForm,
    card,
    posted_scores,
    review,
)
from cxlens.web.security import CurrentUser, Forbidden, check_csrf, state

router = APIRouter()
WINDOW_DAYS = model.WINDOW_DAYS


# -- disputes -------------------------------------------------------------------------------------
def _disputes(request: Request, user: User, status: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = build(request, model.dispute_list, user,
                                       status=status).extra["rows"]
    return rows


def _list_page(request: Request, user: User, status: str | None = None, *,
               review_id: str = "", error: str | None = None,
               chosen: dict[str, str] | None = None, code: int = 200) -> HTMLResponse:
    rows = _disputes(request, user, status)
    criteria: list[Any] = []
    if review_id:
        st = state(request)
        with st.lock:
            try:
                found, _ = review(st.wh, user, review_id)
                criteria = list(card(found.scorecard).criteria)
            except CxlensError:
                criteria = []
    return html(request, "qa_disputes.html", code, user=user, page={"name": "qa"}, rows=rows,
                statuses=disputes.STATUSES, chosen_status=status or "", error=error,
                chosen=chosen or {"review_id": review_id}, criteria=criteria)


@router.get("/qa/disputes", response_class=HTMLResponse)
def dispute_list(request: Request, user: CurrentUser, status: str | None = None,
                 review_id: str | None = None) -> HTMLResponse:
    """The disputes in your scope (open ones first) and the form to contest a review."""
    return _list_page(request, user, status, review_id=(review_id or "").strip())


@router.post("/qa/disputes", dependencies=[Depends(check_csrf)])
def dispute_open(request: Request, user: CurrentUser, form: PostedForm) -> Response:
    review_id = str(form.get("review_id") or "").strip()
    criterion = str(form.get("criterion") or "").strip() or None
    reason = str(form.get("reason") or "")
    st = state(request)
    try:
        with st.lock:
            review(st.wh, user, review_id)  # within the user's scope, or 404
            opened = disputes.open_dispute(st.wh, review_id, user.username, reason,
                                           criterion=criterion)
            audit.record(st.wh, user.username, "qa_dispute_opened",
                         f"{opened.dispute_id} on {review_id}")
    except NotFound:
        raise
    except CxlensError as exc:
        return _list_page(request, user, review_id=review_id,
                          error=f"{exc.message} ({exc.hint})", code=400,
                          chosen={"review_id": review_id, "criterion": criterion or "",
                                  "reason": reason})
    return RedirectResponse(f"/qa/disputes/{opened.dispute_id}", status_code=303)


def _dispute(request: Request, user: User, dispute_id: str) -> dict[str, Any]:
    return build(request, model.dispute, user, dispute_id=dispute_id).extra


def _dispute_page(request: Request, user: User, dispute_id: str, *, error: str | None = None,
                  chosen: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    data = _dispute(request, user, dispute_id)
    return html(request, "qa_dispute.html", code, user=user, page={"name": "qa"},
                error=error, decisions=disputes.DECISIONS, chosen=chosen or {},
                can_decide=not limited(user) and data["dispute"].status == "open",
                **data)


@router.get("/qa/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(request: Request, user: CurrentUser, dispute_id: str) -> HTMLResponse:
    """The dispute, the review it is about, its history and (for arbiters) the decision."""
    return _dispute_page(request, user, dispute_id)


def _adjustments(form: Any) -> dict[str, float]:
    out = {}
    for name, text in posted_scores(form, ADJUST).items():
        try:
            out[name] = float(text)
        except ValueError:
            out[name] = math.nan  # refused by decide with the criterion's scale
    return out


@router.post("/qa/disputes/{dispute_id}", dependencies=[Depends(check_csrf)])
def dispute_decide(request: Request, user: CurrentUser, dispute_id: str,
                   form: PostedForm) -> Response:
    if limited(user):
        raise Forbidden("disputes are decided by the CX team's admins and analysts",
                        "the arbiter's decision will show on the dispute's page")
    _dispute(request, user, dispute_id)
    decision = str(form.get("decision") or "")
    comment = str(form.get("comment") or "")
    adjustments = _adjustments(form) if decision == "adjusted" else {}
    st = state(request)
    try:
        with st.lock:
            decided = disputes.decide(st.wh, dispute_id, user.username, decision, comment,
                                      adjustments=adjustments)
            audit.record(st.wh, user.username, "qa_dispute_decided",
                         f"{dispute_id}: {decided.status}")
    except CxlensError as exc:
        return _dispute_page(request, user, dispute_id, error=f"{exc.message} ({exc.hint})",
                             code=400, chosen={"decision": decision, "comment": comment,
                                               "adjust": posted_scores(form, ADJUST)})
    return RedirectResponse(f"/qa/disputes/{dispute_id}", status_code=303)


@router.get("/api/qa/disputes", tags=["qa"])
def api_disputes(request: Request, user: CurrentUser,
                 status: str | None = None) -> dict[str, Any]:
    """Disputes in your scope (``?status=open|upheld|overturned|adjusted``)."""
    return {"disputes": [{k: plain(v) for k, v in row.items()}
                         for row in _disputes(request, user, status)]}


@router.get("/api/qa/disputes/{dispute_id}", tags=["qa"])
def api_dispute(request: Request, user: CurrentUser, dispute_id: str) -> dict[str, Any]:
    """One dispute: its state, the review (scores as entered, score as entered and with the
    decision applied) and the whole history."""
    data = _dispute(request, user, dispute_id)
    d, found = data["dispute"], data["review"]
    return {"dispute": {"dispute_id": d.dispute_id, "review_id": d.review_id,
                        "status": d.status, "opened_by": d.agent, "reason": d.reason,
                        "criterion": d.criterion, "opened_at": plain(d.opened_at),
                        "arbiter": d.arbiter, "comment": d.comment,
                        "decided_at": plain(d.decided_at), "adjustments": dict(d.adjustments)},
            "review": {"scorecard": found.scorecard, "reviewer": found.reviewer,
                       "reviewed_at": plain(found.reviewed_at), "scores": dict(found.scores),
                       "score": found.score, "effective_score": data["effective"]},
            "interaction": {k: plain(v) for k, v in data["facts"].items()},
            "history": [{"at": plain(at), "actor": who, "action": action,
                         "criterion": crit, "new_score": plain(new), "detail": detail}
                        for at, who, action, crit, new, detail in data["events"]]}


# -- coaching -------------------------------------------------------------------------------------
def _coaching(request: Request, user: User, agent_id: str | None,
              window: int) -> dict[str, Any]:
    return dict(build(request, model.coaching_page, user, agent_id=agent_id,
                      window=str(window)).extra)


@router.get("/qa/coaching", response_class=HTMLResponse)
def coaching_page(request: Request, user: CurrentUser, agent_id: str | None = None,
                  window: int = WINDOW_DAYS) -> HTMLResponse:
    """An agent's coaching notes, the form to add one, and the QA trend around each."""
    return _coaching_page(request, user, (agent_id or "").strip() or None, window)


def _coaching_page(request: Request, user: User, agent_id: str | None, window: int, *,
                   error: str | None = None, chosen: dict[str, Any] | None = None,
                   code: int = 200) -> HTMLResponse:
    data = _coaching(request, user, agent_id, window)
    return html(request, "qa_coaching.html", code, user=user, page={"name": "qa"},
                error=error, percent=percent, chosen=chosen or {"review_ids": []},
                trend=data.pop("trend").to_dict("records") if agent_id else [], **data)


def _session_time(day: str) -> dt.datetime | None:
    """When the coaching session took place: a past date of the form (midnight UTC), or now
    when none is given."""
    if not day:
        return None
    try:
        when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC)
    except ValueError:
        raise ConfigError(f"the date {day!r} is not a date", "dates like 2026-01-31") from None
    if when > dt.datetime.now(dt.UTC):
        raise ConfigError(f"the coaching session's date {day} is in the future",
                          "record a session once it has taken place")
    return when


@router.post("/qa/coaching", dependencies=[Depends(check_csrf)])
def coaching_add(request: Request, user: CurrentUser, form: PostedForm) -> Response:
    agent_id = str(form.get("agent_id") or "").strip()
    note = str(form.get("note") or "")
    review_ids = [str(r) for r in form.getlist("review_ids") if str(r).strip()]
    day = str(form.get("date") or "").strip()
    st = state(request)
    try:
        when = _session_time(day)
        with st.lock:
            model.agent(st.wh, user, agent_id)  # within the user's scope, or 404
            theirs = reviews.agent_review_ids(st.wh, agent_id)
            strangers = [r for r in review_ids if r not in theirs]
            if strangers:
                raise ConfigError(f"review(s) {', '.join(strangers)} are not of agent "
                                  f"{agent_id}", "link the agent's own reviews")
            made = coaching.add_note(st.wh, agent_id, user.username, note, review_ids,
                                     now=when)
            audit.record(st.wh, user.username, "coaching_note",
                         f"{made.session_id} for {agent_id}")
    except NotFound:
        raise
    except CxlensError as exc:
        return _coaching_page(request, user, agent_id, WINDOW_DAYS,
                              error=f"{exc.message} ({exc.hint})", code=400,
                              chosen={"note": note, "review_ids": review_ids, "date": day})
    return RedirectResponse(f"/qa/coaching?{urlencode({'agent_id': agent_id})}",
                            status_code=303)


@router.get("/api/qa/coaching", tags=["qa"])
def api_coaching(request: Request, user: CurrentUser, agent_id: str | None = None,
                 window: int = WINDOW_DAYS) -> dict[str, Any]:
    """Without ``agent_id``: the agents with coaching notes. With it: the agent's notes and
    the QA trend around each (n, means before and after, difference, Welch p-value)."""
    data = _coaching(request, user, (agent_id or "").strip() or None, window)
    if data["agent"] is None:
        return {"agents": [{"agent_id": a, "notes": int(n), "latest": plain(at)}
                           for a, n, at in data["agents"]]}
    return {"agent": data["agent"], "window_days": window,
            "notes": [{"session_id": n.session_id, "coach": n.coach, "note": n.note,
                       "review_ids": list(n.review_ids), "created_at": plain(n.created_at)}
                      for n in data["notes"]],
            "trend": records(data["trend"]),
            "machine": {"reviewer": "machine", "checks": records(data["machine"]["checks"]),
                        "failed": records(data["machine"]["failed"])}}


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/qa/disputes": Source(model.dispute_list, "qa_disputes.html", "/api/qa/disputes"),
           "/qa/disputes/{dispute_id}": Source(model.dispute, "qa_dispute.html",
                                               "/api/qa/disputes/{dispute_id}"),
           "/qa/coaching": Source(model.coaching_page, "qa_coaching.html", "/api/qa/coaching")}
