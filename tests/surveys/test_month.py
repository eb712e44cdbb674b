"""A month of simulated time: the documented example programmes run every 6 hours against a
real SMTP server; the contact-frequency rules are checked afterwards with independent SQL on
what was recorded, and against the messages the server actually received."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxlens import store
from cxlens.store.base import Warehouse
from cxlens.store.migrate import secret
from cxlens.surveys import config, tokens
from cxlens.surveys.run import run
from tests.surveys.world import (
    ENTERPRISE,
    NO_EMAIL,
    OPTED_OUT,
    START,
    Mailbox,
    build,
    config_text,
    smtp_server,
)

DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, Mailbox]]:
    wh = store.connect(str(Path(tmp_path_factory.mktemp("month")) / "m.duckdb"))
    build(wh)
    with smtp_server() as box:
        config.save(wh, config_text(box.port))
        now = START
        while now <= START + 31 * DAY:
            run(wh, now)
            now += dt.timedelta(hours=6)
        yield wh, box
    wh.close()


def sent(wh: Warehouse) -> list[tuple[str, str, dt.datetime]]:
    return [(str(c), str(p), t) for c, p, t in wh.query(
        "SELECT customer_id, programme, sent_at FROM survey_invitations "
        "WHERE status <> 'suppressed' ORDER BY customer_id, sent_at")]


def test_the_month_sends_and_suppresses(month: tuple[Warehouse, Mailbox]) -> None:
    wh, _ = month
    by = dict(wh.query("SELECT suppressed_by, count(*) FROM survey_invitations WHERE "
                       "status = 'suppressed' GROUP BY 1"))
    assert wh.scalar("SELECT count(*) FROM survey_invitations WHERE status = 'sent'") > 50
    for rule in ("global_gap", "account_cap", "no_address", "opted_out"):
        assert by.get(rule, 0) > 0, f"the month never exercised {rule}: {by}"


def test_global_gap_between_any_two_invitations(month: tuple[Warehouse, Mailbox]) -> None:
    wh, _ = month
    rows = sent(wh)
    for (c1, _p1, t1), (c2, _p2, t2) in itertools.pairwise(rows):
        if c1 == c2:
            gap = 30 if c1 in ENTERPRISE else 7
            assert t2 - t1 >= gap * DAY, (c1, t1, t2)


def test_programme_gap_and_one_invitation_per_interaction(
        month: tuple[Warehouse, Mailbox]) -> None:
    wh, _ = month
    assert not wh.query("SELECT customer_id FROM survey_invitations WHERE programme = "
                        "'relational-nps' AND status <> 'suppressed' GROUP BY 1 "
                        "HAVING count(*) > 1")
    assert not wh.query("SELECT interaction_id FROM survey_invitations WHERE programme = "
                        "'support-csat' GROUP BY 1 HAVING count(*) > 1")
    # relational NPS is never about an interaction; CSAT waits for the 1 h delay
    assert not wh.scalar("SELECT count(*) FROM survey_invitations WHERE programme = "
                         "'relational-nps' AND interaction_id IS NOT NULL")
    assert not wh.scalar("SELECT count(*) FROM survey_invitations v JOIN interactions i "
                         "USING (interaction_id) WHERE v.sent_at < i.closed_at + "
                         "INTERVAL 1 HOUR")


def test_account_cap(month: tuple[Warehouse, Mailbox]) -> None:
    wh, _ = month
    worst = wh.scalar(
        "SELECT max(n) FROM (SELECT (SELECT count(*) FROM survey_invitations w JOIN customers "
        "d USING (customer_id) WHERE d.account_id = c.account_id AND w.status <> 'suppressed' "
        "AND w.sent_at > v.sent_at - INTERVAL 30 DAY AND w.sent_at <= v.sent_at) AS n "
        "FROM survey_invitations v JOIN customers c USING (customer_id) "
        "WHERE v.status <> 'suppressed')")
    assert worst <= 20


def test_people_who_cannot_be_asked_never_are(month: tuple[Warehouse, Mailbox]) -> None:
    wh, _ = month
    for cid in NO_EMAIL | OPTED_OUT:
        rows = wh.query("SELECT status, suppressed_by FROM survey_invitations "
                        "WHERE customer_id = ? AND programme IS NOT NULL", [cid])
        assert rows and all(s == "suppressed" for s, _ in rows)
        assert {b for _, b in rows} == ({"opted_out"} if cid in OPTED_OUT else {"no_address"})
    assert not wh.scalar("SELECT count(*) FROM survey_invitations WHERE status = "
                         "'suppressed' AND (reason IS NULL OR suppressed_by IS NULL)")


def test_every_email_arrived_with_a_working_personal_link(
        month: tuple[Warehouse, Mailbox]) -> None:
    wh, box = month
    invitations = wh.scalar("SELECT count(*) FROM survey_invitations WHERE status = 'sent' "
                            "AND survey_channel = 'email'")
    reminders = wh.scalar("SELECT sum(reminders_sent) FROM survey_invitations")
    assert reminders > 0
    assert len(box.messages) == invitations + reminders
    key = secret(wh, tokens.SECRET_KEY)
    for msg in box.messages[:50]:
        body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        token = re.search(r"/s/([^?\s]+)", body).group(1)  # type: ignore[union-attr]
        inv_id = tokens.verify(key, token, START)
        to = wh.scalar("SELECT c.email FROM survey_invitations v JOIN customers c USING "
                       "(customer_id) WHERE invitation_id = ?", [inv_id])
        assert msg["To"] == to
        assert msg["X-Cxlens-Invitation"] == inv_id
    fr = [m for m in box.messages if "Comment avons-nous" in str(m["Subject"])]
    assert fr, "French-speaking customers get the French subject"
