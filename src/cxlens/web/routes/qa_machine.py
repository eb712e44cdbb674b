"""``/qa/machine`` and its JSON twin ``/api/qa/machine``: the machine reviewer (AutoQA)
beside the people per criterion (the page model is :mod:`cxlens.present.pages.qa_machine`).
Anyone who may see /qa may see it; a vendor viewer sees their own vendor's conversations
only, whatever ``vendor`` the URL asks for."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxlens.accounts.users import User
from cxlens.format import percent
from cxlens.jsonable import records
from cxlens.present.pages import qa_machine as model
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.security import CurrentUser

router = APIRouter()


def _data(request: Request, user: User, vendor: str | None) -> dict[str, Any]:
    page = build(request, model.machine_page, user, vendor)
    return {"criteria": page.tables["criteria"], **page.extra}


@router.get("/qa/machine", response_class=HTMLResponse)
def machine_page(request: Request, user: CurrentUser,
                 vendor: str | None = None) -> HTMLResponse:
    """Per criterion: the machine's and the people's pass rates and their agreement."""
    data = _data(request, user, vendor)
    query = urlencode({k: v for k, v in data["chosen"].items() if v})
    return html(request, "qa_machine.html", user=user, page={"name": "qa"}, query=query,
                percent=percent, **data)


@router.get("/api/qa/machine", tags=["qa"])
def api_machine(request: Request, user: CurrentUser,
                vendor: str | None = None) -> dict[str, Any]:
    """The machine reviewer (AutoQA) beside the people per criterion: pass rates (share of
    criterion scores above the middle of the scale, Wilson 95 % interval, n) of the machine
    and of the people, Krippendorff's α and Cohen's κ on pass/fail with bootstrap 95 %
    intervals on the conversations both scored (n_units), and ``trusted`` (α ≥
    ``trusted_alpha``); ``?vendor=``."""
    data = _data(request, user, vendor)
    return {"filters": data["chosen"], "reviewer": "machine",
            "trusted_alpha": data["trusted_alpha"], "conversations": data["conversations"],
            "criteria": records(data["criteria"])}


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/qa/machine": Source(model.machine_page, "qa_machine.html", "/api/qa/machine")}
