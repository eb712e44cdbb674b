"""``/alerts``: breaches of the alert rules (docs/alerts.md), open first, within the vendor in
scope; the rules themselves for the CX team (not for a vendor viewer)."""

from __future__ import annotations

from cxlens.alerts import config as alert_config
from cxlens.alerts import store
from cxlens.errors import ConfigError
from cxlens.present.model import Page, PageCtx
from cxlens.present.scope import own_vendor

STATUSES = ("open", "resolved")


def alerts(ctx: PageCtx) -> Page:
    """Table ``alerts`` (option ``status``: open, resolved or blank for both); ``extra``:
    ``rules`` (the configured rules; None for a vendor viewer) and ``status``."""
    status = ctx.options.get("status") or None
    if status not in (None, *STATUSES):
        raise ConfigError(f"status {status!r} is not open or resolved",
                          "use ?status=open or ?status=resolved, or leave it out")
    page = Page("alerts", "Alerts")
    page.tables["alerts"] = store.listing(ctx.wh, status, ctx.vendor)
    rules = None
    if own_vendor(ctx.user) is None:
        rules = [r.model_dump(exclude_defaults=True)
                 for r in alert_config.current(ctx.wh).rules]
    page.extra.update(rules=rules, status=status or "")
    return page
