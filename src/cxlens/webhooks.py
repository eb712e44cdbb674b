"""Outgoing webhooks: events (a new response, a new case, an overdue case, a case reminder,
an alert opened or resolved) are written to an outbox in the same transaction as the change
that caused them, then posted as JSON — or as a Slack-compatible message — signed with
HMAC-SHA256, and retried with back-off until the receiver answers 2xx. Nothing is lost when
the receiver is down.

Signature: ``X-Cxlens-Signature: sha256=<hex of HMAC(secret, timestamp + "." + body)>`` with
``X-Cxlens-Timestamp``; receivers recompute it and reject stale timestamps."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from cxlens.personal import by, delete
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

_S, _T, _I = Type.STRING, Type.TIMESTAMP, Type.INTEGER
OUTBOX = Table("cxlens_outbox", "Webhook events waiting to be delivered (and delivered ones).", (
    Column("event_id", _S, "Unique id (sent as X-Cxlens-Event-Id; receivers dedupe on it).",
           required=True),
    Column("event", _S, "response.created, case.created, case.overdue, case.reminder, "
           "alert.opened, alert.resolved.",
           required=True),
    Column("url", _S, "Receiver.", required=True),
    Column("format", _S, "json or slack."),
    Column("secret_env", _S, "Environment variable with the signing secret."),
    Column("payload", _S, "The JSON body.", required=True),
    Column("customer_id", _S, "Whose data it carries (erased with the customer)."),
    Column("created_at", _T, "When the event happened.", required=True),
    Column("attempts", _I, "Delivery attempts so far."),
    Column("next_at", _T, "Next attempt."),
    Column("delivered_at", _T, "When the receiver accepted it."),
    Column("last_error", _S, "Why the last attempt failed."),
), key=("event_id",), personal=delete(by("customer"), by("mention", "payload")))
TABLES = (OUTBOX,)
MAX_ATTEMPTS = 8


def ensure(wh: Warehouse) -> None:
    wh.ensure(OUTBOX)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def mrkdwn(value: Any) -> str:
    """``value`` as literal Slack text: Slack reads ``<…>`` as a mention (``<!channel>``,
    ``<@U123>``) or a link (``<https://…|click here>``), so a comment or a vendor name could
    notify a whole channel or hide a link; its documented escaping (``&`` ``<`` ``>`` as
    entities) shows the text as written. Only for user text: the message's own formatting is
    added around it."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(event: str, data: dict[str, Any]) -> dict[str, Any]:
    """A Slack-compatible message (``text`` plus one section block) for an event; every value
    of ``data`` is user text (:func:`mrkdwn`), the comment quoted line by line."""
    v = {k: mrkdwn(x) for k, x in data.items()}
    survey = mrkdwn(str(data.get("survey") or "").upper())
    if event == "response.created":
        line = f"New {survey} answer: {v.get('score')} from {v.get('customer_id')}"
    elif event.startswith("alert."):
        what = "Alert" if event == "alert.opened" else "Alert resolved"
        line = f"{what} ({v.get('rule')}): {v.get('message')}"
    else:
        what = {"case.created": "New follow-up case", "case.overdue": "Overdue case, escalated",
                "case.reminder": "Case due soon"}.get(event, event)
        line = (f"{what} {v.get('case_id')}: {survey} {v.get('score')} — owner "
                f"{v.get('owner')}, due {v.get('due_at')}")
    if data.get("comment") and not event.startswith("alert."):
        line += "".join(f"\n> {part}" for part in v["comment"].splitlines())
    return {"text": line, "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                                  "text": line}}]}


_OUTBOX = ("event_id", "event", "url", "format", "secret_env", "payload", "customer_id",
           "created_at", "attempts", "next_at")


def emit(wh: Warehouse, hooks: Sequence[Any], event: str, data: dict[str, Any],
         now: dt.datetime, customer_id: str | None = None) -> int:
    """Queue ``event`` for every webhook subscribed to it (call inside the change's
    transaction). Returns how many were queued."""
    return emit_many(wh, hooks, [(event, data, customer_id)], now)


def emit_many(wh: Warehouse, hooks: Sequence[Any],
              events: Sequence[tuple[str, dict[str, Any], str | None]],
              now: dt.datetime) -> int:
    """:func:`emit` for several ``(event, data, customer_id)`` at once, in one statement."""
    rows: list[list[Any]] = []
    for event, data, customer_id in events:
        for hook in hooks:
            if event not in hook.events:
                continue
            eid = "evt_" + secrets.token_hex(10)
            body = {"id": eid, "event": event, "occurred_at": now.isoformat(), "data": data}
            if hook.format == "slack":
                body = slack_text(event, data)
            rows.append([eid, event, hook.url, hook.format, hook.secret_env,
                         json.dumps(body, default=str), customer_id, now, 0, now])
    wh.insert_rows("cxlens_outbox", _OUTBOX, rows)
    return len(rows)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10) -> None:
    """POST ``body``; raise OSError (with the reason) unless the answer is 2xx."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"not an http(s) URL: {url}")
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            if not 200 <= resp.status < 300:
                raise OSError(f"HTTP {resp.status}")
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from exc


def signed_headers(secret_env: str | None, event_id: str, body: bytes) -> dict[str, str]:
    ts = str(int(dt.datetime.now(dt.UTC).timestamp()))
    headers = {"X-Cxlens-Event-Id": event_id, "X-Cxlens-Timestamp": ts}
    secret = os.environ.get(secret_env) if secret_env else None
    if secret:
        headers["X-Cxlens-Signature"] = sign(secret, ts, body)
    return headers


def deliver(wh: Warehouse, now: dt.datetime, limit: int = 500) -> tuple[int, int]:
    """Post due events; returns (delivered, failed). Failures back off exponentially and
    give up after MAX_ATTEMPTS (kept with the last error)."""
    rows = wh.query("SELECT event_id, url, secret_env, payload, coalesce(attempts, 0) "
                    "FROM cxlens_outbox WHERE delivered_at IS NULL AND next_at <= ? AND "
                    "coalesce(attempts, 0) < ? ORDER BY created_at LIMIT ?",
                    [now, MAX_ATTEMPTS, limit])
    ok = failed = 0
    for eid, url, secret_env, payload, attempts in rows:
        body = str(payload).encode()
        try:
            post(str(url), body, signed_headers(secret_env, str(eid), body))
        except OSError as exc:
            failed += 1
            wh.execute("UPDATE cxlens_outbox SET attempts = ?, next_at = ?, last_error = ? "
                       "WHERE event_id = ?",
                       [attempts + 1, now + dt.timedelta(minutes=2 ** attempts),
                        str(exc)[:500], eid])
            continue
        ok += 1
        wh.execute("UPDATE cxlens_outbox SET attempts = ?, delivered_at = ?, last_error = NULL "
                   "WHERE event_id = ?", [attempts + 1, now, eid])
    return ok, failed
