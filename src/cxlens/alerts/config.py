"""The active alert rules, kept in the warehouse (``cxlens_meta`` key ``alerts.config``) so
scheduled checks, the CLI and the dashboard judge by the same ones. Saving checks every rule's
metric, segments and filter against the catalogue first and reports every problem at once."""

from __future__ import annotations

from pathlib import Path

from cxlens import accounts  # the audit log (as for the survey configuration)
from cxlens.alerts.spec import HINT, Config, parse
from cxlens.errors import ConfigError, CxlensError
from cxlens.metrics.compile import Request, check_request
from cxlens.metrics.query import resolve_all
from cxlens.store import meta
from cxlens.store.base import Warehouse

KEY = "alerts.config"
EXAMPLE = Path(__file__).with_name("example.yaml")


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def text(wh: Warehouse) -> str | None:
    return meta.get(wh, KEY)


def current(wh: Warehouse) -> Config:
    """The stored rules (none when nothing was loaded)."""
    body = text(wh)
    return parse(body, "the stored alert rules") if body else Config()


def problems(wh: Warehouse, config: Config) -> list[str]:
    """Every rule whose metric, segments or filter the warehouse cannot compute."""
    out = []
    for rule in config.rules:
        if rule.check == "emerging":  # no metric: it judges the stored comment themes
            continue
        try:
            metric = resolve_all(wh, [rule.metric], {})[0]
            check_request(metric, Request(dims=rule.by, where=rule.where))
        except CxlensError as exc:
            out.append(f"rule {rule.name}: {exc.message}")
            continue
        if rule.check == "sla" and metric.higher_is_better is None:
            out.append(f"rule {rule.name}: {metric.full_name} has no better direction, so an "
                       "SLA cannot be missed; use a threshold rule with below or above")
    return out


def save(wh: Warehouse, body: str, who: str | None = None) -> Config:
    """Validate ``body`` (every problem at once) and make it the active rules."""
    config = parse(body)
    found = problems(wh, config)
    if found:
        raise ConfigError(f"{len(found)} problem(s), nothing saved: " + " | ".join(found), HINT)
    accounts.ensure(wh)
    with wh.transaction():
        meta.put(wh, KEY, body)
        accounts.audit.record(wh, who, "alerts_config", f"{len(config.rules)} rule(s)")
    return config
