"""E-mail headers never carry raw line breaks (issue 16): through a real SMTP server
(aiosmtpd), a subject and a sender's display name with CR/LF and other control characters
arrive on one line (no header of the data's choosing), non-ASCII is encoded, and an address
list that does not parse is refused as a bounce of that message only."""

from __future__ import annotations

import pytest

from cxlens import mail
from cxlens.surveys.spec import Email
from tests.surveys.world import smtp_server


def test_header_values_are_one_line_and_encoded() -> None:
    with smtp_server() as box:
        cfg = Email(host=box.host, port=box.port, sender="Équipe\r\nCX <cx@example.com>")
        mail.send(cfg, mail.message(cfg.sender, "ann@example.com",
                                    "Zoë\r\nBcc: evil@example.com\x00\tthere", "hello\n",
                                    {"X-Cxlens-Alert": "al_1\nX-Evil: 1"}))
    ((rcpts, raw),) = box.raw
    assert rcpts == ["ann@example.com"]  # nobody added by a header
    head = raw.split(b"\r\n\r\n")[0]
    assert not [line for line in head.split(b"\r\n") if line.lower().startswith((b"bcc",
                                                                                 b"x-evil"))]
    assert b"=?utf-8?" in head  # Zoë and Équipe encoded
    (msg,) = box.messages
    assert msg["Subject"] == "Zoë Bcc: evil@example.com there"
    assert msg["From"].addresses[0].display_name == "Équipe CX"
    assert msg["X-Cxlens-Alert"] == "al_1 X-Evil: 1"
    assert msg["Bcc"] is None and msg["X-Evil"] is None


@pytest.mark.parametrize("to", ["a@example.com\r\nBcc: evil@example.com",
                                "a@example.com, Bcc: evil@example.com", "not an address", ""])
def test_an_address_list_that_does_not_parse_bounces(to: str) -> None:
    with pytest.raises(mail.Bounce, match="invalid To address"):
        mail.message("cx@example.com", to, "s", "t")
