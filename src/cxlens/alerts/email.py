"""E-mail delivery of alerts through the SMTP server of the survey configuration
(``delivery: email:``). Sent after the alert is committed; an alert whose e-mail failed keeps
the error and is tried again by the next check (up to ``MAX_ATTEMPTS``), so none is lost."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from cxlens import mail
from cxlens.store.base import Warehouse
from cxlens.surveys.spec import Email

MAX_ATTEMPTS = 8


def compose(cfg: Email, alert_id: str, to: str, rule: str, segment: str, message: str,
            first_month: str) -> EmailMessage:
    """The alert's e-mail (the segment names a vendor, so the subject is data: mail.message
    keeps it on one line); Bounce when ``to`` is not an address list."""
    return mail.message(cfg.sender, to, f"[cxlens alert] {rule}: {segment} since {first_month}",
                        f"{message}\n\nRule: {rule}\nAlert: {alert_id}\n"
                        "Open the dashboard's /alerts page for the history.\n",
                        {"X-Cxlens-Alert": alert_id})


def deliver(wh: Warehouse, cfg: Email | None, now: dt.datetime) -> tuple[int, int]:
    """Send the e-mail of every alert still waiting for one; returns (sent, failed)."""
    rows = wh.query("SELECT alert_id, email_to, rule, segment, message, first_month, "
                    "coalesce(email_attempts, 0) FROM cxlens_alerts WHERE emailed_at IS NULL "
                    "AND coalesce(email_to, '') <> '' AND coalesce(email_attempts, 0) < ? "
                    "ORDER BY opened_at", [MAX_ATTEMPTS])
    sent = failed = 0
    for aid, to, rule, segment, message, first, attempts in rows:
        try:
            if cfg is None:
                raise OSError("no SMTP server configured: add delivery: email: to the survey "
                              "configuration (cxlens surveys load FILE)")
            mail.send(cfg, compose(cfg, aid, to, rule, segment, message, first))
        except (OSError, mail.Bounce) as exc:
            failed += 1
            wh.execute("UPDATE cxlens_alerts SET email_attempts = ?, email_error = ? "
                       "WHERE alert_id = ?", [attempts + 1, str(exc)[:500], aid])
            continue
        sent += 1
        wh.execute("UPDATE cxlens_alerts SET email_attempts = ?, emailed_at = ?, "
                   "email_error = NULL WHERE alert_id = ?", [attempts + 1, now, aid])
    return sent, failed
