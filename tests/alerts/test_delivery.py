"""Alerts reach people: an e-mail per new alert through a real SMTP server (aiosmtpd), the
alert.opened / alert.resolved webhooks through the outbox to a real HTTP receiver, and nothing
twice when the check runs again. An SMTP server that is down keeps the alert's e-mail waiting
(with the error) until the next check sends it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxlens import store
from cxlens.alerts import config as alert_config
from cxlens.alerts import email
from cxlens.alerts.run import check
from cxlens.store.base import Warehouse
from cxlens.surveys import config as surveys_config
from tests.loop.test_cases import Receiver
from tests.surveys.world import config_text, smtp_server
from tests.web.server import free_port

RULES = """
email: [cx-lead@example.com]
rules:
  - name: fcr-low
    metric: fcr
    by: [vendor]
    check: threshold
    below: 101          # every vendor breaches every month
    email: [vendor-manager@example.com]
"""


@pytest.fixture
def copy(demo_db: str, tmp_path: Path) -> Iterator[Warehouse]:
    path = tmp_path / "alerts.duckdb"
    shutil.copy(demo_db, path)
    with store.connect(str(path)) as wh:
        yield wh


def _configure(wh: Warehouse, smtp_port: int, hook: str) -> None:
    text = config_text(smtp_port).replace("webhooks: []", f"webhooks:\n  - url: {hook}\n"
                                          "    events: [alert.opened, alert.resolved]")
    surveys_config.save(wh, text)
    alert_config.save(wh, RULES)


def test_email_and_webhook_once_per_breach(copy: Warehouse) -> None:
    receiver = Receiver()
    try:
        with smtp_server() as box:
            _configure(copy, box.port, receiver.url)
            run = check(copy, dt.date(2026, 7, 1))
            assert len(run.changes.opened) == 3 and run.emails_sent == 3
            assert len(box.messages) == 3 and len(receiver.got) == 3
            msg = box.messages[0]
            assert msg["To"] == "cx-lead@example.com, vendor-manager@example.com"
            assert msg["Subject"].startswith("[cxlens alert] fcr-low: vendor=")
            assert "FCR" in msg.get_content() and "n " in msg.get_content()
            events = [json.loads(body) for _, body in receiver.got]
            assert {e["event"] for e in events} == {"alert.opened"}
            assert {e["data"]["segment"] for e in events} == {
                f"vendor={v}" for v in ("Acme BPO", "Northwind BPO", "in-house")}
            assert all(e["data"]["n"] > 0 and e["data"]["ci_low"] < e["data"]["value"]
                       for e in events)
            again = check(copy, dt.date(2026, 7, 1))  # same month: nothing new
            later = check(copy, dt.date(2026, 8, 1))  # still breaching: extended, not re-sent
            assert again.changes.opened == later.changes.opened == []
            assert len(later.changes.extended) == 3
            assert len(box.messages) == 3 and len(receiver.got) == 3
    finally:
        receiver.http.shutdown()


def test_smtp_down_keeps_the_email_for_the_next_check(copy: Warehouse) -> None:
    receiver = Receiver()
    try:
        port = free_port()  # nothing listens yet
        _configure(copy, port, receiver.url)
        run = check(copy, dt.date(2026, 7, 1))
        assert run.emails_failed == 3 and run.emails_sent == 0
        errors = copy.query("SELECT email_error, email_attempts FROM cxlens_alerts "
                            "WHERE rule = 'fcr-low'")
        assert all(f":{port}" in str(e) and a == 1 for e, a in errors)
        with smtp_server() as box:
            surveys_config.save(copy, config_text(box.port).replace(
                "webhooks: []", f"webhooks:\n  - url: {receiver.url}"))
            later = check(copy, dt.date(2026, 8, 1))
            assert later.emails_sent == 3 and len(box.messages) == 3
        assert copy.scalar("SELECT count(*) FROM cxlens_alerts WHERE emailed_at IS NULL "
                            "AND rule = 'fcr-low'") == 0
    finally:
        receiver.http.shutdown()


def test_resolution_is_announced(copy: Warehouse) -> None:
    receiver = Receiver()
    try:
        with smtp_server() as box:
            _configure(copy, box.port, receiver.url)
            check(copy, dt.date(2026, 7, 1))
            alert_config.save(copy, RULES.replace("below: 101", "below: 0"))  # all recover
            run = check(copy, dt.date(2026, 8, 1))
            assert len(run.changes.resolved) == 3
            resolved = [json.loads(b) for _, b in receiver.got
                        if json.loads(b)["event"] == "alert.resolved"]
            assert len(resolved) == 3 and all(e["data"]["resolved_month"] == "2026-07"
                                              for e in resolved)
            assert len(box.messages) == 3  # e-mails go out for new alerts only
    finally:
        receiver.http.shutdown()


def test_a_vendor_name_with_line_breaks_blocks_no_email(copy: Warehouse) -> None:
    """A vendor named with CR/LF used to stop the delivery of every alert after it (Python
    refuses such a header); its subject now reads on one line. An alert whose recipients the
    server refuses, and one whose stored recipients no longer parse, fail alone, each with
    its reason; the others are delivered."""
    copy.execute("UPDATE interactions SET vendor = ? WHERE vendor = 'Acme BPO'",
                 ["Acme\r\nBcc: evil@example.com"])
    rules = RULES + ("  - name: nobody\n    metric: fcr\n    check: threshold\n    below: 101\n"
                     "    email: [nobody@example.com]\n")
    receiver = Receiver()
    try:
        with smtp_server() as box:
            _configure(copy, box.port, receiver.url)
            alert_config.save(copy, rules.replace("email: [cx-lead@example.com]\n", ""))
            box.refuse.add("nobody@example.com")
            run = check(copy, dt.date(2026, 7, 1), deliver=False)
            assert len(run.changes.opened) == 4  # three vendors, and all for "nobody"
            copy.execute("UPDATE cxlens_alerts SET email_to = ? WHERE rule = 'fcr-low' AND "
                         "segment = 'vendor=Northwind BPO'",
                         ["x@example.com\nBcc: evil@example.com"])
            sent, failed = email.deliver(copy, surveys_config.current(copy).delivery.email,
                                         dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
            assert (sent, failed) == (2, 2)
            # (a subject longer than a line is folded whole onto the next: read it unfolded)
            subjects = sorted(m["Subject"].strip() for m in box.messages)
            assert subjects == [
                "[cxlens alert] fcr-low: vendor=Acme Bcc: evil@example.com since 2026-06",
                "[cxlens alert] fcr-low: vendor=in-house since 2026-06"]
            assert [r for r, _ in box.raw] == [["vendor-manager@example.com"]] * 2
        errors = dict(copy.query("SELECT segment, email_error FROM cxlens_alerts "
                                 "WHERE emailed_at IS NULL AND email_to <> ''"))
        assert errors.keys() == {"all", "vendor=Northwind BPO"}
        assert "recipient refused" in errors["all"] and "nobody@example.com" in errors["all"]
        assert errors["vendor=Northwind BPO"].startswith("invalid To address")
    finally:
        receiver.http.shutdown()
