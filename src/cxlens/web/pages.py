"""How the dashboard serves a page: the frame every HTML page renders in (``html``: the
grouped menu, the CSRF token), the page-model pages' cache and their explicit GET routes
(``serve_pages``: each area module in ``web/routes/`` names its own pages; there is no
catch-all, so an unknown path is the app's 404), and ``Source`` (where a bespoke page's
content comes from, for docs/pages.md). Filters live in the URL; the filter bar swaps the
page's content with HTMX and pushes the new URL."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as urlquote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cxlens.accounts.users import User
from cxlens.contracts.store import revision
from cxlens.errors import ConfigError
from cxlens.present import registry
from cxlens.present.filters import BAR, Filters
from cxlens.present.model import Page, PageCtx
from cxlens.present.pages.vendors import next_level
from cxlens.present.render import env
from cxlens.present.scope import limited
from cxlens.store.base import Warehouse
from cxlens.web.choices import choices
from cxlens.web.computing import HEAVY
from cxlens.web.security import (
    CSRF_FIELD,
    CurrentUser,
    csrf_token,
    state,
)
from cxlens.web.state import WebState


@dataclass(frozen=True)
class Source:
    """Where a bespoke page's content comes from, for docs/pages.md: the builder its route
    calls (None: a form with nothing behind it; a dotted name: one imported when used), its
    template and its JSON twin (if any)."""

    builder: Callable[..., object] | str | None
    template: str
    json: str = ""

#: The menu, grouped so that 21 links fit a phone: (group, ((path, label), ...)). Paths are
#: under "/"; "report" opens in a new tab and the Admin group shows to admins only.
NAV_GROUPS = (
    ("Performance", (("overview", "Overview"), ("moved", "What moved"),
                     ("touchpoints", "Touchpoints"),
                     ("journey", "Journey"), ("drivers", "Drivers"), ("cohorts", "Cohorts"),
                     ("impact", "Impact"), ("catalogue", "Metrics"), ("report", "Report"))),
    ("Vendors", (("vendors", "Vendors"), ("contracts", "Contracts"), ("qa", "QA"))),
    ("Voice of the customer", (("verbatims", "Verbatims"), ("surveys", "Surveys"),
                               ("themes", "Themes"), ("sentiment", "Sentiment"),
                               ("customers", "Customers"))),
    ("Operations", (("loop", "Closed loop"), ("cases", "Cases"), ("alerts", "Alerts"),
                    ("uploads", "Uploads"))),
    ("Admin", (("admin/users", "Users"), ("admin/settings", "Settings"),
               ("admin/sync", "Sync"))),
)
#: Entries that are not dashboard pages: the report (new tab) and the admin screens.
NOT_PAGES = ("report", "admin/users", "admin/settings", "admin/sync")
#: The dashboard pages of the menu, in menu order.
NAV = tuple(entry for _, entries in NAV_GROUPS for entry in entries
            if entry[0] not in NOT_PAGES)
#: Menu entries a vendor viewer does not get (company-wide pages that refuse them).
COMPANY_WIDE = ("cohorts", "impact", "customers", "themes", "sentiment", "uploads")
#: Page options in the URL beside the filters (each page reads its own).
OPTIONS = ("level", "outcome", "by", "reference", "metric", "source", "model")


def html(request: Request, template: str, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    text = env.get_template(template).render(request=request, csrf_field=CSRF_FIELD,
                                             csrf=csrf_token(request), nav_groups=NAV_GROUPS,
                                             company_wide=COMPANY_WIDE, **context)
    return HTMLResponse(text, status, headers=headers)


def title_of(name: str) -> str:
    """A page's name in the menu ("Key drivers"), else its name."""
    return dict(NAV).get(name, name.replace("_", " ").capitalize())


def error_page(request: Request, status: int, message: str, hint: str) -> HTMLResponse:
    return html(request, "error.html", status, code=status, message=message, hint=hint,
                user=None)


def page_key(name: str, filters: Filters, options: dict[str, str], user: User,
             ) -> tuple[object, ...]:
    """Cache key: what the page shows depends on the filters and the scope, not on who asks
    (an admin and an analyst see the same page)."""
    scope = user.vendor if limited(user) else "*"
    if name == "vendors" and options.get("level") == next_level(filters):
        options = {k: v for k, v in options.items() if k != "level"}  # the default level
    return ("page", name, filters.key(), tuple(sorted(options.items())), scope)


def _asked(request: Request, name: str, user: User) -> tuple[Filters, dict[str, str]]:
    """The filters (within the user's scope) and page options this request asks for."""
    params = dict(request.query_params)
    filters = registry.relevant(name, Filters.from_query(params).scoped(user))
    options = {k: v for k in OPTIONS if (v := (params.get(k) or "").strip())}  # blank: default
    return filters, options


def page_data(request: Request, name: str, user: User) -> tuple[Page, Filters]:
    """The page for this request's filters and the user's scope (cached per data version)."""
    filters, options = _asked(request, name, user)
    return cached_page(state(request), name, filters, options, user), filters


def _cache_key(st: WebState, name: str, filters: Filters, options: dict[str, str], user: User,
               wh: Warehouse | None = None) -> tuple[object, ...]:
    """The page's key in the dashboard's cache (the data version aside)."""
    key = page_key(name, filters, options, user)
    if name == "vendors":  # its scorecard grid reads the saved contracts
        if wh is None:
            with st.lock:
                return (*key, "contracts", revision(st.wh))
        return (*key, "contracts", revision(wh))
    return key


def cached_page(st: WebState, name: str, filters: Filters, options: dict[str, str],
                user: User, wh: Warehouse | None = None) -> Page:
    """The page, computed once per data version, filters and scope. The pre-computation
    computes on its own connection ``wh``; a request's page is computed off the lock
    (:mod:`cxlens.web.computing`: it may answer "being computed", or with the figures from
    before the data changed, marked as updating)."""
    key = _cache_key(st, name, filters, options, user, wh)

    def build(on: Warehouse) -> Page:
        with st.computing.heavy if name in HEAVY else contextlib.nullcontext():
            return registry.build(name, PageCtx(on, user, filters, options))

    page: Page = (st.cached(key, lambda: build(wh), wh=wh) if wh is not None
                  else st.computing.page(st, name, key, build))
    return page


#: Sent by an updating page's banner (page.html) every few seconds: the answer is 204 while
#: the new figures are being computed, then ``HX-Refresh`` so HTMX reloads the page.
FRESH_CHECK = "X-Cxlens-Fresh-Check"


def fresh_check(request: Request, user: User, name: str) -> Response:
    """Whether page ``name`` for this request is computed for the current data: 204 while
    it is being computed, else 200 with ``HX-Refresh: true`` (ready, or its computation
    ended without a result: the reload then shows why). Looks only: never computes or waits."""
    st = state(request)
    filters, options = _asked(request, name, user)
    key = _cache_key(st, name, filters, options, user)
    full = (st.version(key), *key)
    if st.peek(full)[0] or not st.computing.running(full):
        return Response(headers={"HX-Refresh": "true"})
    return Response(status_code=204)


def show_page(request: Request, user: User, name: str) -> Response:
    """Page-model page ``name`` for this request's filters, in the dashboard's frame."""
    if request.headers.get(FRESH_CHECK):
        return fresh_check(request, user, name)
    data, filters = page_data(request, name, user)
    query = filters.query_string(**{k: request.query_params.get(k) for k in OPTIONS})
    return html(request, "page.html", page=data, filters=filters, user=user, bar=BAR,
                query=query, api=f"/api/pages/{name}", quote=urlquote,
                choices=choices(state(request), user))


def page_route(name: str) -> Callable[[Request, User], Response]:
    """The GET endpoint of page-model page ``name`` (its builder: ``registry.PAGES[name]``).
    Refuses a name the registry does not know when the route module is imported, so a
    misspelt page fails at start, not as a 404 in production."""
    if name not in registry.PAGES:
        raise ConfigError(f"no page {name!r} in the page registry",
                          f"pages: {', '.join(registry.PAGES)} (cxlens.present.registry.PAGES)")

    def endpoint(request: Request, user: CurrentUser) -> Response:
        return show_page(request, user, name)

    endpoint.__name__ = endpoint.__qualname__ = f"{name}_page"
    endpoint.page = name  # type: ignore[attr-defined]  # read by web/pagemap.py (docs/pages.md)
    return endpoint


def serve_pages(router: APIRouter, names: tuple[str, ...]) -> None:
    """One explicit ``GET /{name}`` route on ``router`` for each page-model page of ``names``
    (an area module's own tuple: the menu area decides, not the registry's order)."""
    for name in names:
        router.add_api_route(f"/{name}", page_route(name), methods=["GET"],
                             response_class=HTMLResponse, name=f"{name}_page")
