"""One scheduled run of the survey programmes at ``now`` (``cxlens surveys run``; ``cxlens
serve`` runs it every minute): invite who is due (fatigue rules decide; suppressed
invitations are recorded with their reason), remind non-responders, open cases for unhappy
answers that have none, record recoveries, remind and escalate case owners, and deliver
webhooks."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from cxlens import mail, webhooks
from cxlens.loop import cases
from cxlens.schema import SURVEY_INVITATIONS
from cxlens.store.backup import arrow_type
from cxlens.store.base import Warehouse, arrow_batch
from cxlens.store.migrate import bump_data_version, secret
from cxlens.surveys import fatigue, send, tokens, triggers
from cxlens.surveys.config import current
from cxlens.surveys.spec import Config, Programme

Deliver = Callable[[Programme, send.Message], None]


@dataclass
class Summary:
    invited: int = 0
    suppressed: int = 0
    bounced: int = 0
    failed: int = 0
    reminded: int = 0
    cases_opened: int = 0
    cases_reminded: int = 0
    cases_escalated: int = 0
    recoveries: int = 0
    webhooks_delivered: int = 0
    webhooks_failed: int = 0
    suppression_reasons: dict[str, int] = field(default_factory=dict)

    def changed(self) -> bool:
        return any(v for k, v in vars(self).items() if k != "suppression_reasons")


#: Candidates decided, written and delivered together: one contact lookup, one history lookup
#: and one transaction per batch (a statement per invitation made a wave of 186,000 take 9
#: minutes), and no Python step longer than a batch while the server answers requests.
BATCH = 1000
COLUMNS = ("invitation_id", "survey", "programme", "sent_at", "customer_id", "interaction_id",
           "survey_channel", "kind", "touchpoint", "status", "reason", "suppressed_by",
           *triggers.SNAPSHOT, "language", "expires_at", "reminders_sent")


def _schema() -> pa.Schema:
    """Arrow types of :data:`COLUMNS` (a batch is written as one Arrow table: DuckDB reads it
    in place, Postgres copies it; a 19,000-parameter INSERT took 0.18 s per batch)."""
    types = {c.name: c.type for c in SURVEY_INVITATIONS.columns}
    return pa.schema([pa.field(c, arrow_type(types[c])) for c in COLUMNS])


def _contacts(wh: Warehouse, ids: list[str]) -> dict[str, fatigue.Contact]:
    """Contact details of ``ids`` (a batch: one statement, the ids as one list parameter —
    a thousand ``?`` took DuckDB 60 ms to bind)."""
    if not ids:
        return {}
    return {str(r[0]): fatigue.Contact(str(r[0]), r[1], r[2], r[3], r[4], bool(r[5]),
                                       {"segment": r[6], "region": r[7], "country": r[8]})
            for r in wh.query(
                "SELECT customer_id, email, phone, language, account_id, "
                "coalesce(surveys_opt_out, false), segment, region, country FROM customers "
                "WHERE customer_id = ANY(?)", [ids])}


def _history_since(config: Config, now: dt.datetime) -> dt.datetime:
    """Invitations older than the longest gap or cap window cannot suppress anything."""
    days = max([config.fatigue.min_gap_days, *(r.min_gap_days for r in config.fatigue.rules),
                *(p.min_gap_days for p in config.programmes),
                config.fatigue.per_account.days if config.fatigue.per_account else 0])
    return now - dt.timedelta(days=days)


def _learn(wh: Warehouse, ledger: fatigue.Ledger, contacts: Sequence[fatigue.Contact],
           since: dt.datetime) -> None:
    """Teach ``ledger`` the earlier invitations (not suppressed, sent after ``since``) of the
    batch's customers and accounts it does not know yet."""
    ids = sorted({c.customer_id for c in contacts} - ledger.customers)
    accounts = sorted({c.account_id for c in contacts if c.account_id} - ledger.accounts)
    recent = "v.status <> 'suppressed' AND v.sent_at > ? AND v.customer_id IS NOT NULL"
    by_customer = [fatigue.Sent(str(r[0]), str(r[1]), r[2]) for r in wh.query(
        "SELECT v.customer_id, coalesce(v.programme, v.survey), v.sent_at FROM "
        f"survey_invitations v WHERE {recent} AND v.customer_id = ANY(?)", [since, ids])
    ] if ids else []
    by_account = [(str(r[0]), r[1]) for r in wh.query(
        "SELECT c.account_id, v.sent_at FROM survey_invitations v JOIN customers c ON "
        f"c.customer_id = v.customer_id WHERE {recent} AND c.account_id = ANY(?)",
        [since, accounts])] if accounts else []
    ledger.learn(ids, accounts, by_customer, by_account)


def _batches(items: Iterable[triggers.Candidate], size: int,
             ) -> Iterator[list[triggers.Candidate]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _order(c: triggers.Candidate) -> tuple[bool, dt.datetime]:
    """Transactional first (the moment passes), then by due time."""
    return c.programme.kind != "transactional", c.due_at


def invite(wh: Warehouse, config: Config, now: dt.datetime, deliver: Deliver,
           summary: Summary, batch_size: int = BATCH, page: int = triggers.PAGE) -> None:
    """Decide, record and deliver the due invitations, a batch at a time in due order (ties:
    programme order, then the trigger's own order). Each batch's rows are committed in one
    transaction before any of its messages leaves: a crash leaves whole batches or none of a
    batch, and never a delivered invitation without its row."""
    streams = [triggers.due(wh, p, now, page) for p in config.programmes]
    ledger = fatigue.Ledger()
    since = _history_since(config, now)
    key: str | None = None
    schema = _schema()
    for batch in _batches(heapq.merge(*streams, key=_order), batch_size):
        found = _contacts(wh, sorted({c.customer_id for c in batch}))
        contacts = [found.get(c.customer_id) or fatigue.Contact(c.customer_id) for c in batch]
        _learn(wh, ledger, contacts, since)
        key = key or secret(wh, tokens.SECRET_KEY)
        rows: list[tuple[object, ...]] = []
        messages: list[tuple[Programme, send.Message]] = []
        for cand, contact in zip(batch, contacts, strict=True):
            p = cand.programme
            decision = ledger.decide(config.fatigue, p, contact, now)
            inv_id = tokens.new_invitation_id()
            language = contact.language if contact.language in p.languages else p.languages[0]
            expires = now + dt.timedelta(days=p.link_days)
            reason = decision.reason if decision.channel is None else None
            rows.append((inv_id, p.survey, p.name, now, cand.customer_id, cand.interaction_id,
                         decision.channel, p.kind, cand.touchpoint,
                         "suppressed" if decision.channel is None else "sent", reason,
                         reason.split(":")[0] if reason else None,
                         *(cand.snapshot.get(k) for k in triggers.SNAPSHOT), language,
                         expires, 0))
            if decision.channel is None:
                summary.suppressed += 1
                head = (reason or "").split(":")[0]
                summary.suppression_reasons[head] = summary.suppression_reasons.get(head, 0) + 1
                continue
            ledger.add(fatigue.Sent(contact.customer_id, p.name, now, contact.account_id))
            to = contact.email if decision.channel == "email" else contact.phone
            messages.append((p, send.compose(p, config.delivery, inv_id,
                                             tokens.make(key, inv_id, expires),
                                             decision.channel, to, language)))
        with wh.transaction():
            wh.insert_arrow(SURVEY_INVITATIONS.name,
                            pa.Table.from_batches([arrow_batch(rows, schema)]))
        for p, msg in messages:
            _send(wh, p, msg, deliver, summary)
            summary.invited += 1


def _send(wh: Warehouse, p: Programme, msg: send.Message, deliver: Deliver,
          summary: Summary) -> bool:
    try:
        deliver(p, msg)
    except mail.Bounce as exc:
        summary.bounced += 1
        wh.execute("UPDATE survey_invitations SET status = 'bounced', reason = ? WHERE "
                   "invitation_id = ?", [str(exc)[:300], msg.invitation_id])
        return False
    except OSError as exc:
        summary.failed += 1
        wh.execute("UPDATE survey_invitations SET status = 'failed', reason = ? WHERE "
                   "invitation_id = ?", [str(exc)[:300], msg.invitation_id])
        return False
    return True


def remind(wh: Warehouse, config: Config, now: dt.datetime, deliver: Deliver,
           summary: Summary) -> None:
    key = secret(wh, tokens.SECRET_KEY)
    for p in config.programmes:
        r = p.reminders
        if r.max == 0:
            continue
        rows = wh.query(
            "SELECT v.invitation_id, v.survey_channel, v.language, v.expires_at, c.email, "
            "c.phone FROM survey_invitations v LEFT JOIN customers c ON c.customer_id = "
            "v.customer_id WHERE v.programme = ? AND v.status IN ('sent', 'delivered') AND "
            "v.responded_at IS NULL AND coalesce(v.reminders_sent, 0) < ? AND "
            "coalesce(v.reminded_at, v.sent_at) <= ? AND v.expires_at > ? "
            "AND NOT coalesce(c.surveys_opt_out, false)",
            [p.name, r.max, now - dt.timedelta(days=r.after_days), now])
        for inv_id, channel, language, expires, email, phone in rows:
            msg = send.compose(p, config.delivery, inv_id, tokens.make(key, inv_id, expires),
                               channel, email if channel == "email" else phone,
                               language or p.languages[0], reminder=True)
            if _send(wh, p, msg, deliver, summary):
                wh.execute("UPDATE survey_invitations SET reminders_sent = "
                           "coalesce(reminders_sent, 0) + 1, reminded_at = ? WHERE "
                           "invitation_id = ?", [now, inv_id])
                summary.reminded += 1


def open_missing_cases(wh: Warehouse, config: Config, now: dt.datetime) -> int:
    """Recent answers (imported ones too) that match a case rule but have no case yet."""
    rows = wh.query(
        "SELECT r.response_id, r.survey, r.score, r.customer_id, r.interaction_id, r.comment, "
        "coalesce(r.vendor, i.vendor), coalesce(r.site, i.site), coalesce(r.team, i.team), "
        "coalesce(r.agent_id, i.agent_id) FROM survey_responses r LEFT JOIN interactions i "
        "ON i.interaction_id = r.interaction_id WHERE r.responded_at > ? AND NOT EXISTS "
        "(SELECT 1 FROM followup_cases c WHERE c.response_id = r.response_id) "
        "ORDER BY r.responded_at, r.response_id",
        [now - dt.timedelta(days=config.loop.lookback_days)])
    n = 0
    for r in rows:
        answer = cases.Answer(str(r[0]), str(r[1]), int(r[2]), r[3], r[4], r[5],
                              dict(zip(triggers.SNAPSHOT, r[6:10], strict=True)))
        if cases.first_rule(config, answer) is None:
            continue
        with wh.transaction():
            if cases.open_case(wh, config, answer, now):
                n += 1
    return n


#: The tables a run writes (invitations, reminders, cases and their events, webhook
#: deliveries); tests/surveys/test_run_writes.py records a run's SQL and fails on one more.
WRITES = frozenset({"survey_invitations", "followup_cases", "cxlens_case_events",
                    "cxlens_outbox"})


def run(wh: Warehouse, now: dt.datetime | None = None, config: Config | None = None,
        deliver: Deliver | None = None, answers_arrived: bool = False) -> Summary:
    """``answers_arrived``: answers were collected since the last run (the dashboard's
    figures must include them)."""
    now = now or dt.datetime.now(dt.UTC)
    config = config or current(wh)
    cases.ensure(wh)
    summary = Summary()

    def default(p: Programme, m: send.Message) -> None:
        send.deliver(p, config.delivery, m)

    invite(wh, config, now, deliver or default, summary)
    remind(wh, config, now, deliver or default, summary)
    summary.cases_opened = open_missing_cases(wh, config, now)
    summary.recoveries = cases.record_recoveries(wh, config)
    summary.cases_reminded, summary.cases_escalated = cases.remind_and_escalate(wh, config, now)
    summary.webhooks_delivered, summary.webhooks_failed = webhooks.deliver(wh, now)
    if answers_arrived:  # answers change most figures
        with wh.transaction():
            bump_data_version(wh)
    elif summary.changed():  # only what a run writes: the pages reading none stay cached
        with wh.transaction():
            bump_data_version(wh, WRITES)
    return summary
