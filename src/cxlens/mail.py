"""Sending e-mail through the SMTP server of the survey configuration (``delivery: email:``):
survey invitations and alerts."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

from cxlens.surveys.spec import Email


class Bounce(Exception):
    """The address was refused: the message bounced (not worth retrying)."""


def send(cfg: Email, msg: EmailMessage) -> None:
    """Send ``msg``; Bounce when the server refuses the recipient, OSError (naming the server)
    when anything else fails."""
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.username:
                smtp.login(cfg.username, os.environ.get(cfg.password_env or "", ""))
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise Bounce(f"recipient refused: {exc.recipients}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise OSError(f"SMTP {cfg.host}:{cfg.port}: {exc}") from exc
