"""The dashboard's pages by name, in menu order."""

from __future__ import annotations

from collections.abc import Callable

from cxlens.errors import NotFound, did_you_mean
from cxlens.web import views, views_loop, views_more
from cxlens.web.views import Ctx, Page

PAGES: dict[str, Callable[[Ctx], Page]] = {
    "overview": views.overview,
    "touchpoints": views_more.touchpoints,
    "journey": views_more.journey,
    "vendors": views.vendors,
    "agent": views_more.agent,
    "verbatims": views.verbatims,
    "surveys": views_loop.surveys,
    "loop": views_loop.loop,
    "catalogue": views.catalogue_page,
}


def build(name: str, ctx: Ctx) -> Page:
    if name not in PAGES:
        raise NotFound(f"no page {name!r}.{did_you_mean(name, PAGES)}",
                       f"pages: {', '.join(PAGES)}")
    return PAGES[name](ctx)
