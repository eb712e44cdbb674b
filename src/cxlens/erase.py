"""Erasure on request (``cxlens erase CUSTOMER``): the customer's survey answers (scores
and comments), invitations, follow-up cases with their history, queued webhook events
carrying their data, rejected import rows that name them, and their contact details and
demographics are removed in one transaction; the customer is marked as not to be surveyed
again, and the erasure itself is logged (the customer id and the counts, nothing else).

The QA tables keep the agents' work but not what may be about the customer (``_erase_qa``):
on the customer's interactions (theirs, or those they answered a survey about) the dispute
reasons and arbiters' comments and the text of coaching notes linked to their reviews become
``[erased]``, and so does the ``detractor`` trait of sampling assignments (it came from their
answer). Ids, times, scores, weights and decisions stay, so quality scores, dispute
decisions, samples and escalation audits are unchanged; the audits hold no text about the
customer (ids, times, summary lengths) and are left as they are, fixed."""

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
        counts.update(_erase_qa(wh, customer_id))  # first: their answers name interactions
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


ERASED = "[erased]"


def _erase_qa(wh: Warehouse, customer_id: str) -> dict[str, int]:
    """Redact the QA rows about the customer's interactions (see the module docstring);
    returns the rows changed per table (only the QA tables that exist)."""
    mine = ("SELECT interaction_id FROM interactions WHERE customer_id = ? UNION "
            "SELECT interaction_id FROM survey_responses WHERE customer_id = ? "
            "AND interaction_id IS NOT NULL")
    ids = [customer_id, customer_id]
    reviews = f"SELECT review_id FROM qa_reviews WHERE interaction_id IN ({mine})"
    counts: dict[str, int] = {}
    if wh.existing_columns("cxlens_qa_dispute_events"):
        where = f"review_id IN ({reviews}) AND detail IS NOT NULL AND detail <> ?"
        counts["cxlens_qa_dispute_events"] = int(wh.scalar(
            f"SELECT count(*) FROM cxlens_qa_dispute_events WHERE {where}", [*ids, ERASED]))
        wh.execute(f"UPDATE cxlens_qa_dispute_events SET detail = ? WHERE {where}",
                   [ERASED, *ids, ERASED])
    if wh.existing_columns("cxlens_coaching"):
        theirs = {r[0] for r in wh.query(reviews, ids)}
        sessions = [s for s, linked in wh.query(
            "SELECT session_id, review_ids FROM cxlens_coaching WHERE review_ids IS NOT NULL "
            "AND note <> ?", [ERASED]) if theirs & set(str(linked).split(","))]
        counts["cxlens_coaching"] = len(sessions)
        if sessions:
            wh.execute(f"UPDATE cxlens_coaching SET note = ? WHERE session_id IN "
                       f"({', '.join('?' * len(sessions))})", [ERASED, *sessions])
    if wh.existing_columns("cxlens_qa_assignments"):
        where = f"interaction_id IN ({mine}) AND reason LIKE '%detractor%'"
        counts["cxlens_qa_assignments"] = int(wh.scalar(
            f"SELECT count(*) FROM cxlens_qa_assignments WHERE {where}", ids))
        wh.execute("UPDATE cxlens_qa_assignments SET reason = replace(reason, 'detractor', "
                   f"'erased') WHERE {where}", ids)
    return counts
