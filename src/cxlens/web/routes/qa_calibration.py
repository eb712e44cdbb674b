"""Calibration sessions in the dashboard (admins and analysts): the list and the create form
(interactions listed by hand or drawn at random from a period), and a session's page — each
reviewer scores the session's interactions with the scorecard form, everyone sees who has
scored what, and once two reviewers scored the same interaction, Krippendorff's α per
criterion and overall with its interval and label, and each reviewer's deviation from the
others (lenient / strict). JSON twins under ``/api/qa/calibration``."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.accounts import audit, users
from cxlens.accounts.users import User
from cxlens.errors import ConfigError, CxlensError
from cxlens.format import percent
from cxlens.jsonable import plain, records
from cxlens.present.pages import qa as model
from cxlens.qa import sessions
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.routes.qa_common import (
    PostedForm,
    StaffUser,
    cards,
    posted_scores,
)
from cxlens.web.security import Forbidden, check_csrf, state

router = APIRouter()


def _staff(request: Request) -> list[str]:
    """Who may be asked to calibrate: admins and analysts, and everyone who reviewed in
    qa_reviews (imported reviewers need no account to be picked; they score once they have
    one, or their scores are entered for them)."""
    st = state(request)
    with st.lock:
        staff = [u.username for u in users.listing(st.wh) if u.role in ("admin", "analyst")]
        known = sessions.reviewers_with_reviews(st.wh)
    return staff + sorted(set(known) - set(staff))


def _list_page(request: Request, user: User, *, error: str | None = None,
               chosen: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    data = build(request, model.calibration_list, user).extra
    return html(request, "qa_calibration.html", status, user=user, page={"name": "qa"},
                staff=_staff(request), error=error,
                chosen=chosen or {"reviewers": [user.username]}, **data)


@router.get("/qa/calibration", response_class=HTMLResponse)
def session_list(request: Request, user: StaffUser) -> HTMLResponse:
    """The calibration sessions and the form to create one."""
    return _list_page(request, user)


def _int(text: str, what: str, problems: list[str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(f"{what} must be a whole number, not {text!r}")
        return None


@router.post("/qa/calibration", dependencies=[Depends(check_csrf)])
def session_create(request: Request, user: StaffUser, form: PostedForm) -> Response:
    def field(name: str) -> str:
        return str(form.get(name) or "").strip()

    chosen: dict[str, Any] = {k: field(k) for k in ("name", "scorecard", "interaction_ids",
                                                    "n", "from", "to", "vendor", "seed")}
    chosen["reviewed"] = bool(field("reviewed"))
    chosen["reviewers"] = [str(r) for r in form.getlist("reviewers")]
    ids = [i for i in re.split(r"[\s,;]+", chosen["interaction_ids"]) if i]
    problems: list[str] = []
    n = _int(chosen["n"], "the number to draw", problems)
    seed = _int(chosen["seed"], "the seed", problems)
    st = state(request)
    try:
        if problems:
            raise ConfigError("; ".join(problems), "e.g. draw 6 with seed 1")
        origin = "listed by hand"
        with st.lock:
            if not ids and n is not None:
                seed = seed if seed is not None else secrets.randbelow(10 ** 6)
                ids = sessions.draw(st.wh, n, chosen["from"] or None, chosen["to"] or None,
                                    vendor=chosen["vendor"] or None,
                                    reviewed=chosen["reviewed"], seed=seed)
                origin = (f"drawn at random: {n} {'reviewed ' if chosen['reviewed'] else ''}"
                          f"interactions closed {chosen['from']} to {chosen['to']}"
                          f"{', vendor ' + chosen['vendor'] if chosen['vendor'] else ''}"
                          f" (seed {seed})")
            made = sessions.create(st.wh, chosen["name"], chosen["scorecard"], ids,
                                   chosen["reviewers"], user.username, origin=origin,
                                   scorecards=cards(), allowed=_staff(request))
            audit.record(st.wh, user.username, "qa_session_created",
                         f"{made.session_id} {made.name}")
    except CxlensError as exc:
        return _list_page(request, user, error=f"{exc.message} ({exc.hint})", chosen=chosen,
                          status=400)
    return RedirectResponse(f"/qa/calibration/{made.session_id}", status_code=303)


def _session(request: Request, user: User, session_id: str,
             interaction_id: str | None = None) -> dict[str, Any]:
    return build(request, model.calibration_session, user, session_id=session_id,
                 interaction_id=interaction_id).extra


def _session_page(request: Request, user: User, session_id: str,
                  interaction_id: str | None = None, *, values: dict[str, str] | None = None,
                  error: str | None = None, saved: str | None = None,
                  status: int = 200) -> HTMLResponse:
    data = _session(request, user, session_id, interaction_id)
    session = data["session"]
    if interaction_id and not data["reviewer"]:
        raise Forbidden(f"{user.username} is not a reviewer of this session",
                        f"its reviewers: {', '.join(session.reviewers)}")
    return html(request, "qa_session.html", status, user=user, page={"name": "qa"},
                prog=data["prog"], session=session, card=data["card"], rel=data["rel"],
                dev=data["dev"], titles=data["titles"], facts=data["facts"],
                interaction_id=interaction_id,
                values=(values if values is not None else data["stored"]) or {},
                error=error, saved=saved, reviewer=data["reviewer"], machine=data["machine"],
                trusted_alpha=data["trusted_alpha"], percent=percent)


@router.get("/qa/calibration/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, user: StaffUser, session_id: str,
                 interaction_id: str | None = None, saved: str | None = None) -> HTMLResponse:
    """Progress, α and deviations; with ``interaction_id``, the reviewer's form for it."""
    return _session_page(request, user, session_id, interaction_id, saved=saved)


@router.post("/qa/calibration/{session_id}/reviews", dependencies=[Depends(check_csrf)])
def session_review(request: Request, user: StaffUser, session_id: str,
                   form: PostedForm) -> Response:
    interaction_id = str(form.get("interaction_id") or "").strip()
    scores = posted_scores(form)
    st = state(request)
    with st.lock:
        session = sessions.get(st.wh, session_id)
    if user.username not in session.reviewers:
        raise Forbidden(f"{user.username} is not a reviewer of this session",
                        f"its reviewers: {', '.join(session.reviewers)}")
    try:
        with st.lock:
            saved = sessions.record(st.wh, session_id, user.username, interaction_id, scores,
                                    scorecards=cards())
            audit.record(st.wh, user.username, "qa_session_review",
                         f"{session_id}: {interaction_id}")
            todo = sessions.progress(st.wh, session_id).todo(user.username)
    except CxlensError as exc:
        return _session_page(request, user, session_id,
                             interaction_id if interaction_id in session.interaction_ids
                             else None, values=scores, error=f"{exc.message} ({exc.hint})",
                             status=400)
    query = {"saved": saved.interaction_id} | ({"interaction_id": todo[0]} if todo else {})
    return RedirectResponse(f"/qa/calibration/{session_id}?{urlencode(query)}",
                            status_code=303)


# -- JSON -----------------------------------------------------------------------------------------
def _summary(prog: sessions.Progress) -> dict[str, Any]:
    s = prog.session
    return {"session_id": s.session_id, "name": s.name, "scorecard": s.scorecard,
            "interaction_ids": list(s.interaction_ids), "reviewers": list(s.reviewers),
            "created_by": s.created_by, "created_at": plain(s.created_at), "origin": s.origin,
            "progress": {"scored": prog.completed, "of": prog.total,
                         "by_reviewer": {r: sorted(prog.done.get(r, {}))
                                         for r in s.reviewers}}}


@router.get("/api/qa/calibration", tags=["qa"])
def api_sessions(request: Request, user: StaffUser) -> dict[str, Any]:
    """The calibration sessions, newest first, with their progress."""
    st = state(request)
    with st.lock:
        found = [sessions.progress(st.wh, s.session_id) for s in sessions.listing(st.wh)]
    return {"sessions": [_summary(p) for p in found]}


@router.get("/api/qa/calibration/{session_id}", tags=["qa"])
def api_session(request: Request, user: StaffUser, session_id: str) -> dict[str, Any]:
    """One session: its progress, Krippendorff's α per criterion and overall (ordinal, with
    a bootstrap 95 % interval and label) and each reviewer's deviation (0–100 points), the
    people's alone; ``machine``: AutoQA against the people's consensus per criterion (α and κ
    on pass/fail, ``trusted``) and the interactions it reviewed, or null when it reviewed none."""
    data = _session(request, user, session_id)
    beside = data["machine"]
    return {"session": _summary(data["prog"]), "reliability": records(data["result"].reliability),
            "reviewers": records(data["result"].reviewers),
            "machine": None if beside is None else {
                "reviewer": "machine", "scored": sorted(beside.scored),
                "agreement": records(beside.agreement)}}


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/qa/calibration": Source(model.calibration_list, "qa_calibration.html",
                                     "/api/qa/calibration"),
           "/qa/calibration/{session_id}": Source(model.calibration_session, "qa_session.html",
                                                  "/api/qa/calibration/{session_id}")}
