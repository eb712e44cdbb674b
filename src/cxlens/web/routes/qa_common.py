"""What the QA routes share: who may do what (reviewing and calibration are for admins and
analysts; a vendor viewer sees only their vendor's interactions, reviews, disputes and
agents) and the scores of a posted scorecard form. The scorecards and the scoped look-ups
live with the page model (``cxlens.present.pages.qa``), re-exported here for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from cxlens.accounts.users import User
from cxlens.present.pages.qa import card as card  # shared with the page model
from cxlens.present.pages.qa import cards as cards
from cxlens.present.pages.qa import date_param as date_param
from cxlens.present.pages.qa import failed_critical as failed_critical
from cxlens.present.pages.qa import form_values as form_values
from cxlens.present.pages.qa import interaction as interaction
from cxlens.present.pages.qa import review as review
from cxlens.present.scope import limited
from cxlens.web.security import Forbidden, require_user

#: Prefix of a criterion's field in the scorecard forms (``score.tone=4``).
SCORE = "score."
#: Prefix of an arbiter's new score in the dispute decision form (``adjust.tone=3``).
ADJUST = "adjust."


def require_staff(request: Request) -> User:
    """Admins and analysts; a vendor viewer gets 403."""
    user = require_user(request)
    if limited(user):
        raise Forbidden("reviewing and calibration are for the CX team's admins and analysts",
                        "as a vendor viewer you see your vendor's QA scores on /qa and can "
                        "contest a review on /qa/disputes")
    return user


StaffUser = Annotated[User, Depends(require_staff)]


async def form_data(request: Request) -> FormData:
    """The posted form (already read by the CSRF check; Starlette keeps it)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(form_data)]


def posted_scores(form: FormData, prefix: str = SCORE) -> dict[str, str]:
    """criterion → value of the form's ``score.<criterion>`` fields (empty ones left out)."""
    return {k[len(prefix):]: str(v) for k, v in form.multi_items()
            if k.startswith(prefix) and str(v).strip()}
