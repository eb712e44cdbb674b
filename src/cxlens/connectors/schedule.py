"""The scheduled sync: which accounts ``cxlens serve --sync-config FILE`` syncs, and how
often. The file names no credential, only where to read it (``token_file``, or the
connector's environment variable), so it can live beside the deployment's other settings::

    every_minutes: 15
    accounts:
      - source: zendesk
        url: https://acme.zendesk.com
        email: lead@acme.com
        token_file: /etc/cxlens/zendesk.token
      - source: freshdesk
        url: https://acme.freshdesk.com      # key from $CXLENS_FRESHDESK_TOKEN

:func:`run_due` is the one job (every account whose turn it is, one after the other), so a
deployment with several workers can wrap it in a lock and run it once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxlens.errors import ConfigError, CxlensError
from cxlens.store import meta
from cxlens.store.base import Warehouse

if TYPE_CHECKING:
    from cxlens.connectors.accounts import Account
    from cxlens.connectors.engine import SyncResult

log = logging.getLogger("cxlens.sync")
#: Where the schedule is published for the admin page (any worker can show it).
META_KEY = "sync.schedule"


class _AccountSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    url: str
    email: str | None = None
    token_file: Path | None = None
    since: dt.date | None = None
    tickets_mapping: str | None = None


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    every_minutes: float = Field(15, gt=0)
    accounts: list[_AccountSpec] = Field(min_length=1)


@dataclass
class Schedule:
    accounts: list[Account]
    every: dt.timedelta
    next_run: dt.datetime | None = None  # None: at once
    running: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def due(self, now: dt.datetime) -> bool:
        return self.next_run is None or now >= self.next_run

    def wait(self, now: dt.datetime) -> float:
        """Seconds until the next run."""
        return 0.0 if self.next_run is None else max(0.0, (self.next_run - now).total_seconds())


def load(path: str | Path) -> Schedule:
    """The schedule in ``path``; every problem at once, with the file and key, before the
    server starts."""
    from cxlens.connectors.accounts import DEFAULT_SINCE, Account
    from cxlens.extras import require

    require("connectors")
    file = Path(path).expanduser()
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        config = _Config.model_validate(doc)
    except OSError as exc:
        raise ConfigError(f"cannot read the sync configuration {file} ({type(exc).__name__})",
                          "give the path of a readable YAML file (docs/connectors.md)") from None
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{file}: not a valid sync configuration: {exc}",
                          "see docs/connectors.md for its keys") from None
    accounts = [Account(a.source, a.url, a.token_file, a.email,
                        dt.datetime.combine(a.since, dt.time(), dt.UTC) if a.since
                        else DEFAULT_SINCE, a.tickets_mapping) for a in config.accounts]
    return Schedule(accounts, dt.timedelta(minutes=config.every_minutes))


def run_due(wh: Warehouse, schedule: Schedule, now: dt.datetime | None = None) -> int:
    """Sync every account of ``schedule`` when it is due; the number of accounts that
    failed (each failure is in ``sync_runs`` and the log, without any credential)."""
    now = now or dt.datetime.now(dt.UTC)
    if not schedule.due(now):
        return 0
    failed = 0
    with schedule.lock:
        schedule.running = True
        try:
            for account in schedule.accounts:
                try:
                    run_logged(wh, account)
                except CxlensError:
                    failed += 1
        finally:
            schedule.running = False
            schedule.next_run = dt.datetime.now(dt.UTC) + schedule.every
            publish(wh, schedule)
    return failed


def run_logged(wh: Warehouse, account: Account, how: str = "sync") -> SyncResult:
    """Sync ``account`` in the server, with one log line either way (no credential in it);
    the scheduled sync and a sync handed over by ``cxlens sync`` (``how``) both run this.
    A failure is raised again after its log line."""
    from cxlens.connectors.accounts import sync

    try:
        result = sync(wh, account)
    except CxlensError as exc:
        log.warning("%s %s failed: %s", how, account.source, exc.message)
        raise
    log.info("%s %s: %d page(s), %d record(s) new or changed", how, account.source,
             result.pages, result.read)
    return result


def publish(wh: Warehouse, schedule: Schedule) -> None:
    """Record the schedule (accounts by source and URL, the interval, the next run) in the
    warehouse, for ``/admin/sync``; no credential is part of it."""
    doc = {"every_minutes": schedule.every.total_seconds() / 60,
           "accounts": [[a.source, a.url] for a in schedule.accounts],
           "next_run": schedule.next_run.isoformat() if schedule.next_run else None}
    with wh.transaction():
        meta.put(wh, META_KEY, json.dumps(doc))


def published(wh: Warehouse) -> dict[str, object] | None:
    """The schedule a server published, or None when no server syncs on a schedule."""
    text = meta.get(wh, META_KEY)
    return None if text is None else dict(json.loads(text))
