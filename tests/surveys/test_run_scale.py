"""One survey run at scale (issue 17): the candidates are chosen in SQL and decided, written and
delivered a batch at a time. What it must keep is what the per-customer implementation did, so
that implementation is copied below as the reference (``reference_invite``; only its cycle
phase is MD5 instead of SHA-1, the one intended change, docs/decisions.md) and both run on the
same warehouse at the same moments: the invitations (every column but the random id), the
messages in delivery order and the summary must be equal — on the demo warehouse and on
hand-built edge cases, on DuckDB and Postgres."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cxlens import store
from cxlens.schema import CUSTOMERS, INTERACTIONS, SURVEY_INVITATIONS
from cxlens.store.backup import arrow_schema
from cxlens.store.base import Warehouse
from cxlens.store.duck import DuckDBWarehouse
from cxlens.store.migrate import secret
from cxlens.surveys import fatigue, send, tokens, triggers
from cxlens.surveys.config import example_text
from cxlens.surveys.run import Summary, invite
from cxlens.surveys.spec import Config, Programme, parse
from cxlens.surveys.triggers import MAX_AGE, SNAPSHOT, Candidate

# -- the reference: the implementation before issue 17's batching, copied as it was ---------


def reference_phase(customer_id: str, days: int) -> int:
    """The old ``_phase`` with MD5 in place of SHA-1 (the one intended change)."""
    return int(hashlib.md5(customer_id.encode()).hexdigest()[:8], 16) % days


def reference_active(wh: Warehouse, now: dt.datetime) -> list[tuple[str, dt.datetime | None]]:
    return [(str(r[0]), r[1]) for r in wh.query(
        "SELECT customer_id, acquired_at FROM customers WHERE (acquired_at IS NULL OR "
        "acquired_at <= ?) AND (churned_at IS NULL OR churned_at > ?) ORDER BY customer_id",
        [now, now])]


def reference_last_sent(wh: Warehouse, p: Programme, touchpoint: str | None = None,
                        ) -> dict[str, dt.datetime]:
    extra, params = ("", [p.name]) if touchpoint is None else \
        (" AND touchpoint = ?", [p.name, touchpoint])
    return {str(r[0]): r[1] for r in wh.query(
        "SELECT customer_id, max(sent_at) FROM survey_invitations WHERE programme = ?"
        f"{extra} GROUP BY customer_id", params)}


EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def reference_cadence(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    every = p.trigger.every_days or 1
    last = reference_last_sent(wh, p)
    today = (now - EPOCH).days
    out = []
    for cid, _acquired in reference_active(wh, now):
        phase = reference_phase(cid, every)
        start = EPOCH + dt.timedelta(days=today - ((today - phase) % every))
        if cid in last and last[cid] >= start:
            continue
        out.append(Candidate(p, cid, max(start, now - dt.timedelta(days=every)),
                             touchpoint=p.touchpoint))
    return out


def reference_anniversary(acquired: dt.datetime, years: int) -> dt.datetime:
    try:
        return acquired.replace(year=acquired.year + years)
    except ValueError:  # 29 February
        return acquired.replace(year=acquired.year + years, day=28)


def reference_milestones(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    out = []
    active = reference_active(wh, now)
    for m in p.trigger.milestones:
        last = reference_last_sent(wh, p, m.event)
        for cid, acquired in active:
            if acquired is None:
                continue
            if m.event == "onboarding":
                due: dt.datetime | None = acquired + dt.timedelta(days=m.days_after)
            else:
                years = (now - acquired).days // 365
                due = max((d for k in range(max(1, years - 1), years + 2)
                           if (d := reference_anniversary(acquired, k)
                               + dt.timedelta(days=m.days_after)) <= now), default=None)
            if due is None:
                continue
            if not now - MAX_AGE < due <= now or (cid in last and last[cid] >= due):
                continue
            out.append(Candidate(p, cid, due, touchpoint=m.event))
    return out


def reference_transactional(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    def _in(column: str, values: tuple[str, ...], params: list[object]) -> str:
        if not values:
            return ""
        params.extend(v.lower() for v in values)
        return f" AND lower(i.{column}) IN ({', '.join('?' * len(values))})"

    latest = now - dt.timedelta(hours=p.trigger.delay_hours)
    params: list[object] = [latest, latest - MAX_AGE]
    where = _in("channel", p.trigger.interaction_channels, params)
    where += _in("category", p.trigger.categories, params)
    again = " AND v.sent_at >= i.closed_at" if p.trigger.resend_after_reopen else ""
    params.append(p.name)
    rows = wh.query(
        "SELECT i.interaction_id, i.customer_id, i.closed_at, "
        f"{', '.join(f'i.{c}' for c in SNAPSHOT)} "
        "FROM interactions i WHERE i.closed_at IS NOT NULL AND i.customer_id IS NOT NULL "
        f"AND i.closed_at <= ? AND i.closed_at > ?{where} AND NOT EXISTS (SELECT 1 FROM "
        "survey_invitations v WHERE v.interaction_id = i.interaction_id AND v.programme = ?"
        f"{again}) ORDER BY i.closed_at, i.interaction_id", params)
    return [Candidate(p, str(r[1]), r[2] + dt.timedelta(hours=p.trigger.delay_hours),
                      str(r[0]), p.touchpoint or "support",
                      dict(zip(SNAPSHOT, r[3:], strict=True))) for r in rows]


def reference_due(wh: Warehouse, p: Programme, now: dt.datetime) -> list[Candidate]:
    if not p.active:
        return []
    if p.trigger.type == "interaction_closed":
        return reference_transactional(wh, p, now)
    if p.trigger.type == "cadence":
        return reference_cadence(wh, p, now)
    return reference_milestones(wh, p, now)


def reference_contacts(wh: Warehouse, ids: list[str]) -> dict[str, fatigue.Contact]:
    out: dict[str, fatigue.Contact] = {}
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        for r in wh.query(
                "SELECT customer_id, email, phone, language, account_id, "
                "coalesce(surveys_opt_out, false), segment, region, country FROM customers "
                f"WHERE customer_id IN ({', '.join('?' * len(chunk))})", chunk):
            out[str(r[0])] = fatigue.Contact(
                str(r[0]), r[1], r[2], r[3], r[4], bool(r[5]),
                {"segment": r[6], "region": r[7], "country": r[8]})
    return out


def reference_history(wh: Warehouse, config: Config, now: dt.datetime) -> list[fatigue.Sent]:
    days = max([config.fatigue.min_gap_days, *(r.min_gap_days for r in config.fatigue.rules),
                *(p.min_gap_days for p in config.programmes),
                config.fatigue.per_account.days if config.fatigue.per_account else 0])
    rows = wh.query(
        "SELECT v.customer_id, coalesce(v.programme, v.survey), v.sent_at, c.account_id "
        "FROM survey_invitations v LEFT JOIN customers c ON c.customer_id = v.customer_id "
        "WHERE v.status <> 'suppressed' AND v.sent_at > ? AND v.customer_id IS NOT NULL",
        [now - dt.timedelta(days=days)])
    return [fatigue.Sent(str(r[0]), str(r[1]), r[2], r[3]) for r in rows]


def reference_decide_all(rules: Any, items: Sequence[tuple[Programme, fatigue.Contact,
                                                           dt.datetime]],
                         history: list[fatigue.Sent]) -> list[fatigue.Decision]:
    ledger = fatigue.Ledger(history)
    order = sorted(range(len(items)), key=lambda i: items[i][2])
    out: list[fatigue.Decision | None] = [None] * len(items)
    for i in order:
        programme, contact, at = items[i]
        decision = ledger.decide(rules, programme, contact, at)
        if decision.channel:
            ledger.add(fatigue.Sent(contact.customer_id, programme.name, at,
                                    contact.account_id))
        out[i] = decision
    return [d for d in out if d is not None]


def reference_invite(wh: Warehouse, config: Config, now: dt.datetime,
                     deliver: Callable[[Programme, send.Message], None],
                     summary: Summary) -> None:
    """``cxlens.surveys.run.invite`` before issue 17 (its ``_send`` inlined for bounces)."""
    due = [c for p in config.programmes for c in reference_due(wh, p, now)]
    if not due:
        return
    due.sort(key=lambda c: (c.programme.kind != "transactional", c.due_at))
    contacts = reference_contacts(wh, sorted({c.customer_id for c in due}))
    items = [(c.programme, contacts.get(c.customer_id) or fatigue.Contact(c.customer_id), now)
             for c in due]
    decisions = reference_decide_all(config.fatigue, items,
                                     reference_history(wh, config, now))
    key = secret(wh, tokens.SECRET_KEY)
    for cand, (_p, contact, _at), decision in zip(due, items, decisions, strict=True):
        p = cand.programme
        inv_id = tokens.new_invitation_id()
        language = contact.language if contact.language in p.languages else p.languages[0]
        expires = now + dt.timedelta(days=p.link_days)
        status, reason = ("suppressed", decision.reason) if decision.channel is None \
            else ("sent", None)
        with wh.transaction():
            wh.execute(
                "INSERT INTO survey_invitations (invitation_id, survey, programme, sent_at, "
                "customer_id, interaction_id, survey_channel, kind, touchpoint, status, reason,"
                " suppressed_by, vendor, site, team, agent_id, language, expires_at, "
                "reminders_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [inv_id, p.survey, p.name, now, cand.customer_id, cand.interaction_id,
                 decision.channel, p.kind, cand.touchpoint, status, reason,
                 reason.split(":")[0] if reason else None,
                 *(cand.snapshot.get(k) for k in triggers.SNAPSHOT), language, expires])
        if decision.channel is None:
            summary.suppressed += 1
            head = (reason or "").split(":")[0]
            summary.suppression_reasons[head] = summary.suppression_reasons.get(head, 0) + 1
            continue
        to = contact.email if decision.channel == "email" else contact.phone
        msg = send.compose(p, config.delivery, inv_id, tokens.make(key, inv_id, expires),
                           decision.channel, to, language)
        deliver(p, msg)
        summary.invited += 1


# -- running both and comparing -------------------------------------------------------------

COLUMNS = ("invitation_id, survey, programme, sent_at, customer_id, interaction_id, "
           "survey_channel, kind, touchpoint, status, reason, suppressed_by, vendor, site, "
           "team, agent_id, language, expires_at, reminders_sent")
Outcome = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], Summary]
Invite = Callable[[Warehouse, Config, dt.datetime,
                   Callable[[Programme, send.Message], None], Summary], None]


def _ids(wh: Warehouse) -> set[str]:
    return {str(r[0]) for r in wh.query("SELECT invitation_id FROM survey_invitations")}


def outcome(wh: Warehouse, how: Invite, config: Config, now: dt.datetime) -> tuple[
        Outcome, list[str]]:
    """What ``how`` recorded and delivered at ``now``: the new invitations without their
    random id (sorted), the messages in delivery order without id or link, the summary; and
    the new ids."""
    before = _ids(wh)
    messages: list[tuple[Any, ...]] = []
    summary = Summary()
    how(wh, config, now, lambda p, m: messages.append(
        (p.name, m.channel, m.to, m.language, m.subject)), summary)
    rows = [r for r in wh.query(f"SELECT {COLUMNS} FROM survey_invitations")
            if str(r[0]) not in before]
    return ((sorted((r[1:] for r in rows), key=lambda r: [str(v) for v in r]), messages,
             summary), [str(r[0]) for r in rows])


def same_as_reference(wh: Warehouse, config: Config, now: dt.datetime,
                      how: Invite) -> Outcome:
    """Run the reference at ``now``, undo it, run ``how`` (kept); both outcomes must agree."""
    expected, ids = outcome(wh, reference_invite, config, now)
    with wh.transaction():
        wh.execute("DELETE FROM survey_invitations WHERE invitation_id = ANY(?)", [ids])
    got, _ = outcome(wh, how, config, now)
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    assert got[2] == expected[2]
    return got


def batched(size: int, page: int) -> Invite:
    def how(wh: Warehouse, config: Config, now: dt.datetime,
            deliver: Callable[[Programme, send.Message], None], summary: Summary) -> None:
        invite(wh, config, now, deliver, summary, batch_size=size, page=page)
    return how


# -- hand-built edge cases ------------------------------------------------------------------

T = dt.datetime
UTC = dt.UTC
CONFIG = """
default_language: en
fatigue:
  min_gap_days: 2
  per_account: {max: 3, days: 30}
  rules:
    - when: {segment: [enterprise]}
      min_gap_days: 5
delivery: {base_url: "http://127.0.0.1:8000"}
programmes:
  - name: support
    survey: csat
    trigger: {type: interaction_closed, delay_hours: 1}
    questions: {score: {text: {en: "How did we do?"}}}
  - name: rel
    survey: nps
    trigger: {type: cadence, every_days: 7}
    channels: [email, sms]
    questions: {score: {text: {en: "Recommend us?", fr: "Nous recommander ?"}}}
  - name: life
    survey: ces
    trigger: {type: milestone, milestones: [{event: onboarding, days_after: 0},
                                             {event: renewal, days_after: 0}]}
    questions: {score: {text: {en: "Easy?"}}}
  - name: late
    survey: ces
    trigger: {type: milestone, milestones: [{event: renewal, days_after: 5},
                                             {event: onboarding, days_after: 30}]}
    min_gap_days: 3
    questions: {score: {text: {en: "Still easy?"}}}
"""
# id, acquired, churned, email, phone, account, opted out, segment, language
PEOPLE: list[tuple[str, T | None, T | None, str | None, str | None, str | None, bool, str,
                   str]] = [
    ("leap", T(2024, 2, 29, 8, tzinfo=UTC), None, "leap@x.example", None, "A1", False, "smb",
     "fr"),
    ("leap-late", T(2024, 2, 29, 23, 30, tzinfo=UTC), None, "ll@x.example", None, "A1", False,
     "smb", "en"),
    ("feb28", T(2023, 2, 28, 10, tzinfo=UTC), None, "f28@x.example", None, "A1", False,
     "enterprise", "en"),
    ("mar1", T(2024, 3, 1, 0, 30, tzinfo=UTC), None, None, "+15550001", "A1", False, "smb",
     "en"),
    ("today", T(2025, 2, 24, 7, tzinfo=UTC), None, "today@x.example", None, "A1", False,
     "smb", "de"),
    ("future", T(2025, 3, 3, 12, tzinfo=UTC), None, "fut@x.example", None, "A2", False, "smb",
     "en"),
    ("churned", T(2022, 2, 22, 9, tzinfo=UTC), T(2025, 2, 22, 12, tzinfo=UTC),
     "ch@x.example", None, "A2", False, "smb", "en"),
    ("optout", T(2021, 2, 27, 9, tzinfo=UTC), None, "oo@x.example", None, "A2", True, "smb",
     "en"),
    ("noemail", T(2020, 6, 1, tzinfo=UTC), None, None, None, "A2", False, "smb", "en"),
    ("noacq", None, None, "na@x.example", None, None, False, "smb", "en"),
    ("invited", T(2019, 5, 5, tzinfo=UTC), None, "inv@x.example", None, "A2", False, "smb",
     "en"),
    ("onb30", T(2025, 1, 22, 6, tzinfo=UTC), None, "o30@x.example", None, "A3", False, "smb",
     "en"),
    ("onb-done", T(2025, 1, 23, 6, tzinfo=UTC), None, "od@x.example", None, "A3", False,
     "smb", "en"),
    ("c-ß", T(2018, 2, 26, 9, tzinfo=UTC), None, "ss@x.example", None, "A3", False, "smb",
     "en"),
    *[(f"A1-{i}", T(2020 + i % 3, 3, 2 + i, 9, tzinfo=UTC), None, f"a1-{i}@x.example", None,
       "A1", False, "smb", "en") for i in range(6)],
]
# already invited: "invited" by rel in the cycle the runs start in; "onb-done" for onboarding
EARLIER = [("invited", "rel", "nps", T(2025, 2, 19, 9, tzinfo=UTC), None, "sent"),
           ("onb-done", "late", "ces", T(2025, 2, 22, 10, tzinfo=UTC), "onboarding", "sent"),
           ("A1-0", "rel", "nps", T(2025, 2, 18, 9, tzinfo=UTC), None, "suppressed")]
RUNS = [T(2025, 2, 20, 9, tzinfo=UTC) + dt.timedelta(days=d) for d in range(14)] + \
    [T(2028, 2, 27, 9, tzinfo=UTC) + dt.timedelta(days=d) for d in range(4)]


def edge_world(wh: Warehouse) -> None:
    cols = ("customer_id", "acquired_at", "churned_at", "email", "phone", "account_id",
            "surveys_opt_out", "segment", "language")
    wh.insert_arrow("customers", pa.table(
        {c: [p[i] for p in PEOPLE] for i, c in enumerate(cols)},
        schema=pa.schema([(c, pa.timestamp("us", tz="UTC") if c.endswith("_at") else
                           pa.bool_() if c == "surveys_opt_out" else pa.string())
                          for c in cols])))
    wh.insert_rows("survey_invitations", ("invitation_id", "customer_id", "programme", "survey",
                                          "sent_at", "touchpoint", "status"),
                   [(f"inv_old{i}", *e) for i, e in enumerate(EARLIER)])
    closes = [("leap", 0, 2), ("today", 4, 3), ("A1-1", 4, 5), ("A1-2", 4, 5), ("A1-3", 9, 1),
              ("feb28", 8, 2), ("optout", 3, 4), ("churned", 1, 6)]
    wh.insert_rows("interactions", ("interaction_id", "customer_id", "channel", "vendor",
                                    "site", "team", "agent_id", "created_at", "closed_at"),
                   [(f"I{n}", cid, "email", "Acme BPO", "Manila", "T1", f"ag{n}",
                     RUNS[day] - dt.timedelta(hours=hours + 1),
                     RUNS[day] - dt.timedelta(hours=hours))
                    for n, (cid, day, hours) in enumerate(closes)])


@pytest.mark.parametrize(("size", "page"), [(2, 1), (1000, 50_000)])
def test_edge_cases_match_the_reference_day_after_day(wh: Warehouse, size: int,
                                                      page: int) -> None:
    """Daily runs over two cadence cycles around 28 February 2025 and 29 February 2028: each
    day the reference and the batched run (in batches of two and pages of one, so every
    boundary is crossed; and with the shipped sizes) decide alike, and what the batched run
    wrote is the history of the next day."""
    edge_world(wh)
    config = parse(CONFIG)
    seen: dict[str, int] = {}
    for now in RUNS:
        rows, messages, summary = same_as_reference(wh, config, now, batched(size, page))
        for r in rows:
            seen[str(r[8])] = seen.get(str(r[8]), 0) + 1
        seen["delivered"] = seen.get("delivered", 0) + len(messages)
        assert summary.invited == len(messages)
    # every path was taken at least once
    assert seen["sent"] and seen["suppressed"] and seen["delivered"] == seen["sent"]
    reasons = {str(r[0]) for r in wh.query(
        "SELECT DISTINCT suppressed_by FROM survey_invitations WHERE status = 'suppressed'")}
    assert {"opted_out", "no_address", "global_gap", "account_cap"} <= reasons


def _invited(wh: Warehouse, programme: str, who: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in wh.query(
        "SELECT sent_at, touchpoint, status FROM survey_invitations WHERE programme = ? AND "
        "customer_id = ? AND invitation_id NOT LIKE 'inv_old%' ORDER BY sent_at",
        [programme, who])]


def test_edge_cases_by_hand(wh: Warehouse) -> None:
    """What the runs of the test above must give, worked out by hand for the edge cases."""
    edge_world(wh)
    config = parse(CONFIG)
    for now in RUNS:
        invite(wh, config, now, lambda p, m: None, Summary(), batch_size=2, page=1)
    # renewal of a 29 February customer: on the 28th in 2025 (08:00 ≤ 09:00), on the 29th
    # in 2028; the late one (23:30) on the next day's run in 2025 (28 Feb 23:30 < 1 Mar 09:00)
    assert [r[0] for r in _invited(wh, "life", "leap") if r[1] == "renewal"] == \
        [T(2025, 2, 28, 9, tzinfo=UTC), T(2028, 2, 29, 9, tzinfo=UTC)]
    assert [r[0] for r in _invited(wh, "life", "leap-late") if r[1] == "renewal"] == \
        [T(2025, 3, 1, 9, tzinfo=UTC), T(2028, 3, 1, 9, tzinfo=UTC)]
    # five days after the anniversary: 5 March 2025 (28 Feb + 5)
    assert [r[0] for r in _invited(wh, "late", "leap") if r[1] == "renewal"] == \
        [T(2025, 3, 5, 9, tzinfo=UTC)]
    # acquired at 07:00 on a run's day: onboarding at that day's 09:00 run
    assert [r[0] for r in _invited(wh, "life", "today") if r[1] == "onboarding"] == \
        [T(2025, 2, 24, 9, tzinfo=UTC)]
    # onboarding + 30 days: acquired 22 Jan 06:00 → due 21 Feb 06:00 → the 21 Feb run
    assert [r[0] for r in _invited(wh, "late", "onb30") if r[1] == "onboarding"] == \
        [T(2025, 2, 21, 9, tzinfo=UTC)]
    assert _invited(wh, "late", "onb-done") == []  # invited on 22 Feb already
    # the cadence (every 7 days): a customer's cycle starts at midnight of the days n (days
    # since 2000-01-01) with n ≡ phase (mod 7), phase = int(md5(id)[:8], 16) % 7. 20 Feb 2025
    # is day 9182 (≡ 5). Never invited: due on the first run, then on each cycle start.
    # "leap": phase 6 → starts 21 Feb (9183) and 28 Feb (9190)
    assert rel(wh, "leap") == [day(20), day(21), day(28)]
    # "invited": phase 4, invited 19 Feb 09:00 in the cycle that started 19 Feb (9181): not
    # again before 26 Feb (9188), then 5 March (9195)
    assert rel(wh, "invited") == [day(26), T(2025, 3, 5, 9, tzinfo=UTC)]
    # "churned": phase 0, churned 22 Feb at noon: the first run, and 22 Feb (9184) 09:00
    assert rel(wh, "churned") == [day(20), day(22)]
    # "future": acquired 3 March 12:00: the 4 March run; phase 6: next start 7 March
    assert rel(wh, "future") == [T(2025, 3, 4, 9, tzinfo=UTC)]


def day(d: int) -> dt.datetime:
    return T(2025, 2, d, 9, tzinfo=UTC)


def rel(wh: Warehouse, who: str) -> list[dt.datetime]:
    return [r[0] for r in _invited(wh, "rel", who) if r[0].year == 2025]


@pytest.mark.parametrize(("cid", "value"), [("C01", 112_286_729), ("leap", 3_937_299_036),
                                            ("c-ß", 1_970_722_504), ("x", 2_647_975_009)])
def test_phase_source_is_the_same_number_on_both_engines(wh: Warehouse, cid: str,
                                                         value: int) -> None:
    """int(md5(id)[:8], 16), literal; "leap" and "x" have the top bit set (unsigned)."""
    assert wh.scalar(f"SELECT {triggers.phase_sql(wh.dialect, 'CAST(? AS VARCHAR)')}",
                     [cid]) == value


# -- the demo warehouse ---------------------------------------------------------------------


def demo_copy(demo_db: str, tmp_path: Path) -> Warehouse:
    """The demo (its customers have no e-mail address nor account: most would be suppressed
    for no_address) with addresses for four in five, accounts of ~15 and an enterprise
    segment, so every fatigue rule takes part."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    wh = store.connect(str(path))
    with wh.transaction():
        wh.execute("UPDATE customers SET email = CASE WHEN customer_id LIKE '%3' THEN NULL "
                   "ELSE customer_id || '@x.example' END, account_id = 'A' || "
                   "substr(md5(customer_id), 1, 2), segment = CASE WHEN customer_id LIKE '%1' "
                   "THEN 'enterprise' ELSE 'smb' END")
    return wh


def test_demo_wave_and_steady_state_match_the_reference(wh: Warehouse, demo_db: str,
                                                       tmp_path: Path) -> None:
    """The first run on the demo invites a whole relational wave; the next ones (a minute and
    a day later) are the steady state. On Postgres the demo's customers, interactions and
    invitations are copied in."""
    duck = demo_copy(demo_db, tmp_path)
    try:
        if wh.dialect == "postgres":
            for table in (CUSTOMERS, INTERACTIONS, SURVEY_INVITATIONS):
                schema = arrow_schema(table)
                wh.insert_arrow(table.name, pa.Table.from_batches(list(duck.arrow_batches(
                    f"SELECT {', '.join(schema.names)} FROM {table.name}", schema, 100_000)),
                    schema))
        target = duck if wh.dialect == "duckdb" else wh
        config = parse(example_text())
        now = target.scalar("SELECT max(closed_at) FROM interactions") + dt.timedelta(hours=1)
        rows, _, summary = same_as_reference(target, config, now, batched(1000, 700))
        assert len(rows) > 2000 and summary.invited > 100 and summary.suppressed > 100
        for later in (dt.timedelta(minutes=1), dt.timedelta(days=1)):
            same_as_reference(target, config, now + later, batched(1000, 700))
    finally:
        duck.close()


# -- batches: what a run asks of the warehouse and what a crash leaves ------------------------


class Recording(DuckDBWarehouse):
    """A real DuckDB warehouse that notes how many rows each query returned."""

    fetched: list[int]

    def query(self, sql: str, params: Sequence[Any] | Any = ()) -> list[tuple[Any, ...]]:
        rows = super().query(sql, params)
        self.fetched.append(len(rows))
        return rows


def many(tmp_path: Path, n: int) -> Recording:
    path = str(tmp_path / "many.duckdb")
    store.connect(path).close()
    wh = Recording(path)
    wh.fetched = []
    wh.insert_arrow("customers", pa.table({
        "customer_id": [f"K{i:05d}" for i in range(n)],
        "acquired_at": pa.array([T(2020, 1, 1, tzinfo=UTC)] * n,
                                pa.timestamp("us", tz="UTC")),
        "email": [f"k{i}@x.example" for i in range(n)],
        "account_id": [f"A{i % 40}" for i in range(n)]}))
    return wh


def test_a_wave_is_read_and_decided_a_batch_at_a_time(tmp_path: Path) -> None:
    """3,000 customers due at once, batches of 500: no query returns more than a batch or a
    page (the old run read every active customer, every programme's last invitations and all
    recent history in one go each), and the run still invites all 3,000 (no fatigue rule:
    accounts uncapped)."""
    wh = many(tmp_path, 3000)
    try:
        config = parse(CONFIG.replace("per_account: {max: 3, days: 30}", "per_account: null"))
        summary = Summary()
        delivered: list[str] = []
        invite(wh, config, T(2025, 2, 20, 9, tzinfo=UTC),
               lambda p, m: delivered.append(m.invitation_id), summary, batch_size=500,
               page=600)
        assert summary.invited == 3000 == len(delivered)
        assert max(wh.fetched) <= 600
        assert wh.count("survey_invitations") == 3000
    finally:
        wh.close()


class Crash(Exception):
    """Stands for the process dying in the middle of a run."""


def test_a_crash_mid_run_keeps_whole_batches_and_every_delivered_row(tmp_path: Path) -> None:
    """Delivery dies at the 1,234th message of a 3,000-customer wave in batches of 500: the
    two batches before and the one being delivered are recorded whole (its rows are committed
    before any of its messages leaves), nothing after it; every delivered message has its
    row, status sent."""
    wh = many(tmp_path, 3000)
    try:
        config = parse(CONFIG.replace("per_account: {max: 3, days: 30}", "per_account: null"))
        delivered: list[str] = []

        def deliver(_p: Programme, m: send.Message) -> None:
            if len(delivered) == 1233:
                raise Crash
            delivered.append(m.invitation_id)

        with pytest.raises(Crash):
            invite(wh, config, T(2025, 2, 20, 9, tzinfo=UTC), deliver, Summary(),
                   batch_size=500, page=600)
        assert wh.count("survey_invitations") == 1500
        rows = dict(wh.query("SELECT invitation_id, status FROM survey_invitations"))
        assert all(rows.get(i) == "sent" for i in delivered)
    finally:
        wh.close()
