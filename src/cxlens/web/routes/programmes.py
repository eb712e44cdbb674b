"""The survey programmes page (``/programmes``): analysts read the programme configuration,
admins edit and save it (the page model: ``cxlens.present.pages.programmes``); the saved
configuration is handed to the running collector at once."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.errors import CxlensError
from cxlens.present.pages import programmes as programmes_model
from cxlens.present.scope import limited
from cxlens.surveys import config as survey_config
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.security import AdminUser, CurrentUser, Forbidden, check_csrf, state
from cxlens.web.survey_service import service

router = APIRouter()
#: Where this module's pages come from (docs/pages.md).
SOURCES = {"/programmes": Source(programmes_model.programmes, "programmes.html")}


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, user: CurrentUser) -> HTMLResponse:
    if limited(user):
        raise Forbidden("the survey programmes are managed by the CX team",
                        "ask an admin or analyst")
    text = build(request, programmes_model.programmes, user).extra["text"]
    return html(request, "programmes.html", user=user, text=text, error=None,
                config=service(request).config, saved=request.query_params.get("saved"))


@router.post("/programmes", dependencies=[Depends(check_csrf)])
def programmes_save(request: Request, user: AdminUser, text: str = Form(...)) -> Response:
    st = state(request)
    try:
        with st.lock:
            config = survey_config.save(st.wh, text, user.username)
    except CxlensError as exc:
        return html(request, "programmes.html", 400, user=user, text=text,
                    error=f"{exc.message} — {exc.hint}", config=service(request).config,
                    saved=None)
    service(request).set_config(config)
    return RedirectResponse("/programmes?saved=1", status_code=303)
