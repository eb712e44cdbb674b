"""Alerts kept in the warehouse (table ``cxlens_alerts``), one row per *breach*: a rule and
segment that starts breaching opens an alert; later months that still breach only extend it
(``last_month``, the latest figure); the first month judged without a breach resolves it. So a
breach is alerted once however often the check runs, and a new breach after a recovery is a new
alert. Judging a month an alert already covers changes nothing (checks are idempotent).

Opening and resolving queue the ``alert.opened`` / ``alert.resolved`` webhook events in the
same transaction (the outbox of :mod:`cxlens.webhooks`)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxlens import webhooks
from cxlens.alerts import segments
from cxlens.alerts.checks import Judgement
from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

_S, _T, _F, _I = Type.STRING, Type.TIMESTAMP, Type.FLOAT, Type.INTEGER
ALERTS = Table("cxlens_alerts", "Alerts: one row per breach of an alert rule (docs/alerts.md).", (
    Column("alert_id", _S, "Unique id (al_…).", required=True),
    Column("rule", _S, "The rule's name.", required=True),
    Column("check_kind", _S, "threshold, sla, control, drift or emerging (a comment theme "
           "that is new or jumps).", required=True),
    Column("metric", _S, "The metric judged.", required=True),
    Column("segment", _S, "e.g. vendor=Northwind BPO; all for the whole population.",
           required=True),
    Column("first_month", _S, "The first month that breached (YYYY-MM).", required=True),
    Column("last_month", _S, "The latest month judged that still breached.", required=True),
    Column("resolved_month", _S, "The first month judged without a breach (open: empty)."),
    Column("status", _S, "open or resolved.", required=True),
    Column("covering", _S, "Months the latest figure covers (drift: the recent window)."),
    Column("value", _F, "The latest breaching figure."),
    Column("n", _I, "Its sample size."),
    Column("ci_low", _F, "Its 95 % interval."),
    Column("ci_high", _F, ""),
    Column("limit_value", _F, "The threshold, target or control limit crossed; drift: the "
           "figure before."),
    Column("change", _F, "drift: the change, with its 95 % interval."),
    Column("change_low", _F, ""),
    Column("change_high", _F, ""),
    Column("p_value", _F, "drift: the test's p-value."),
    Column("message", _S, "What breached, in a sentence."),
    Column("opened_at", _T, "When the check that opened it ran.", required=True),
    Column("updated_at", _T, "When a check last extended or resolved it.", required=True),
    Column("email_to", _S, "Recipients (comma-separated), empty for none."),
    Column("emailed_at", _T, "When the e-mail went out."),
    Column("email_attempts", _I, "E-mail attempts so far."),
    Column("email_error", _S, "Why the last e-mail attempt failed."),
), key=("alert_id",), personal=keep("figures per segment, no customer rows; recipients are "
                                    "staff"))
TABLES = (ALERTS,)
EVENTS = ("alert.opened", "alert.resolved")
_FIGURE = ("covering", "value", "n", "ci_low", "ci_high", "limit_value", "change", "change_low",
           "change_high", "p_value", "message")


def ensure(wh: Warehouse) -> None:
    wh.ensure(ALERTS)
    webhooks.ensure(wh)


@dataclass
class Changes:
    opened: list[str] = field(default_factory=list)
    extended: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    unchanged: int = 0


def _figure(j: Judgement) -> list[Any]:
    return [j.window, j.value, j.n, j.ci_low, j.ci_high, j.limit, j.change, j.change_low,
            j.change_high, j.p_value, j.message]


def payload(row: dict[str, Any]) -> dict[str, Any]:
    """What webhooks and e-mails carry about an alert."""
    keep = ("alert_id", "rule", "check_kind", "metric", "segment", "first_month", "last_month",
            "resolved_month", "status", *_FIGURE)
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()
            if k in keep}


COLUMNS = tuple(c.name for c in ALERTS.columns)


def _by_segment(wh: Warehouse, rules: set[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The recorded alerts of ``rules`` per (rule, segment), oldest breach first."""
    if not rules:
        return {}
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM cxlens_alerts WHERE rule IN "
                    f"({', '.join('?' * len(rules))}) ORDER BY first_month", sorted(rules))
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        alert = dict(zip(COLUMNS, r, strict=True))
        out.setdefault((alert["rule"], alert["segment"]), []).append(alert)
    return out


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def _covers(alert: dict[str, Any], month: str) -> bool:
    resolved = alert["resolved_month"]
    return bool(alert["first_month"] <= month and (resolved is None or month < resolved))


def record(wh: Warehouse, judgements: Sequence[Judgement], now: dt.datetime,
           recipients: dict[str, tuple[str, ...]], hooks: Sequence[Any] = ()) -> Changes:
    """Open, extend or resolve alerts from ``judgements`` in one transaction; queue webhook
    events for opened and resolved ones. ``recipients``: e-mail addresses per rule."""
    ensure(wh)
    changes = Changes()
    events: list[tuple[str, dict[str, Any], str | None]] = []
    new: list[list[Any]] = []
    with wh.transaction():
        known = _by_segment(wh, {j.rule for j in judgements})
        for j in judgements:
            month = _month(j.month)
            alerts = known.setdefault((j.rule, j.segment), [])
            open_ = next((a for a in alerts if a["status"] == "open"), None)
            if j.breached and open_ is not None:
                if month > open_["last_month"]:
                    wh.execute("UPDATE cxlens_alerts SET last_month = ?, "
                               + ", ".join(f"{c} = ?" for c in _FIGURE)
                               + ", updated_at = ? WHERE alert_id = ?",
                               [month, *_figure(j), now, open_["alert_id"]])
                    changes.extended.append(open_["alert_id"])
                else:
                    changes.unchanged += 1
            elif j.breached and not any(_covers(a, month) for a in alerts):
                row = ["al_" + secrets.token_hex(8), j.rule, j.check, j.metric, j.segment, month,
                       month, None, "open", *_figure(j), now, now,
                       ", ".join(recipients.get(j.rule, ())), None, 0, None]
                alert = dict(zip(COLUMNS, row, strict=True))
                alerts.append(alert)
                new.append(row)
                changes.opened.append(alert["alert_id"])
                events.append(("alert.opened", payload(alert), None))
            elif not j.breached and open_ is not None and month > open_["last_month"]:
                wh.execute("UPDATE cxlens_alerts SET status = 'resolved', resolved_month = ?, "
                           "updated_at = ? WHERE alert_id = ?",
                           [month, now, open_["alert_id"]])
                open_.update(status="resolved", resolved_month=month, updated_at=now)
                changes.resolved.append(open_["alert_id"])
                events.append(("alert.resolved", payload(open_), None))
            else:
                changes.unchanged += 1
        wh.insert_rows("cxlens_alerts", COLUMNS, new)
        if hooks and events:
            webhooks.emit_many(wh, hooks, events, now)
    return changes


def listing(wh: Warehouse, status: str | None = None, vendor: str | None = None
            ) -> pd.DataFrame:
    """Alerts, open first then most recent breach first; ``status`` open or resolved;
    ``vendor``: only alerts on a segment of that vendor (what its viewers may see)."""
    ensure(wh)
    where = " WHERE status = ?" if status else ""
    frame = wh.query_df("SELECT * FROM cxlens_alerts" + where + " ORDER BY CASE WHEN status = "
                        "'open' THEN 0 ELSE 1 END, last_month DESC, rule, segment",
                        [status] if status else [])
    if vendor is None:
        return frame
    mine = [segments.values(str(s)).get("vendor") == vendor for s in frame["segment"]]
    return frame[mine].reset_index(drop=True)
