"""The active survey configuration, kept in the warehouse so the scheduled runs, the hosted
pages and the dashboard all use the same one (``cxlens surveys load FILE`` or the dashboard's
programmes page store it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cxlens import accounts  # the audit log
from cxlens.store import meta
from cxlens.store.base import Warehouse
from cxlens.surveys.spec import Config, parse

KEY = "surveys.config"
EXAMPLE = Path(__file__).with_name("example.yaml")


def example_text() -> str:
    """The example programmes (docs/examples/programmes.yaml is generated from it; the demo
    loads it)."""
    return EXAMPLE.read_text(encoding="utf-8")


def text(wh: Warehouse) -> str | None:
    return meta.get(wh, KEY)


def current(wh: Warehouse) -> Config:
    """The stored configuration (defaults only when none was loaded)."""
    body = text(wh)
    return parse(body, "the stored survey configuration") if body else Config()


def save(wh: Warehouse, body: str, who: str | None = None) -> Config:
    """Validate ``body`` (every problem at once) and make it the active configuration."""
    config = parse(body)
    accounts.ensure(wh)
    with wh.transaction():
        meta.put(wh, KEY, body)
        accounts.audit.record(wh, who, "surveys_config",
                              f"{len(config.programmes)} programme(s) at "
                              f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}")
    return config
