"""The customer-facing side of survey programmes: hosted response pages (no JavaScript
needed, one question per step, partial answers kept) and the collection API. GETs never
write — a link scanner that opens every link records nothing; only an explicit submit does.
Every submission goes through the collector's writer thread and is acknowledged after its
commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxlens.errors import CxlensError
from cxlens.present.render import env
from cxlens.surveys import collect, tokens
from cxlens.surveys.spec import DEMOGRAPHICS, Programme
from cxlens.web.pages import Source
from cxlens.web.proxies import client_address
from cxlens.web.survey_service import SurveyService, service

router = APIRouter()

WORDS = {  # page chrome per language (the questions come from the programme)
    "en": {"send": "Send", "why": "Anything to add?", "skip": "Finish", "thanks":
           "Thank you! Your answer has been recorded.", "used": "You have already answered "
           "this survey — thank you.", "problem": "This survey link cannot be used",
           "optional": "optional", "about_you": "About you (optional)", "yes": "Yes",
           "no": "No", "score_recorded": "Thank you — your score is saved."},
    "fr": {"send": "Envoyer", "why": "Souhaitez-vous ajouter quelque chose ?", "skip":
           "Terminer", "thanks": "Merci ! Votre réponse est enregistrée.", "used":
           "Vous avez déjà répondu à cette enquête — merci.", "problem":
           "Ce lien d'enquête ne peut pas être utilisé", "optional": "facultatif",
           "about_you": "À propos de vous (facultatif)", "yes": "Oui", "no": "Non",
           "score_recorded": "Merci — votre note est enregistrée."},
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def _page(template: str, status: int = 200, language: str = "en", **ctx: Any) -> HTMLResponse:
    text = env.get_template(template).render(lang=language, w=_words(language), **ctx)
    return HTMLResponse(text, status, headers={"Cache-Control": "no-store",
                                               "Referrer-Policy": "no-referrer"})


def _problem(exc: CxlensError, language: str = "en") -> HTMLResponse:
    status = int(getattr(exc, "status", 400))
    return _page("survey_end.html", status, language, title=_words(language)["problem"],
                 message=exc.message, hint=exc.hint, problem=True)


def _open(request: Request, token: str) -> tuple[SurveyService, dict[str, Any], Programme]:
    svc = service(request)
    svc.limiter.check(client_address(request))
    inv_id = tokens.verify(svc.secret, token)
    inv = svc.invitation(inv_id)
    if inv is None or inv["status"] == "suppressed" or not inv["programme"]:
        raise tokens.TokenError("link_invalid", "this survey link is not valid",
                                "open the link from your invitation again", 404)
    return svc, inv, svc.config.programme(str(inv["programme"]))


def _lang(inv: dict[str, Any], p: Programme) -> str:
    lang = str(inv.get("language") or "")
    return lang if lang in p.languages else p.languages[0]


def _score_page(p: Programme, token: str, lang: str, chosen: int | None, status: int = 200,
                error: str | None = None) -> HTMLResponse:
    lo, hi = p.bounds
    return _page("survey.html", status, lang, p=p, token=token, scores=list(range(lo, hi + 1)),
                 chosen=chosen, error=error, question=p.text(p.questions.score.text, lang),
                 low=p.text(p.questions.score.low_label, lang) if p.questions.score.low_label
                 else "", high=p.text(p.questions.score.high_label, lang)
                 if p.questions.score.high_label else "")


def _more_page(p: Programme, token: str, lang: str, status: int = 200,
               error: str | None = None) -> HTMLResponse:
    extras = [{"id": q.id, "text": p.text(q.text, lang), "type": q.type,
               "values": list(range(q.scale(lang)[0], q.scale(lang)[1] + 1)),
               "options": q.options.get(lang) or next(iter(q.options.values()), [])}
              for q in p.questions.extra]
    demo = [(k, DEMOGRAPHICS[k]) for k in p.questions.demographics]
    why = p.text(p.questions.why, lang) if p.questions.why else None
    return _page("survey_more.html", status, lang, token=token, why=why, extras=extras,
                 demographics=demo, error=error)


@router.get("/s/{token}", response_class=HTMLResponse, include_in_schema=False)
def survey_page(request: Request, token: str, score: int | None = None) -> Response:
    """The survey; opening it (or a score link from the e-mail) records nothing."""
    try:
        _svc, inv, p = _open(request, token)
    except CxlensError as exc:
        return _problem(exc)
    lang = _lang(inv, p)
    if inv["completed_at"] is not None:
        return _page("survey_end.html", 200, lang, title=_words(lang)["used"], problem=False)
    if inv["response_id"]:
        return _more_page(p, token, lang)
    lo, hi = p.bounds
    return _score_page(p, token, lang, score if score is not None and lo <= score <= hi
                       else None)


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@router.post("/s/{token}", include_in_schema=False)
async def survey_score(request: Request, token: str) -> Response:
    try:
        svc, inv, p = _open(request, token)
    except CxlensError as exc:
        return _problem(exc)
    lang = _lang(inv, p)
    form = await request.form()
    score = _int(form.get("score"))
    if score is None:
        return _score_page(p, token, lang, None, 422, "Choose a score, then press Send.")
    try:
        await svc.submit(collect.Score(str(inv["invitation_id"]), score))
    except collect.AnswerError as exc:
        if exc.code == "score_out_of_scale":
            return _score_page(p, token, lang, None, 422, exc.message)
        return _problem(exc, lang)
    return RedirectResponse(f"/s/{token}", status_code=303)


@router.post("/s/{token}/more", include_in_schema=False)
async def survey_more(request: Request, token: str) -> Response:
    try:
        svc, inv, p = _open(request, token)
    except CxlensError as exc:
        return _problem(exc)
    lang = _lang(inv, p)
    form = await request.form()
    answers = {q.id: v for q in p.questions.extra
               if (v := _int(form.get(f"q_{q.id}"))) is not None}
    demo: dict[str, str] = {k: str(form[f"d_{k}"]) for k in p.questions.demographics
                            if form.get(f"d_{k}")}
    comment = str(form.get("comment") or "")
    try:
        await svc.submit(collect.Followup(str(inv["invitation_id"]), comment, answers, demo))
    except collect.AnswerError as exc:
        if exc.code == "invalid_answer":
            return _more_page(p, token, lang, 422, exc.message)
        return _problem(exc, lang)
    return RedirectResponse(f"/s/{token}/thanks", status_code=303)


@router.get("/s/{token}/thanks", response_class=HTMLResponse, include_in_schema=False)
def survey_thanks(request: Request, token: str) -> Response:
    try:
        _svc, inv, p = _open(request, token)
    except CxlensError as exc:
        return _problem(exc)
    lang = _lang(inv, p)
    return _page("survey_end.html", 200, lang, title=_words(lang)["thanks"], problem=False)


# -- the collection API --------------------------------------------------------------------------
# The bodies are read and validated in the handlers (not as FastAPI body parameters, which are
# read and parsed before any handler or dependency runs): the rate limit comes first, then the
# body (already limited in size by cxlens.web.limits), then strict validation — a score is a
# JSON integer only: true/false, strings, decimals, NaN and Infinity are refused, never coerced.
class ScoreIn(BaseModel):
    model_config = ConfigDict(strict=True)

    token: str = Field(description="The invitation's token (the last part of its link).")
    score: int = Field(description="A whole number on the survey's scale (a JSON integer: "
                       "true/false, text and decimals are refused).")


class FollowupIn(BaseModel):
    model_config = ConfigDict(strict=True)

    token: str
    comment: str | None = Field(default=None, max_length=4000)
    answers: dict[str, int] = Field(default_factory=dict)
    demographics: dict[str, str] = Field(default_factory=dict)


def _receipt(r: collect.Receipt) -> dict[str, Any]:
    return {"response_id": r.response_id, "score": r.score, "duplicate": r.duplicate,
            "completed": r.completed, "case_id": r.case_id}


def _scale(svc: SurveyService, token: Any) -> str:
    """"from 1 to 5" for the token's programme, or "on the survey's scale" when unknown."""
    try:
        inv = svc.invitation(tokens.verify(svc.secret, str(token)))
        if inv and inv["programme"]:
            lo, hi = svc.config.programme(str(inv["programme"])).bounds
            return f"from {lo} to {hi}"
    except (CxlensError, KeyError, ValueError):
        pass
    return "on the survey's scale"


def _refusal(svc: SurveyService, raw: bytes, exc: ValidationError) -> CxlensError:
    """The validation problems in the one error shape; a bad score names the allowed range."""
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                         for e in exc.errors())
    if any(e["loc"] and e["loc"][0] == "score" for e in exc.errors()):
        try:
            token = json.loads(raw).get("token")
        except (ValueError, AttributeError):
            token = None
        scale = _scale(svc, token)
        return collect.AnswerError(
            "invalid_score", 422, f"score must be a whole number {scale} "
            f"(true/false, text and decimals are refused) — {problems}",
            f"send a whole number {scale}")
    return collect.AnswerError("invalid_request", 422, problems,
                               "see /api/docs for the request body")


def _openapi(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": model.model_json_schema()}}}}


M = TypeVar("M", bound=BaseModel)


async def _collect(request: Request, model: type[M],
                   item: Callable[[str, M], collect.Score | collect.Followup]) -> Response:
    """Rate limit, then read and validate the body, then submit. Refusals propagate to the
    app's one JSON error shape (with Retry-After on 429)."""
    svc = service(request)
    svc.limiter.check(client_address(request))
    raw = await request.body()
    try:
        body = model.model_validate_json(raw)
    except ValidationError as exc:
        raise _refusal(svc, raw, exc) from None
    token = str(getattr(body, "token", ""))
    receipt = await svc.submit(item(tokens.verify(svc.secret, token), body))
    return JSONResponse(_receipt(receipt), 200 if receipt.duplicate else 201)


@router.post("/api/v1/responses", tags=["surveys"], openapi_extra=_openapi(ScoreIn))
async def post_response(request: Request) -> Response:
    """Record a score for an invitation (idempotent per token: the same score again returns
    the same response with ``duplicate: true``; another score is refused with 409)."""
    return await _collect(request, ScoreIn, lambda i, b: collect.Score(i, b.score))


@router.post("/api/v1/responses/followup", tags=["surveys"], openapi_extra=_openapi(FollowupIn))
async def post_followup(request: Request) -> Response:
    """Add the comment, extra answers and demographics, and finish the survey."""
    return await _collect(request, FollowupIn, lambda i, b: collect.Followup(
        i, b.comment, b.answers, b.demographics))


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/s/{token}": Source(_score_page, "survey.html"),
           "/s/{token}/thanks": Source(_open, "survey_end.html")}
