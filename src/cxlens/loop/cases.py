"""Follow-up cases: opened by a rule from an answer (by default NPS 0–6 and CSAT 1–2, and any
comment with a configured keyword), owned by the first person of the matching owner chain
(templates such as ``"{vendor} / {team} lead"``), due in the rule's hours, reminded before
the due time, escalated to the next owner when overdue; then contacted → resolved or
unreachable with a root cause, notes and an outcome. A later answer of the same customer to
the same survey is recorded as recovery."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from cxlens import webhooks
from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.personal import by, delete
from cxlens.schema import CASE_STATUSES, Column, Table, Type
from cxlens.store.base import Warehouse
from cxlens.surveys.spec import CaseRule, Config

_S, _T = Type.STRING, Type.TIMESTAMP
EVENTS = Table("cxlens_case_events", "Each case's history: opened, reminded, escalated, "
               "status changes, notes.", (
                   Column("case_id", _S, "The case.", required=True),
                   Column("occurred_at", _T, "When.", required=True),
                   Column("actor", _S, "Who (a user, or cxlens for automatic steps)."),
                   Column("action", _S, "opened, reminded, escalated, contacted, resolved, "
                          "unreachable, note, root_cause, reopened.", required=True),
                   Column("detail", _S, "Note text, new owner, ..."),
               ), key=(), personal=delete(by("case")))
TABLES = (EVENTS,)
EVENT_COLUMNS = tuple(c.name for c in EVENTS.columns)
EVENTS_ARROW = pa.schema([(c, pa.timestamp("us", tz="UTC") if c == "occurred_at"
                           else pa.string()) for c in EVENT_COLUMNS])
#: Allowed status moves (a closed case may be reopened).
MOVES = {"open": ("contacted", "resolved", "unreachable"),
         "contacted": ("resolved", "unreachable"),
         "resolved": ("open",), "unreachable": ("open",)}
COLUMNS = ("case_id", "response_id", "rule", "survey", "score", "customer_id",
           "interaction_id", "vendor", "site", "team", "agent_id", "owner", "escalation_level",
           "status", "opened_at", "due_at", "reminded_at", "overdue_at", "first_contact_at",
           "closed_at", "root_cause", "outcome", "recovery_response_id", "recovery_score",
           "recovered")


def ensure(wh: Warehouse) -> None:
    wh.ensure(EVENTS)
    webhooks.ensure(wh)


@dataclass(frozen=True)
class Answer:
    response_id: str
    survey: str
    score: int
    customer_id: str | None
    interaction_id: str | None
    comment: str | None
    snapshot: dict[str, Any]


def matches(rule: CaseRule, a: Answer) -> bool:
    if rule.survey and rule.survey != a.survey:
        return False
    if rule.score_max is not None and a.score > rule.score_max:
        return False
    if rule.keywords:
        text = (a.comment or "").lower()
        return any(re.search(rf"\b{re.escape(k.lower())}\b", text) for k in rule.keywords)
    return True


def first_rule(config: Config, a: Answer) -> CaseRule | None:
    return next((r for r in config.loop.rules if matches(r, a)), None)


def chain(config: Config, snapshot: dict[str, Any]) -> tuple[str, ...]:
    """The owners in escalation order: the first matching chain, without the templates whose
    fields the answer lacks (a relational NPS answer has no team, so no team lead)."""
    for owners in config.loop.owners:
        if all(str(snapshot.get(k) or "") in vals for k, vals in owners.when.items()):
            filled = tuple(o for t in owners.chain if (o := _fill(t, snapshot)))
            if filled:
                return filled
    return ("unassigned",)


def _fill(template: str, snapshot: dict[str, Any]) -> str | None:
    fields = re.findall(r"\{(\w+)\}", template)
    if any(not snapshot.get(f) for f in fields):
        return None
    return re.sub(r"\{(\w+)\}", lambda m: str(snapshot[m.group(1)]), template)


def _event(wh: Warehouse, case_id: str, now: dt.datetime, actor: str | None, action: str,
           detail: str | None = None) -> None:
    wh.insert_rows("cxlens_case_events", EVENT_COLUMNS, [[case_id, now, actor, action, detail]])


_OPEN = ("case_id", "response_id", "rule", "survey", "score", "customer_id",
         "interaction_id", "vendor", "site", "team", "agent_id", "owner", "escalation_level",
         "status", "opened_at", "due_at")


def open_cases(wh: Warehouse, config: Config, answers: Sequence[Answer], now: dt.datetime,
               *, new: bool = False) -> dict[str, str]:
    """Open a case for every answer a rule matches and that has none yet (call in a
    transaction; ``new``: the answers were just recorded, so none has one). A fixed number
    of statements whatever the count. Returns the case id per response id."""
    matched = {a.response_id: (a, r) for a in answers if (r := first_rule(config, a))}
    if matched and not new:
        ids = list(matched)
        for (rid,) in wh.query("SELECT response_id FROM followup_cases WHERE response_id "
                               f"IN ({', '.join('?' * len(ids))})", ids):
            matched.pop(rid, None)
    opened: dict[str, str] = {}
    rows: list[list[Any]] = []
    events: list[list[Any]] = []
    hooks: list[tuple[str, dict[str, Any], str | None]] = []
    for rid, (a, rule) in matched.items():
        case_id = opened[rid] = "case_" + secrets.token_hex(6)
        owner = chain(config, a.snapshot)[0]
        due = now + dt.timedelta(hours=rule.due_hours)
        rows.append([case_id, rid, rule.name, a.survey, a.score, a.customer_id,
                     a.interaction_id, *(a.snapshot.get(k) for k in ("vendor", "site", "team",
                                                                      "agent_id")),
                     owner, 0, "open", now, due])
        events.append([case_id, now, "cxlens", "opened", f"rule {rule.name}; owner {owner}"])
        hooks.append(("case.created", {
            "case_id": case_id, "survey": a.survey, "score": a.score, "comment": a.comment,
            "customer_id": a.customer_id, "owner": owner, "due_at": due.isoformat(),
            "rule": rule.name, **a.snapshot}, a.customer_id))
    wh.insert_rows("followup_cases", _OPEN, rows)
    wh.insert_rows("cxlens_case_events", EVENT_COLUMNS, events)
    webhooks.emit_many(wh, config.webhooks, hooks, now)
    return opened


def open_case(wh: Warehouse, config: Config, a: Answer, now: dt.datetime) -> str | None:
    """Open a case when a rule matches and the answer has none yet (call in a transaction)."""
    return open_cases(wh, config, [a], now).get(a.response_id)


def get(wh: Warehouse, case_id: str) -> dict[str, Any]:
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM followup_cases WHERE case_id = ?",
                    [case_id])
    if not rows:
        raise NotFound(f"no case {case_id!r}", "list cases at /cases or with: cxlens cases list")
    return dict(zip(COLUMNS, rows[0], strict=True))


def answer_comment(wh: Warehouse, response_id: str) -> str | None:
    """The comment of the survey answer that opened a case (None: no answer or no comment);
    raw — redact it before showing it."""
    rows = wh.query("SELECT comment FROM survey_responses WHERE response_id = ?",
                    [response_id])
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def history(wh: Warehouse, case_id: str) -> list[tuple[Any, ...]]:
    return wh.query("SELECT occurred_at, actor, action, detail FROM cxlens_case_events "
                    "WHERE case_id = ? ORDER BY occurred_at", [case_id])


def update(wh: Warehouse, config: Config, case_id: str, actor: str, now: dt.datetime, *,
           status: str | None = None, root_cause: str | None = None,
           note: str | None = None, outcome: str | None = None) -> dict[str, Any]:
    """Move a case along its workflow; every problem with the request is reported at once."""
    case = get(wh, case_id)
    problems = []
    if status and status != case["status"] and status not in MOVES[case["status"]]:
        allowed = ", ".join(MOVES[case["status"]])
        problems.append(f"a {case['status']} case cannot become {status!r} (allowed: "
                        f"{allowed}){did_you_mean(status, CASE_STATUSES)}")
    causes = config.loop.root_causes
    if root_cause and root_cause not in causes:
        problems.append(f"unknown root cause {root_cause!r}.{did_you_mean(root_cause, causes)}")
    if status == "resolved" and not (root_cause or case["root_cause"]):
        problems.append("a resolved case needs a root cause")
    if problems:
        raise ConfigError("; ".join(problems), f"root causes: {', '.join(causes)}")
    with wh.transaction():
        if status and status != case["status"]:
            sets: dict[str, Any] = {"status": status}
            if case["first_contact_at"] is None and status in ("contacted", "resolved"):
                sets["first_contact_at"] = now
            if status in ("resolved", "unreachable"):
                sets["closed_at"] = now
            if status == "open":
                sets["closed_at"] = None
            _set(wh, case_id, sets)
            _event(wh, case_id, now, actor, "reopened" if status == "open" else status)
        if root_cause and root_cause != case["root_cause"]:
            _set(wh, case_id, {"root_cause": root_cause})
            _event(wh, case_id, now, actor, "root_cause", root_cause)
        if outcome:
            _set(wh, case_id, {"outcome": outcome})
            _event(wh, case_id, now, actor, "outcome", outcome)
        if note:
            _event(wh, case_id, now, actor, "note", note)
    return get(wh, case_id)


def _set(wh: Warehouse, case_id: str, values: dict[str, Any]) -> None:
    cols = ", ".join(f"{k} = ?" for k in values)
    wh.execute(f"UPDATE followup_cases SET {cols} WHERE case_id = ?",
               [*values.values(), case_id])


def _payload(case: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in case.items()
            if k in ("case_id", "survey", "score", "customer_id", "owner", "due_at", "vendor",
                     "team", "agent_id", "escalation_level")}


def remind_and_escalate(wh: Warehouse, config: Config, now: dt.datetime) -> tuple[int, int]:
    """Remind owners of cases due soon (once per owner) and hand overdue ones to the next
    owner in their chain (once per level). Returns (reminded, escalated)."""
    loop = config.loop
    soon = now + dt.timedelta(hours=loop.remind_before_hours)
    reminded = escalated = 0
    for (case_id,) in wh.query(
            "SELECT case_id FROM followup_cases WHERE status = 'open' AND due_at <= ? AND "
            "due_at > ? AND (reminded_at IS NULL OR reminded_at < due_at - ?)",
            [soon, now, dt.timedelta(hours=loop.remind_before_hours)]):
        with wh.transaction():
            _set(wh, case_id, {"reminded_at": now})
            case = get(wh, case_id)
            _event(wh, case_id, now, "cxlens", "reminded", case["owner"])
            webhooks.emit(wh, config.webhooks, "case.reminder", _payload(case), now,
                          case["customer_id"])
        reminded += 1
    for (case_id,) in wh.query("SELECT case_id FROM followup_cases WHERE status = 'open' AND "
                               "due_at <= ? ORDER BY due_at", [now]):
        case = get(wh, case_id)
        owners = chain(config, case)
        level = int(case["escalation_level"] or 0)
        nxt = owners[min(level + 1, len(owners) - 1)]
        with wh.transaction():
            _set(wh, case_id, {"owner": nxt, "escalation_level": level + 1,
                               "due_at": now + dt.timedelta(hours=loop.escalate_hours),
                               "overdue_at": case["overdue_at"] or now})
            _event(wh, case_id, now, "cxlens", "escalated",
                   f"overdue since {case['due_at']:%Y-%m-%d %H:%M}; {case['owner']} → {nxt}")
            webhooks.emit(wh, config.webhooks, "case.overdue",
                          {**_payload(case), "previous_owner": case["owner"], "owner": nxt},
                          now, case["customer_id"])
        escalated += 1
    return reminded, escalated


def record_recoveries(wh: Warehouse, config: Config) -> int:
    """For cases without a recovery yet: the customer's first later answer to the same
    survey; recovered when it falls outside the band that opened the case (rules without a
    score band, e.g. keywords, record the answer but not a verdict). Two statements
    whatever the number of cases; returns how many cases gained a recovery answer."""
    bands = [(r.name, r.score_max) for r in config.loop.rules if r.score_max is not None]
    band = ("CASE " + " ".join("WHEN c.rule = ? THEN ?" for _ in bands) + " END"
            if bands else "NULL")
    params = [v for pair in bands for v in pair]
    nxt = ("SELECT case_id, rid, score, band FROM (SELECT c.case_id, r.response_id AS rid, "
           f"r.score, {band} AS band, row_number() OVER (PARTITION BY c.case_id ORDER BY "
           "r.responded_at, r.response_id) AS k FROM followup_cases c "
           "JOIN survey_responses o ON o.response_id = c.response_id "
           "JOIN survey_responses r ON r.customer_id = c.customer_id AND r.survey = c.survey "
           "AND r.responded_at > o.responded_at AND r.response_id <> c.response_id "
           "WHERE c.recovery_response_id IS NULL AND c.customer_id IS NOT NULL) t WHERE k = 1")
    n = int(wh.scalar(f"SELECT count(*) FROM ({nxt}) x", params))
    if n:
        wh.execute("UPDATE followup_cases SET recovery_response_id = n.rid, recovery_score = "
                   "n.score, recovered = CASE WHEN n.band IS NULL THEN NULL ELSE n.score > "
                   f"n.band END FROM ({nxt}) n WHERE followup_cases.case_id = n.case_id",
                   params)
    return n


def _filters(vendor: str | None, status: str | None, owner: str | None,
             due_before: dt.datetime | None) -> tuple[str, list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    for col, val in (("vendor", vendor), ("status", status), ("owner", owner)):
        if val:
            where.append(f"{col} = ?")
            params.append(val)
    if due_before is not None:
        where.append("due_at < ?")
        params.append(due_before)
    return " AND ".join(where), params


def listing(wh: Warehouse, *, vendor: str | None = None, status: str | None = None,
            owner: str | None = None, due_before: dt.datetime | None = None,
            limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
    """Cases, open ones first by due time; ``due_before`` keeps those due before then."""
    where, params = _filters(vendor, status, owner, due_before)
    rows = wh.query(f"SELECT {', '.join(COLUMNS)} FROM followup_cases WHERE {where} "
                    "ORDER BY (status = 'open') DESC, due_at, case_id LIMIT ? OFFSET ?",
                    [*params, limit, offset])
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def count(wh: Warehouse, *, vendor: str | None = None, status: str | None = None,
          owner: str | None = None, due_before: dt.datetime | None = None) -> int:
    """How many cases :func:`listing` would list without a limit."""
    where, params = _filters(vendor, status, owner, due_before)
    return int(wh.scalar(f"SELECT count(*) FROM followup_cases WHERE {where}", params))
