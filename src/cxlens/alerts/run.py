"""Running the alert rules: judge the last complete month before "as of" for every rule and
segment, record what breaches (once per breach), then deliver — the dashboard reads the table,
webhooks go through the outbox, e-mails through SMTP.

``replay`` runs the check month by month (as a monthly schedule would have), which is how a new
installation fills its history and how the demo finds its drifting vendor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from cxlens import webhooks
from cxlens.alerts import config as alert_config
from cxlens.alerts import email, store
from cxlens.alerts.checks import CHECKS, Judgement
from cxlens.alerts.emerging import emerging
from cxlens.alerts.figures import judged_month, month_start
from cxlens.alerts.spec import Config
from cxlens.dates import add_months
from cxlens.errors import ConfigError
from cxlens.metrics.query import resolve_all
from cxlens.store.base import Warehouse
from cxlens.store.migrate import data_version
from cxlens.surveys import config as surveys_config


@dataclass
class Run:
    month: dt.date
    judgements: list[Judgement] = field(default_factory=list)
    changes: store.Changes = field(default_factory=store.Changes)
    emails_sent: int = 0
    emails_failed: int = 0
    webhooks_delivered: int = 0
    webhooks_failed: int = 0


def default_as_of(wh: Warehouse) -> dt.date:
    """Today, or the first day after the month of the latest contact when the data stops
    earlier (so a warehouse of past data judges its own last month)."""
    latest = wh.scalar("SELECT max(created_at) FROM interactions")
    today = dt.datetime.now(dt.UTC).date()
    if latest is None:
        return today
    return min(today, add_months(month_start(latest.date()), 1))


def judge(wh: Warehouse, cfg: Config, month: dt.date,
          rules: list[str] | None = None) -> list[Judgement]:
    """Every rule's judgements of ``month`` (first day)."""
    chosen = [cfg.rule(r) for r in rules] if rules else list(cfg.rules)
    out: list[Judgement] = []
    for rule in chosen:
        if rule.check == "emerging":  # themes of comments, not a metric
            out += emerging(wh, rule, month)
            continue
        metric = resolve_all(wh, [rule.metric], {})[0]
        out += CHECKS[rule.check](wh, rule, metric, month)
    return out


def check(wh: Warehouse, as_of: dt.date | None = None, *, rules: list[str] | None = None,
          deliver: bool = True, now: dt.datetime | None = None) -> Run:
    """Judge the last complete month before ``as_of``, record, and (``deliver``) send."""
    cfg = alert_config.current(wh)
    if not cfg.rules:
        raise ConfigError("no alert rules are loaded",
                          "cxlens alerts load FILE (docs/alerts.md has an example)")
    now = now or dt.datetime.now(dt.UTC)
    month = judged_month(as_of or default_as_of(wh))
    run = Run(month, judge(wh, cfg, month, rules))
    survey_cfg = surveys_config.current(wh)
    recipients = {r.name: tuple(dict.fromkeys((*cfg.email, *r.email))) for r in cfg.rules}
    run.changes = store.record(wh, run.judgements, now, recipients, survey_cfg.webhooks)
    if deliver:
        run.emails_sent, run.emails_failed = email.deliver(wh, survey_cfg.delivery.email, now)
        if survey_cfg.webhooks:
            run.webhooks_delivered, run.webhooks_failed = webhooks.deliver(wh, now)
    return run


def replay(wh: Warehouse, since: dt.date, until: dt.date | None = None, *,
           rules: list[str] | None = None, deliver: bool = True,
           progress: Callable[[Run], None] | None = None) -> list[Run]:
    """:func:`check` as of the first day of every month after ``since`` up to ``until``."""
    last = judged_month(until or default_as_of(wh))
    runs = []
    month = month_start(since)
    while month <= last:
        run = check(wh, add_months(month, 1), rules=rules, deliver=deliver)
        runs.append(run)
        if progress:
            progress(run)
        month = add_months(month, 1)
    return runs


@dataclass
class Schedule:
    """When ``cxlens serve`` runs the checks (with DuckDB only the server may write): on its
    first tick, then whenever the data, the rules or the month to judge changed — at most once
    per ``every`` seconds, so a stream of survey answers does not re-run them constantly.
    Checks are idempotent, so a run that changes nothing costs only its queries."""

    every: float = 3600.0
    key: tuple[str, str, dt.date] | None = None
    last: float | None = None  # monotonic seconds of the last run

    def tick(self, wh: Warehouse, now_s: float) -> Run | None:
        rules = alert_config.text(wh)
        if not rules:
            return None
        key = (data_version(wh), rules, judged_month(default_as_of(wh)))
        if key == self.key or (self.last is not None and now_s - self.last < self.every):
            return None
        run = check(wh)
        self.key, self.last = key, now_s
        return run
