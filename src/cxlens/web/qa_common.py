"""What the QA pages share: who may do what (reviewing and calibration are for admins and
analysts; a vendor viewer sees only their vendor's interactions, reviews, disputes and
agents), the scores of a scorecard form, and values made ready for JSON and templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

from cxlens.accounts.users import User
from cxlens.dates import parse_bound
from cxlens.errors import NotFound
from cxlens.qa import scoring, sessions
from cxlens.qa.scorecards import Scorecard, Scorecards, builtin
from cxlens.store.base import Warehouse
from cxlens.web.security import Forbidden, require_user

#: Prefix of a criterion's field in the scorecard forms (``score.tone=4``).
SCORE = "score."
#: Prefix of an arbiter's new score in the dispute decision form (``adjust.tone=3``).
ADJUST = "adjust."
FACTS = ("interaction_id", "channel", "vendor", "site", "team", "agent_id", "category",
         "created_at", "closed_at")


def require_staff(request: Request) -> User:
    """Admins and analysts; a vendor viewer gets 403."""
    user = require_user(request)
    if user.role == "vendor":
        raise Forbidden("reviewing and calibration are for the CX team's admins and analysts",
                        "as a vendor viewer you see your vendor's QA scores on /qa and can "
                        "contest a review on /qa/disputes")
    return user


StaffUser = Annotated[User, Depends(require_staff)]


async def form_data(request: Request) -> FormData:
    """The posted form (already read by the CSRF check; Starlette keeps it)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(form_data)]


def own_vendor(user: User) -> str | None:
    """The vendor a user is limited to (vendor viewers), or None (everything)."""
    return user.vendor if user.role == "vendor" else None


def cards() -> Scorecards:
    return builtin()


def card(name: str) -> Scorecard:
    return cards().get(name)


def interaction(wh: Warehouse, user: User, interaction_id: str) -> dict[str, Any]:
    """The interaction's facts; NotFound when missing or of another vendor (a vendor viewer
    is not told it exists)."""
    rows = wh.query(f"SELECT {', '.join(FACTS)} FROM interactions WHERE interaction_id = ?",
                    [interaction_id])
    vendor = own_vendor(user)
    if not rows or (vendor is not None and rows[0][2] != vendor):
        raise NotFound(f"no interaction {interaction_id!r}",
                       "interaction ids are interactions.interaction_id"
                       + ("; you see your vendor's only" if vendor else ""))
    return dict(zip(FACTS, rows[0], strict=True))


def review(wh: Warehouse, user: User, review_id: str) -> tuple[sessions.Review, dict[str, Any]]:
    """A review of qa_reviews and its interaction, within the user's scope."""
    try:
        found = sessions.get_review(wh, review_id, scorecards=cards())
        facts = interaction(wh, user, found.interaction_id)
    except NotFound:
        raise NotFound(f"no QA review {review_id!r}", "the reviews you can see are listed on "
                       "/qa") from None
    return found, facts


def posted_scores(form: FormData, prefix: str = SCORE) -> dict[str, str]:
    """criterion → value of the form's ``score.<criterion>`` fields (empty ones left out)."""
    return {k[len(prefix):]: str(v) for k, v in form.multi_items()
            if k.startswith(prefix) and str(v).strip()}


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
