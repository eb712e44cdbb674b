"""The admin pages' models: ``/admin/users`` (the people, their roles and vendors, the API
tokens and the latest audit entries) and ``/admin/settings`` (every metric parameter with its
built-in default, this warehouse's stored default and the metrics that use it, the working
schedules stored and the overview's targets)."""

from __future__ import annotations

import pandas as pd

from cxlens import accounts
from cxlens.accounts import audit
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.query import warehouse_params
from cxlens.present.model import Page, PageCtx
from cxlens.store import meta
from cxlens.targets import HEADLINE, stored

#: Audit entries shown on /admin/users (the rest: ``cxlens users audit``).
AUDIT = 50


def users(ctx: PageCtx) -> Page:
    """``extra``: ``people`` (every user), ``tokens`` (every API token, revoked ones too),
    ``log`` (the latest ``AUDIT`` audit entries) and ``roles`` (the form's choices)."""
    page = Page("admin_users", "Users")
    page.extra.update(people=accounts.users.listing(ctx.wh),
                      tokens=accounts.tokens.listing(ctx.wh), log=audit.recent(ctx.wh, AUDIT),
                      roles=accounts.users.ROLES)
    return page


def parameters() -> dict[str, tuple[object, list[str]]]:
    """Every metric parameter: its built-in default and the metrics that use it."""
    out: dict[str, tuple[object, list[str]]] = {}
    for metric in catalogue().values():
        for name, default in metric.params.items():
            out.setdefault(name, (default, []))[1].append(metric.name)
    return out


def settings(ctx: PageCtx) -> Page:
    """Table ``parameters`` (parameter, default, stored, metrics); ``extra``: ``rows`` (the
    same as tuples, for the form), ``schedules`` (the stored schedules' names) and ``targets``
    (each headline metric's id, label, unit, stored target and margin)."""
    stored = warehouse_params(ctx.wh)
    rows = [(name, default, stored.get(name), ", ".join(users))
            for name, (default, users) in sorted(parameters().items())]
    page = Page("settings", "Settings")
    page.tables["parameters"] = pd.DataFrame(
        rows, columns=["parameter", "default", "stored", "metrics"])
    page.extra.update(rows=rows, schedules=meta.names(ctx.wh, "schedule."),
                      targets=targets(ctx))
    return page


def targets(ctx: PageCtx) -> list[tuple[str, str, str, str, str]]:
    """The overview's headline metrics: (id, label, unit, stored target, stored margin)."""
    out = []
    for name in HEADLINE:
        metric = resolve(name)
        value, margin = stored(ctx.wh, name)
        out.append((name, metric.label, metric.unit.value,
                    "" if value is None else f"{value:g}",
                    "" if margin is None else f"{margin:g}"))
    return out
