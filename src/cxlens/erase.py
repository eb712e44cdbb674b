"""Erasure on request (``cxlens erase CUSTOMER``): the customer's survey answers (scores
and comments), invitations, follow-up cases with their history, queued webhook events
carrying their data, rejected import rows that name them, and their contact details and
demographics are removed in one transaction; the customer is marked as not to be surveyed
again, and the erasure itself is logged (the customer id and the counts, nothing else)."""

from __future__ import annotations

import json

from cxlens.errors import NotFound
from cxlens.store.base import Warehouse


def erase(wh: Warehouse, customer_id: str, who: str | None = None) -> dict[str, int]:
    from cxlens.loop import cases
    from cxlens.web import accounts

    accounts.ensure(wh)
    cases.ensure(wh)
    known = wh.scalar("SELECT count(*) FROM customers WHERE customer_id = ?", [customer_id])
    answers = wh.scalar("SELECT count(*) FROM survey_responses WHERE customer_id = ?",
                        [customer_id])
    if not known and not answers:
        raise NotFound(f"no customer {customer_id!r} and no answers from them",
                       "check the id (cxlens query ... or the dashboard's case page)")
    counts: dict[str, int] = {}
    with wh.transaction():
        case_ids = [r[0] for r in wh.query("SELECT case_id FROM followup_cases WHERE "
                                           "customer_id = ?", [customer_id])]
        for cid in case_ids:
            wh.execute("DELETE FROM cxlens_case_events WHERE case_id = ?", [cid])
        for table in ("followup_cases", "survey_responses", "survey_invitations",
                      "cxlens_outbox"):
            counts[table] = int(wh.scalar(f"SELECT count(*) FROM {table} WHERE "
                                          "customer_id = ?", [customer_id]))
            wh.execute(f"DELETE FROM {table} WHERE customer_id = ?", [customer_id])
        if wh.existing_columns("quarantine"):  # rejected rows keep the raw record (JSON)
            pattern = [f'%"customer_id": {json.dumps(customer_id)}%',
                       f'%"customer_id":{json.dumps(customer_id)}%']
            counts["quarantine"] = int(wh.scalar("SELECT count(*) FROM quarantine WHERE "
                                                 "record LIKE ? OR record LIKE ?", pattern))
            wh.execute("DELETE FROM quarantine WHERE record LIKE ? OR record LIKE ?", pattern)
        wh.execute("UPDATE customers SET email = NULL, phone = NULL, age_group = NULL, "
                   "gender = NULL, surveys_opt_out = true WHERE customer_id = ?", [customer_id])
        counts["customers"] = int(known or 0)
        accounts.audit(wh, who, "erase", f"customer {customer_id}: " + ", ".join(
            f"{v} {k}" for k, v in counts.items()))
        from cxlens.store.migrate import bump_data_version

        bump_data_version(wh)
    return counts
