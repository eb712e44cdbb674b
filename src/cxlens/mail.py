"""Sending e-mail through the SMTP server of the survey configuration (``delivery: email:``):
survey invitations and alerts.

Header values come from data (a vendor name in an alert's subject, a customer's address) and
must never carry a line break: one would end the header early (a ``Bcc:`` of the sender's
choosing) or, as Python refuses it, stop every message queued after it. :func:`message` builds
every outgoing message: line breaks and other control characters become a space, non-ASCII is
encoded by :mod:`email`'s default policy, and an address list that does not parse is refused
as a :class:`Bounce` of that one message."""

from __future__ import annotations

import os
import re
import smtplib
from collections.abc import Mapping
from email.errors import HeaderDefect, InvalidHeaderDefect, MessageError
from email.message import EmailMessage
from email.utils import make_msgid

from cxlens.surveys.spec import Email

#: C0 and C1 control characters, DEL and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class Bounce(Exception):
    """The address was refused: the message bounced (not worth retrying)."""


def header_text(value: str) -> str:
    """``value`` on one line: every run of control characters (CR, LF, tab, NUL, …) is one
    space."""
    return _CONTROL.sub(" ", value).strip()


def _addresses(msg: EmailMessage, name: str, value: str) -> None:
    msg[name] = header_text(value)
    header = msg[name]
    bad: list[HeaderDefect] = [d for d in header.defects if isinstance(d, InvalidHeaderDefect)]
    if bad or not header.addresses or any(not a.username or not a.domain
                                          for a in header.addresses):
        why = f": {bad[0]}" if bad else ""
        raise Bounce(f"invalid {name} address {value!r}{why}")


def message(sender: str, to: str, subject: str, text: str,
            headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A plain-text message whose headers are safe whatever the values (module docstring);
    Bounce when ``sender`` or ``to`` is not an address list."""
    msg = EmailMessage()
    try:
        _addresses(msg, "From", sender)
        _addresses(msg, "To", to)
        msg["Subject"] = header_text(subject)
        msg["Message-ID"] = make_msgid(domain="cxlens.local")
        for name, value in (headers or {}).items():
            msg[name] = header_text(value)
    except (ValueError, MessageError) as exc:  # what email's parser still refuses
        raise Bounce(f"cannot write the message to {to!r}: {exc}") from exc
    msg.set_content(text)
    return msg


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
