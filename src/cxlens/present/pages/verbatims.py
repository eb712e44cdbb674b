"""The verbatims page: the "Why?" comments of customers short of the top, most recent first,
personal data redacted."""

from __future__ import annotations

import ibis

from cxlens.errors import NotFound
from cxlens.metrics.definition import definition
from cxlens.metrics.query import parse_time
from cxlens.present.filters import where
from cxlens.present.model import Page, PageCtx
from cxlens.text.redact import redact

#: The answers whose "Why?" the verbatims page shows: every answer short of the top — NPS
#: answers not on ``nps``'s positive side (detractors and passives, 0–8) and CSAT answers not
#: meeting ``csat``'s condition (dissatisfied and neutral: below the top two boxes). Passives
#: and neutrals are read deliberately: what keeps a customer from the top is the lesson.
VERBATIM_NPS, VERBATIM_CSAT = "nps", "csat"
VERBATIM_COLUMNS = ("responded_at", "survey", "score", "comment", "vendor", "channel",
                    "category")


def verbatims(ctx: PageCtx, limit: int = 200) -> Page:
    """Detractor and passive "Why?" comments (short of the catalogue's promoters and satisfied
    answers), most recent first, with e-mail addresses, phone and card numbers redacted."""
    page = Page("verbatims", "Voice of the customer")
    nps, csat = definition(VERBATIM_NPS, ctx.wh), definition(VERBATIM_CSAT, ctx.wh)
    text, cannot = where(nps.metric, ctx.filters)
    if cannot:  # never show rows a filter (a vendor viewer's vendor) could not narrow
        raise NotFound(f"comments cannot be filtered by {', '.join(cannot)}",
                       "remove that filter")
    rel = nps.rows(ctx.wh, parse_time(ctx.filters.start), parse_time(ctx.filters.end, end=True),
                   text, columns=VERBATIM_COLUMNS)  # (csat shares the table and time column)
    short = (nps.in_population(rel) & ~nps.positive(rel)) | \
        (csat.in_population(rel) & ~csat.condition(rel))
    rel = rel.filter(rel.comment.notnull() & rel.score.notnull() & short)
    frame = rel.order_by([ibis.desc(nps.time), "response_id"]).select(*VERBATIM_COLUMNS) \
        .limit(int(limit)).to_pandas()
    frame["comment"] = frame["comment"].map(redact)
    page.tables["comments"] = frame
    page.notes.append("Personal data (e-mail addresses, phone and card numbers) is redacted.")
    return page
