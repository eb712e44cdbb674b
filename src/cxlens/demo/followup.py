"""The closed loop over the demo year: every answer that the example programmes' case rules
flag (NPS 0–6, CSAT 1–2) opened a follow-up case when it arrived; owners contacted the
customer after a delay that depends on the vendor (slower at Northwind, much slower in its
slip months), escalated what went overdue, resolved most cases with a root cause and marked
some customers unreachable. Cases still open at the end of the period stay open. Recovery
(the customer's next answer to the same survey) is then recorded by the product's own
:func:`cxlens.loop.cases.record_recoveries`.

Drawn from its own random stream after the chunks are written, so every other demo table is
as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cxlens.demo import timeline as tl
from cxlens.demo.effects import FOLLOWUP
from cxlens.demo.org import ACME, NORTHWIND, VENDOR_NAMES
from cxlens.loop import cases
from cxlens.metrics.definition import definition
from cxlens.schema import TABLES
from cxlens.store.base import Warehouse
from cxlens.surveys.spec import Config

#: Who handled an answer (snapshotted on it when sent, else its interaction's).
SNAPSHOT = ("vendor", "site", "team", "agent_id")
#: The catalogue's dissatisfied CSAT answers (bottom two boxes).
CSAT_UNHAPPY = "csat:dissatisfied"
#: Root causes (of the example configuration) by survey, with their weights.
CAUSES = {"nps": {"product": 4, "billing": 3, "policy": 2, "delivery": 2, "agent": 1,
                  "process": 1, "other": 1},
          "csat": {"agent": 4, "process": 4, "policy": 3, "product": 2, "billing": 1,
                   "delivery": 1, "other": 1}}
OUTCOMES = {"product": "explained the workaround; logged for the product team",
            "billing": "corrected the invoice and apologised",
            "policy": "explained the policy; offered a goodwill gesture",
            "delivery": "re-sent the order with express shipping",
            "agent": "apologised; the agent's team lead will coach",
            "process": "fixed the ticket routing for this request type",
            "other": "listened and thanked the customer"}


def _answers(wh: Warehouse, config: Config) -> pd.DataFrame:
    """Every demo answer a case rule flags, with who handled it (the answer's snapshot, else
    its interaction's). The candidates are the catalogue's NPS detractors (``nps`` negative
    side) and dissatisfied CSAT answers (``csat:dissatisfied``); the rules then decide."""
    nps, unhappy = definition("nps", wh), definition(CSAT_UNHAPPY, wh)
    r = nps.rows(wh, columns=SNAPSHOT)  # (csat shares the table and time column)
    flagged = (nps.in_population(r) & nps.negative(r)) | \
        (unhappy.in_population(r) & unhappy.condition(r))
    frame: pd.DataFrame = r.filter(flagged).select(
        "response_id", "survey", "score", "customer_id", "interaction_id", "responded_at",
        *SNAPSHOT).order_by("response_id").to_pandas()
    keep = [cases.first_rule(config, _answer(row)) is not None
            for row in frame.itertuples(index=False)]
    return frame[keep].reset_index(drop=True)


def _answer(row: Any) -> cases.Answer:
    return cases.Answer(row.response_id, row.survey, int(row.score), row.customer_id,
                        row.interaction_id, None, _snapshot(row))


def _snapshot(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in SNAPSHOT
            if isinstance(getattr(row, k), str)}


def _contact_hours(rng: np.random.Generator, vendor: pd.Series,
                   opened: pd.Series) -> np.ndarray[Any, Any]:
    """Hours from opening to the first contact: in-house fastest, Northwind slower, much
    slower in its slip months."""
    inhouse, acme, northwind = FOLLOWUP.median_hours
    median = np.where(vendor == VENDOR_NAMES[NORTHWIND], northwind,
                      np.where(vendor == VENDOR_NAMES[ACME], acme, inhouse))
    slip = opened.dt.strftime("%Y-%m").isin(FOLLOWUP.slow_months) & \
        (vendor == VENDOR_NAMES[NORTHWIND])
    median = np.where(slip, median * FOLLOWUP.slip_factor, median)
    return np.asarray(median * rng.lognormal(0.0, 0.9, len(vendor)))


def _after(t: pd.Series, hours: np.ndarray[Any, Any]) -> pd.Series:
    later: pd.Series = (t + pd.to_timedelta(hours, unit="h")).dt.floor("s")
    return later


def followup_cases(rng: np.random.Generator, wh: Warehouse,
                   config: Config) -> tuple[pa.Table, list[list[Any]]]:
    """The cases and their history (rows of ``cxlens_case_events``)."""
    a = _answers(wh, config)
    n = len(a)
    opened = _after(pd.to_datetime(a["responded_at"], utc=True), rng.uniform(0, 1, n))
    # (the next loop run after the answer; demo times are whole seconds)
    reached = rng.random(n) >= FOLLOWUP.unreachable
    contact = _after(opened, _contact_hours(rng, a["vendor"], opened))
    end = pd.Timestamp(tl.END)
    contacted = reached & (contact < end)
    settle = _after(contact, rng.lognormal(np.log(20), 0.8, n))
    resolved = contacted & (settle < end)
    gave_up = _after(opened, rng.uniform(72, 120, n))
    unreachable = ~reached & (gave_up < end)
    cause_draw = rng.random(n)
    rows: dict[str, list[Any]] = {c.name: [] for c in TABLES["followup_cases"].columns}
    events: list[list[Any]] = []
    rules = {r.name: r for r in config.loop.rules}
    answered: list[Any] = list(a.itertuples(index=False))
    for i, row in enumerate(answered):
        answer = _answer(row)
        rule = cases.first_rule(config, answer)
        assert rule is not None and rule.name in rules
        case_id = f"case_demo{i:07d}"
        chain = cases.chain(config, answer.snapshot)
        t0 = opened.iloc[i].to_pydatetime()
        due = t0 + dt.timedelta(hours=rule.due_hours)
        first = contact.iloc[i].to_pydatetime() if contacted[i] else None
        stop = first or (gave_up.iloc[i].to_pydatetime() if unreachable[i] else tl.END)
        history = [[case_id, t0, "cxlens", "opened", f"rule {rule.name}; owner {chain[0]}"]]
        level, overdue_at, owner_due = 0, None, due
        while stop > owner_due and level < len(chain) - 1:  # escalated while overdue
            overdue_at = overdue_at or owner_due
            level += 1
            history.append([case_id, owner_due, "cxlens", "escalated", chain[level]])
            owner_due = owner_due + dt.timedelta(hours=config.loop.escalate_hours)
        if stop > owner_due and overdue_at is None:
            overdue_at = owner_due
        status, closed, cause, outcome = "open", None, None, None
        if first is not None:
            status = "contacted"
            history.append([case_id, first, chain[level], "contacted", None])
        if resolved[i]:
            weights = CAUSES[row.survey]
            names = list(weights)
            p = np.cumsum([weights[c] for c in names]) / sum(weights.values())
            cause = names[int(np.searchsorted(p, cause_draw[i]))]
            status, closed, outcome = "resolved", settle.iloc[i].to_pydatetime(), OUTCOMES[cause]
            history.append([case_id, closed, chain[level], "resolved", cause])
        elif unreachable[i]:
            status, closed = "unreachable", gave_up.iloc[i].to_pydatetime()
            history.append([case_id, closed, chain[level], "unreachable", None])
        events += history
        values = {"case_id": case_id, "response_id": row.response_id, "rule": rule.name,
                  "survey": row.survey, "score": int(row.score), "customer_id": row.customer_id,
                  "interaction_id": row.interaction_id, **dict.fromkeys(
                      ("vendor", "site", "team", "agent_id")), **answer.snapshot,
                  "owner": chain[level], "escalation_level": level, "status": status,
                  "opened_at": t0, "due_at": owner_due, "reminded_at": None,
                  "overdue_at": overdue_at, "first_contact_at": first, "closed_at": closed,
                  "root_cause": cause, "outcome": outcome, "recovery_response_id": None,
                  "recovery_score": None, "recovered": None}
        for name, column in rows.items():
            column.append(values[name])
    return _arrow(rows), events


def _arrow(rows: dict[str, list[Any]]) -> pa.Table:
    ts = pa.timestamp("us", tz="UTC")
    types = {"score": pa.int64(), "escalation_level": pa.int64(), "recovery_score": pa.int64(),
             "recovered": pa.bool_()}
    return pa.table({name: pa.array(values, types.get(name, ts if name.endswith("_at")
                                                       else pa.string()))
                     for name, values in rows.items()})
