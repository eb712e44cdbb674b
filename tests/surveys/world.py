"""A small, hand-made operation for survey tests: 40 customers in 4 accounts (5 enterprise
customers, 2 without an e-mail address, 1 opted out) and a month of support contacts, plus a
real SMTP server (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import numpy as np
import pyarrow as pa
from aiosmtpd.controller import Controller

from cxlens.store.base import Warehouse
from cxlens.surveys.config import EXAMPLE

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

CUSTOMERS = [f"C{i:02d}" for i in range(1, 41)]
ENTERPRISE = set(CUSTOMERS[:5])
NO_EMAIL = {"C39", "C40"}
OPTED_OUT = {"C38"}


def account_of(cid: str) -> str:
    return f"A{(int(cid[1:]) - 1) // 10 + 1}"


def build(wh: Warehouse, seed: int = 3, days: int = 30) -> None:
    rng = np.random.default_rng(seed)
    wh.insert_arrow("customers", pa.table({
        "customer_id": CUSTOMERS,
        "acquired_at": [START - dt.timedelta(days=400 - 3 * i) for i in range(40)],
        "segment": ["enterprise" if c in ENTERPRISE else "smb" for c in CUSTOMERS],
        "account_id": [account_of(c) for c in CUSTOMERS],
        "email": [None if c in NO_EMAIL else f"{c.lower()}@example.com" for c in CUSTOMERS],
        "language": ["fr" if i % 4 == 0 else "en" for i in range(40)],
        "surveys_opt_out": [c in OPTED_OUT for c in CUSTOMERS],
    }))
    rows: dict[str, list[Any]] = {k: [] for k in ("interaction_id", "channel", "customer_id",
                                                  "vendor", "site", "team", "agent_id",
                                                  "created_at", "closed_at")}
    n = 0
    for cid in CUSTOMERS:
        t = START + dt.timedelta(hours=float(rng.uniform(0, 72)))
        while t < START + dt.timedelta(days=days):
            n += 1
            vendor = "Acme BPO" if n % 2 else "in-house"
            rows["interaction_id"].append(f"I{n:05d}")
            rows["channel"].append("email")
            rows["customer_id"].append(cid)
            rows["vendor"].append(vendor)
            rows["site"].append("Manila" if vendor == "Acme BPO" else "Leeds")
            rows["team"].append(f"T{n % 3}")
            rows["agent_id"].append(f"ag{n % 7}")
            rows["created_at"].append(t)
            rows["closed_at"].append(t + dt.timedelta(hours=float(rng.uniform(0.5, 20))))
            t += dt.timedelta(days=float(rng.exponential(4)) + 0.2)
    wh.insert_arrow("interactions", pa.table(rows))


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: (recipients, bytes as received) of every message, to check what went on the wire
    raw: list[tuple[list[str], bytes]] = field(default_factory=list)
    #: recipients the server refuses (550), as a real server refuses an unknown mailbox
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: object, session: object, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.raw.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    from tests.web.server import free_port

    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def config_text(port: int, base_url: str = "http://127.0.0.1:8000") -> str:
    """The documented example, delivering to ``port`` and linking to ``base_url``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    return text.replace("port: 2525", f"port: {port}").replace(
        "base_url: http://127.0.0.1:8000", f"base_url: {base_url}")


def invited(wh: Warehouse, port: int = 25, base_url: str = "http://127.0.0.1:8000",
            at: dt.datetime | None = None) -> list[Any]:
    """Build the world, load the example programmes and run them once (messages are kept,
    not sent); returns the messages."""
    from cxlens.surveys import config
    from cxlens.surveys.run import run

    build(wh)
    config.save(wh, config_text(port, base_url))
    messages: list[Any] = []
    run(wh, at or START + dt.timedelta(days=2), deliver=lambda p, m: messages.append(m))
    return messages
