"""A small Freshdesk account, written by hand from the API documentation's shapes (codes:
status 2 open, 4 resolved, 5 closed; priority 1 low .. 4 urgent; source 1 e-mail, 3 phone,
7 chat, 10 outbound e-mail), and the rows it must give."""

from __future__ import annotations

from typing import Any

from tests.connectors.fakes import Freshdesk

API_KEY = "fd-Key-0a8e77c1b2"


def ticket(tid: int, created: str, updated: str, status: int, priority: int, source: int,
           type_: str | None, first: str | None, resolved: str | None,
           closed: str | None) -> dict[str, Any]:
    return {"id": tid, "subject": f"Ticket {tid}", "description_text": "not loaded",
            "status": status, "priority": priority, "source": source, "type": type_,
            "group_id": 12, "responder_id": 601, "requester_id": 8000 + tid % 100,
            "company_id": None, "created_at": created, "updated_at": updated,
            "due_by": updated, "fr_due_by": updated, "is_escalated": False, "tags": [],
            "stats": {"agent_responded_at": first, "requester_responded_at": None,
                      "first_responded_at": first, "status_updated_at": updated,
                      "reopened_at": None, "resolved_at": resolved, "closed_at": closed,
                      "pending_since": None}}


def rating(rid: int, tid: int, created: str, answer: int, feedback: str | None) -> dict[str, Any]:
    return {"id": rid, "survey_id": 5, "user_id": 8000 + tid % 100, "agent_id": 601,
            "feedback": feedback, "group_id": 12, "ticket_id": tid, "created_at": created,
            "updated_at": created, "ratings": {"default_question": answer}}


def account(page_size: int = 2) -> Freshdesk:
    api = Freshdesk(API_KEY, page_size)
    api.tickets = [
        ticket(201, "2026-05-04T09:00:00Z", "2026-05-04T15:00:00Z", 4, 3, 1, "Refund",
               "2026-05-04T09:40:00Z", "2026-05-04T15:00:00Z", None),
        ticket(202, "2026-05-04T11:00:00Z", "2026-05-04T11:30:00Z", 2, 1, 7, "Question",
               "2026-05-04T11:02:00Z", None, None),
        ticket(203, "2026-05-05T08:00:00Z", "2026-05-05T10:00:00Z", 5, 4, 10, None,
               None, "2026-05-05T09:00:00Z", "2026-05-05T10:00:00Z"),
        # a first reply an hour before the ticket was created: rejected, not loaded
        ticket(204, "2026-05-05T12:00:00Z", "2026-05-05T12:10:00Z", 2, 2, 3, None,
               "2026-05-05T11:00:00Z", None, None),
    ]
    api.ratings = [rating(31, 201, "2026-05-04T16:00:00Z", 103, "Sorted fast"),
                   rating(32, 203, "2026-05-05T11:00:00Z", -101, None)]
    return api


COLUMNS = ("interaction_id, channel, direction, priority, category, created_at, "
           "first_response_at, resolved_at, closed_at, resolved, agent_id, queue, customer_id")
INTERACTIONS = [
    ("201", "email", "inbound", "high", "refund", "2026-05-04 09:00", "2026-05-04 09:40",
     "2026-05-04 15:00", None, True, "601", "12", "8001"),
    ("202", "chat", "inbound", "low", "question", "2026-05-04 11:00", "2026-05-04 11:02",
     None, None, False, "601", "12", "8002"),
    ("203", "email", "outbound", "urgent", None, "2026-05-05 08:00", None,
     "2026-05-05 09:00", "2026-05-05 10:00", True, "601", "12", "8003"),
]
