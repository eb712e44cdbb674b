"""The closed loop end to end on the small world: unhappy answers open cases with the rule's
due time and the right owner; reminders go out before the due time; overdue cases escalate
to the next owner once per level; webhooks are HMAC-signed (checked by a real HTTP receiver)
and retried when the receiver was down; the workflow refuses impossible moves; a later
answer is recorded as recovery; erasure removes everything of the customer."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from cxlens import store
from cxlens.erase import erase
from cxlens.errors import ConfigError, NotFound
from cxlens.loop import cases
from cxlens.store.base import Warehouse
from cxlens.surveys import collect
from cxlens.surveys.config import current, save
from cxlens.surveys.run import run
from tests.surveys.world import START, config_text, invited

SENT = START + dt.timedelta(days=2)
H = dt.timedelta(hours=1)


class Receiver:
    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.down = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.down:
                    self.send_response(503)
                else:
                    outer.got.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}/hook"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture
def loop(tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
         ) -> Iterator[tuple[Warehouse, Receiver, list[Any]]]:
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    receiver = Receiver()
    wh = store.connect(str(tmp_path / "l.duckdb"))
    messages = invited(wh, at=SENT)
    text = config_text(25) + (f"\n  - url: {receiver.url}\n    secret_env: HOOK_SECRET\n"
                              f"  - url: {receiver.url}\n    format: slack\n"
                              "    events: [case.overdue]\n")
    save(wh, text.replace("webhooks: []", "webhooks:"))
    yield wh, receiver, messages
    receiver.http.shutdown()
    wh.close()


def _answer(wh: Warehouse, messages: list[Any], programme: str, score: int,
            at: dt.datetime, comment: str | None = None) -> collect.Receipt:
    m = next(m for m in messages if wh.query(
        "SELECT 1 FROM survey_invitations WHERE invitation_id = ? AND programme = ? AND "
        "response_id IS NULL", [m.invitation_id, programme]))
    receipt = collect.apply(wh, current(wh), collect.Score(m.invitation_id, score), at)
    if comment is not None:
        collect.apply(wh, current(wh), collect.Followup(m.invitation_id, comment), at)
    return receipt


def test_cases_due_reminded_escalated_once(loop: tuple[Warehouse, Receiver, list[Any]]) -> None:
    wh, receiver, messages = loop
    unhappy = _answer(wh, messages, "support-csat", 2, SENT + H)
    happy = _answer(wh, messages, "support-csat", 5, SENT + H)
    words = _answer(wh, messages, "support-csat", 4, SENT + H,
                    comment="I will CANCEL my contract")
    assert unhappy.case_id and not happy.case_id
    assert words.case_id is None  # the keyword case opens with the comment, not the score
    kw = wh.query("SELECT rule, due_at FROM followup_cases WHERE response_id = ?",
                  [words.response_id])
    assert kw == [("churn-words", SENT + H + 24 * H)]
    case = cases.get(wh, unhappy.case_id)
    assert (case["rule"], case["due_at"], case["status"]) == ("csat-unhappy", SENT + 49 * H,
                                                              "open")
    assert case["owner"] == f"{case['vendor']} / {case['team']} lead"
    # 4 h before the due time: a reminder, once
    run(wh, SENT + 46 * H, deliver=lambda p, m: None)
    run(wh, SENT + 47 * H, deliver=lambda p, m: None)
    assert [a for _, _, a, _ in cases.history(wh, unhappy.case_id)].count("reminded") == 1
    # overdue: escalated to the next owner, once per level
    run(wh, SENT + 50 * H, deliver=lambda p, m: None)
    run(wh, SENT + 51 * H, deliver=lambda p, m: None)
    case = cases.get(wh, unhappy.case_id)
    assert case["owner"] == f"{case['vendor']} site manager"
    assert (case["escalation_level"], case["overdue_at"]) == (1, SENT + 50 * H)
    assert case["due_at"] == SENT + 74 * H
    run(wh, SENT + 75 * H, deliver=lambda p, m: None)
    case = cases.get(wh, unhappy.case_id)
    assert (case["owner"], case["escalation_level"]) == ("cx-director", 2)
    events = [json.loads(b) for _, b in receiver.got]
    overdue = [e for e in events if e.get("event") == "case.overdue"
               and e["data"]["case_id"] == unhappy.case_id]
    assert len(overdue) == 2  # one per level
    slack = [e for e in events if "blocks" in e and unhappy.case_id in e["text"]]
    assert len(slack) == 2 and slack[0]["text"].startswith("Overdue case, escalated")


def test_webhooks_are_signed_and_retried(loop: tuple[Warehouse, Receiver, list[Any]]) -> None:
    wh, receiver, messages = loop
    receiver.down = True
    _answer(wh, messages, "support-csat", 1, SENT + H)
    run(wh, SENT + 2 * H, deliver=lambda p, m: None)
    assert receiver.got == []
    assert wh.scalar("SELECT max(attempts) FROM cxlens_outbox") == 1
    receiver.down = False
    run(wh, SENT + 3 * H, deliver=lambda p, m: None)
    kinds = sorted(json.loads(b)["event"] for _, b in receiver.got)
    assert kinds == ["case.created", "response.created"]
    for headers, body in receiver.got:
        mac = hmac.new(b"s3cret", headers["X-Cxlens-Timestamp"].encode() + b"." + body,
                       hashlib.sha256).hexdigest()
        assert headers["X-Cxlens-Signature"] == f"sha256={mac}"
    assert not wh.scalar("SELECT count(*) FROM cxlens_outbox WHERE delivered_at IS NULL")


def test_workflow_and_recovery(loop: tuple[Warehouse, Receiver, list[Any]]) -> None:
    wh, _, messages = loop
    cfg = current(wh)
    r = _answer(wh, messages, "support-csat", 1, SENT + H)
    assert r.case_id
    with pytest.raises(ConfigError) as bad:
        cases.update(wh, cfg, r.case_id, "ann", SENT + 2 * H, status="resolved",
                     root_cause="weather")
    assert "a resolved case needs a root cause" not in bad.value.message
    assert 'unknown root cause \'weather\'' in bad.value.message
    with pytest.raises(ConfigError, match="needs a root cause"):
        cases.update(wh, cfg, r.case_id, "ann", SENT + 2 * H, status="resolved")
    cases.update(wh, cfg, r.case_id, "ann", SENT + 3 * H, status="contacted", note="called")
    case = cases.update(wh, cfg, r.case_id, "ann", SENT + 5 * H, status="resolved",
                        root_cause="billing", outcome="refunded the fee")
    assert (case["first_contact_at"], case["closed_at"]) == (SENT + 3 * H, SENT + 5 * H)
    with pytest.raises(ConfigError, match="cannot become 'contacted'"):
        cases.update(wh, cfg, r.case_id, "ann", SENT + 6 * H, status="contacted")
    with pytest.raises(NotFound):
        cases.get(wh, "case_nope")
    # the same customer answers the same survey later, happier: recovery
    customer = case["customer_id"]
    later = wh.query("SELECT invitation_id FROM survey_invitations WHERE customer_id = ? AND "
                     "survey = 'csat' AND response_id IS NULL AND status = 'sent'", [customer])
    if not later:  # invite them again by hand (the fatigue rules spaced them out)
        wh.execute("INSERT INTO survey_invitations (invitation_id, survey, programme, "
                   "sent_at, customer_id, status, expires_at) VALUES ('inv_later1', 'csat', "
                   "'support-csat', ?, ?, 'sent', ?)", [SENT + 9 * H, customer, SENT + 99 * H])
        later = [("inv_later1",)]
    collect.apply(wh, cfg, collect.Score(str(later[0][0]), 4), SENT + 10 * H)
    run(wh, SENT + 11 * H, deliver=lambda p, m: None)
    case = cases.get(wh, r.case_id)
    assert (case["recovery_score"], case["recovered"]) == (4, True)
    actions = [a for _, _, a, _ in cases.history(wh, r.case_id)]
    assert actions[:1] == ["opened"] and {"contacted", "note", "resolved", "root_cause",
                                          "outcome"} <= set(actions)


def test_erase_removes_a_customers_answers_and_cases(
        loop: tuple[Warehouse, Receiver, list[Any]]) -> None:
    wh, _, messages = loop
    r = _answer(wh, messages, "support-csat", 1, SENT + H, comment="awful")
    customer = wh.scalar("SELECT customer_id FROM survey_responses WHERE response_id = ?",
                         [r.response_id])
    counts = erase(wh, customer, "admin")
    assert counts["followup_cases"] == 1 and counts["survey_responses"] >= 1
    for table in ("survey_responses", "survey_invitations", "followup_cases", "cxlens_outbox"):
        assert not wh.scalar(f"SELECT count(*) FROM {table} WHERE customer_id = ?", [customer])
    assert not wh.scalar("SELECT count(*) FROM cxlens_case_events WHERE case_id = ?",
                         [r.case_id])
    email, opt_out = wh.query("SELECT email, surveys_opt_out FROM customers WHERE "
                              "customer_id = ?", [customer])[0]
    assert (email, opt_out) == (None, True)
    logged = wh.query("SELECT username, detail FROM cxlens_audit WHERE action = 'erase'")
    assert logged and logged[0][0] == "admin" and customer in logged[0][1]
    with pytest.raises(NotFound):
        erase(wh, "C999")


def test_erase_redacts_the_qa_rows_about_the_customer(wh: Warehouse) -> None:
    """Dispute texts and coaching notes on the customer's reviews and the detractor trait
    their answer gave a sampled interaction become [erased]; the agents' work stays, so
    scores, decisions, samples and the escalation audit are unchanged."""
    from cxlens.erase import ERASED
    from cxlens.qa import coaching, disputes, escalation_audit, sampling

    march = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday: 2026-W10
    wh.insert_rows("customers", ("customer_id", "email"), [("C1", "jane@example.com"),
                                                           ("C2", "joe@example.com")])
    wh.insert_rows("interactions", ("interaction_id", "customer_id", "agent_id", "channel",
                                    "created_at", "closed_at", "escalated", "escalated_at",
                                    "escalation_accepted_at", "escalation_summary"), [
        ("I1", "C1", "a1", "email", march, march + H, True, march, march + H / 2, "Jane: refund"),
        ("I2", "C2", "a1", "email", march, march + H, False, None, None, None),
        ("I3", "C2", "a1", "email", march, march + H, False, None, None, None)])
    # C1 also rated I2 (a colleague's ticket they were copied on): I2 is about them too
    wh.insert_rows("survey_responses", ("response_id", "survey", "score", "scale_min",
                                        "scale_max", "responded_at", "customer_id",
                                        "interaction_id"),
                   [("R1", "csat", 1, 1, 5, march + 2 * H, "C1", "I1"),
                    ("R2", "csat", 2, 1, 5, march + 2 * H, "C1", "I2"),
                    ("R3", "csat", 1, 1, 5, march + 2 * H, "C2", "I3")])
    later = march + 30 * 24 * H
    drawn = sampling.draw(wh, march - 24 * H, march + 24 * H, ["qa.mei"], now=later)
    reasons = dict(zip(drawn.assignments["interaction_id"], drawn.assignments["reason"],
                       strict=True))
    assert reasons == {"I1": "escalation+detractor", "I2": "detractor", "I3": "detractor"}
    wh.insert_rows("qa_reviews", ("review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "min_score", "max_score", "reviewer",
                                  "reviewed_at"),
                   [(f"QA{k}", f"I{k}", "process_compliance", "followed_sop", 0.0, 0.0, 1.0,
                     "qa.mei", march + 5 * H) for k in (1, 2, 3)])
    mine = disputes.open_dispute(wh, "QA1", "a1", "Jane Doe asked me to skip it", now=later)
    disputes.decide(wh, mine.dispute_id, "lead.li", "overturned", "Jane's case was special",
                    now=later + H)
    other = disputes.open_dispute(wh, "QA3", "a1", "Joe was rude", now=later)
    noted = coaching.add_note(wh, "a1", "lead.li", "Jane Doe's refund: use the template",
                              ["QA2", "QA3"], now=later)
    kept = coaching.add_note(wh, "a1", "lead.li", "Joe's ticket", ["QA3"], now=later)
    audit = escalation_audit.draw_week(wh, "2026-W10", now=later)
    effective = disputes.effective_reviews(wh)

    counts = erase(wh, "C1", "admin")
    # QA1's opening and decision; the note linked to QA2; I1's and I2's assignment
    assert (counts["cxlens_qa_dispute_events"], counts["cxlens_coaching"],
            counts["cxlens_qa_assignments"]) == (2, 1, 2)
    events = {(d, a): detail for d, a, detail in wh.query(
        "SELECT dispute_id, action, detail FROM cxlens_qa_dispute_events")}
    assert events == {(mine.dispute_id, "opened"): ERASED,
                      (mine.dispute_id, "overturned"): ERASED,
                      (other.dispute_id, "opened"): "Joe was rude"}
    assert disputes.get(wh, mine.dispute_id).status == "overturned"  # the decision stands
    assert disputes.effective_reviews(wh).equals(effective)
    assert {n.session_id: n.note for n in coaching.notes(wh, "a1")} == {
        noted.session_id: ERASED, kept.session_id: "Joe's ticket"}
    assert dict(wh.query("SELECT interaction_id, reason FROM cxlens_qa_assignments")) == {
        "I1": "escalation+erased", "I2": "erased", "I3": "detractor"}
    assert escalation_audit.draw_week(wh, "2026-W10", now=later).equals(audit)
    assert erase(wh, "C1")["cxlens_qa_dispute_events"] == 0  # nothing left to redact
