"""Delivery: e-mail through SMTP; SMS, IVR and in-app invitations through a webhook to the
user's provider (JSON, HMAC-signed like every cxlens webhook). Each message carries the
personal link and, for e-mail, one link per score that opens the page with that score chosen
(the customer still presses Send: a link scanner opening every link records nothing)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from cxlens import mail, webhooks
from cxlens.surveys.spec import Delivery, Programme

SUBJECT = {"en": "How did we do?", "fr": "Votre avis compte", "de": "Wie war es für Sie?",
           "es": "¿Qué tal lo hicimos?"}
REMINDER = {"en": "Reminder: ", "fr": "Rappel : ", "de": "Erinnerung: ", "es": "Recordatorio: "}


@dataclass(frozen=True)
class Message:
    invitation_id: str
    channel: str
    to: str | None
    language: str
    subject: str
    text: str
    link: str
    score_links: tuple[tuple[int, str], ...]


def compose(p: Programme, delivery: Delivery, invitation_id: str, token: str, channel: str,
            to: str | None, language: str, reminder: bool = False) -> Message:
    link = f"{delivery.base_url.rstrip('/')}/s/{token}"
    lo, hi = p.bounds
    subject = p.text(p.subject, language) if p.subject else SUBJECT.get(language, SUBJECT["en"])
    if reminder:
        subject = REMINDER.get(language, REMINDER["en"]) + subject
    question = p.text(p.questions.score.text, language)
    text = f"{question}\n\n" + "\n".join(f"  {s}: {link}?score={s}" for s in range(lo, hi + 1))
    text += f"\n\nOr open {link}\n\nThis link is personal; it works once.\n"
    return Message(invitation_id, channel, to, language, subject, text, link,
                   tuple((s, f"{link}?score={s}") for s in range(lo, hi + 1)))


def _html(m: Message, question: str) -> str:
    cells = "".join(f'<a href="{escape(u)}" style="display:inline-block;min-width:2.2em;'
                    f'padding:.5em;margin:2px;border:1px solid #888;border-radius:4px;'
                    f'text-align:center;text-decoration:none">{s}</a>'
                    for s, u in m.score_links)
    return (f'<html lang="{escape(m.language)}"><body><p>{escape(question)}</p>'
            f"<p>{cells}</p><p><a href=\"{escape(m.link)}\">{escape(m.link)}</a></p>"
            "<p>This link is personal; it works once.</p></body></html>")


def send_email(delivery: Delivery, m: Message, question: str) -> None:
    """Send through SMTP; Bounce when the server refuses the recipient, OSError otherwise."""
    cfg = delivery.email
    if cfg is None:
        raise OSError("no e-mail delivery configured (delivery: email: in programmes.yaml)")
    msg = mail.message(cfg.sender, m.to or "", m.subject, m.text,
                       {"X-Cxlens-Invitation": m.invitation_id})
    msg.add_alternative(_html(m, question), subtype="html")
    mail.send(cfg, msg)


def send_webhook(delivery: Delivery, m: Message) -> None:
    hook = delivery.webhook
    if hook is None:
        raise OSError(f"no provider webhook configured for {m.channel} (delivery: webhook:)")
    body = json.dumps({"invitation_id": m.invitation_id, "channel": m.channel, "to": m.to,
                       "language": m.language, "text": m.text.split("\n\n")[0],
                       "link": m.link}).encode()
    webhooks.post(hook.url, body, webhooks.signed_headers(hook.secret_env, m.invitation_id,
                                                          body))


def deliver(p: Programme, delivery: Delivery, m: Message) -> None:
    if m.channel == "email":
        send_email(delivery, m, p.text(p.questions.score.text, m.language))
    else:
        send_webhook(delivery, m)
