"""How a thin route runs a bespoke page's builder (``cxlens.present.pages``): the vendor in
scope decided by ``present.scope`` (never by the route), the request's parameters passed as
options, the dashboard's cache lent (kept per data version), the warehouse held under the
state's lock while the builder reads it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from cxlens.accounts.users import User
from cxlens.present.filters import Filters
from cxlens.present.model import Page, PageCtx
from cxlens.web.security import state


def build(request: Request, builder: Callable[[PageCtx], Page], user: User,
          vendor: str | None = None, **options: str | None) -> Page:
    """``builder``'s page for ``user``, limited to the vendor in scope (a vendor viewer's own,
    else ``vendor``; None: every vendor); options that are None are left out."""
    st = state(request)
    asked = {"vendor": vendor, **options}  # the vendor as asked, for the page's form
    ctx = PageCtx(st.wh, user, Filters(vendor=vendor).scoped(user),
                  {k: v for k, v in asked.items() if v is not None}, st.cached)
    with st.lock:
        return builder(ctx)
