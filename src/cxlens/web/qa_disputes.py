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
from cxlens.jsonable import plain, records
from cxlens.qa import coaching, disputes, scoring, sessions
from cxlens.store.base import Warehouse
from cxlens.web.pages import html
from cxlens.web.qa_common import (
    ADJUST,
    PostedForm,
    card,
    cards,
    own_vendor,
    posted_scores,
    review,
)
from cxlens.web.security import CurrentUser, Forbidden, check_csrf, state

router = APIRouter()
WINDOW_DAYS = 30


# -- disputes -------------------------------------------------------------------------------------
def _owners(wh: Warehouse, review_ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """review → (interaction_id, vendor, agent_id) of the reviewed interaction."""
    out: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(review_ids), 1000):
        chunk = review_ids[start:start + 1000]
        for rid, iid, vendor, agent in wh.query(
                "SELECT q.review_id, min(q.interaction_id), min(i.vendor), min(i.agent_id) "
                "FROM qa_reviews q LEFT JOIN interactions i ON i.interaction_id = "
                f"q.interaction_id WHERE q.review_id IN ({', '.join('?' * len(chunk))}) "
                "GROUP BY q.review_id", chunk):
            out[str(rid)] = (iid, vendor, agent)
    return out


def _disputes(request: Request, user: User, status: str | None) -> list[dict[str, Any]]:
    st = state(request)
    vendor = own_vendor(user)
    with st.lock:
        found = disputes.listing(st.wh, status=status or None)
        owners = _owners(st.wh, sorted({d.review_id for d in found}))
    rows = []
    for d in sorted(found, key=lambda d: (d.status != "open", -d.opened_at.timestamp())):
        iid, v, agent = owners.get(d.review_id, (None, None, None))
        if vendor is not None and v != vendor:
            continue
        rows.append({"dispute_id": d.dispute_id, "review_id": d.review_id, "status": d.status,
                     "opened_by": d.agent, "opened_at": d.opened_at, "reason": d.reason,
                     "criterion": d.criterion, "arbiter": d.arbiter, "decided_at": d.decided_at,
                     "interaction_id": iid, "vendor": v, "agent_id": agent})
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
    st = state(request)
    with st.lock:
        d = disputes.get(st.wh, dispute_id)
        try:
            found, facts = review(st.wh, user, d.review_id)
        except NotFound:
            raise NotFound(f"no QA dispute {dispute_id!r}",
                           "the disputes you can see are listed on /qa/disputes") from None
        events = disputes.history(st.wh, dispute_id)
        effective = sessions.effective_score(st.wh, d.review_id, scorecards=cards())
    return {"dispute": d, "review": found, "facts": facts, "events": events,
            "effective": effective, "card": card(found.scorecard)}


def _dispute_page(request: Request, user: User, dispute_id: str, *, error: str | None = None,
                  chosen: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    data = _dispute(request, user, dispute_id)
    return html(request, "qa_dispute.html", code, user=user, page={"name": "qa"},
                error=error, decisions=disputes.DECISIONS, chosen=chosen or {},
                can_decide=user.role != "vendor" and data["dispute"].status == "open",
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
    if user.role == "vendor":
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
def _agent(wh: Warehouse, user: User, agent_id: str) -> dict[str, Any]:
    """The agent's vendor and team; NotFound when unknown or of another vendor."""
    rows = wh.query("SELECT vendor, team, count(*) FROM interactions WHERE agent_id = ? "
                    "GROUP BY vendor, team ORDER BY 3 DESC", [agent_id])
    vendor = own_vendor(user)
    if not rows or (vendor is not None and all(r[0] != vendor for r in rows)):
        raise NotFound(f"no agent {agent_id!r}", "agents are interactions.agent_id"
                       + ("; you see your vendor's only" if vendor else ""))
    mine = [r for r in rows if vendor is None or r[0] == vendor]
    return {"agent_id": agent_id, "vendor": mine[0][0], "team": mine[0][1]}


def _agent_reviews(wh: Warehouse, agent_id: str, vendor: str | None,
                   limit: int = 30) -> list[dict[str, Any]]:
    """The agent's latest reviews with their scores (as entered)."""
    where, params = "i.agent_id = ?", [agent_id]
    if vendor is not None:
        where += " AND i.vendor = ?"
        params.append(vendor)
    ids = [str(r[0]) for r in wh.query(
        "SELECT q.interaction_id FROM qa_reviews q JOIN interactions i ON i.interaction_id = "
        f"q.interaction_id WHERE {where} GROUP BY q.interaction_id ORDER BY "
        "max(q.reviewed_at) DESC LIMIT ?", [*params, limit])]
    if not ids:
        return []
    frame = scoring.review_scores(wh, interaction_ids=ids, scorecards=cards())
    frame = frame.sort_values(["reviewed_at", "review_id"], ascending=False)
    return [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]


def _agents_with_notes(wh: Warehouse, vendor: str | None) -> list[tuple[Any, ...]]:
    coaching.ensure(wh)
    where, params = "", []
    if vendor is not None:
        where = ("WHERE c.agent_id IN (SELECT agent_id FROM interactions WHERE vendor = ? AND "
                 "agent_id IS NOT NULL)")
        params = [vendor]
    return wh.query(f"SELECT c.agent_id, count(*), max(c.created_at) FROM cxlens_coaching c "
                    f"{where} GROUP BY c.agent_id ORDER BY 3 DESC", params)


def _coaching(request: Request, user: User, agent_id: str | None,
              window: int) -> dict[str, Any]:
    if not 1 <= window <= 365:
        raise ConfigError(f"the window must be 1–365 days, not {window}", "e.g. window=30")
    st = state(request)
    vendor = own_vendor(user)
    with st.lock:
        if not agent_id:
            return {"agent": None, "agents": _agents_with_notes(st.wh, vendor),
                    "window": window}
        agent = _agent(st.wh, user, agent_id)
        notes = list(reversed(coaching.notes(st.wh, agent_id)))
        trend = coaching.trend_after_coaching(st.wh, agent_id,
                                              window=dt.timedelta(days=window),
                                              score=coaching.zendesk_score(cards()))
        reviews = _agent_reviews(st.wh, agent_id, vendor)
    return {"agent": agent, "notes": notes, "trend": trend, "reviews": reviews,
            "window": window}


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
                error=error, chosen=chosen or {"review_ids": []},
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
            _agent(st.wh, user, agent_id)  # within the user's scope, or 404
            theirs = {r for (r,) in st.wh.query(
                "SELECT DISTINCT q.review_id FROM qa_reviews q JOIN interactions i ON "
                "i.interaction_id = q.interaction_id WHERE i.agent_id = ?", [agent_id])}
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
            "trend": records(data["trend"])}
