"""A small Zendesk account, written by hand from the API documentation's shapes, and the rows
it must give (worked out by hand: created_at + the metric's calendar minutes)."""

from __future__ import annotations

from typing import Any

from tests.connectors.fakes import Zendesk

EMAIL, TOKEN = "lead@example.com", "zd-Secr3t-Token-4f9a"


def ticket(tid: int, created: str, updated: str, status: str, via: str,
           priority: str | None = None, type_: str | None = None) -> dict[str, Any]:
    return {"id": tid, "url": f"https://example.zendesk.com/api/v2/tickets/{tid}.json",
            "created_at": created, "updated_at": updated, "type": type_,
            "subject": f"Ticket {tid}", "description": "Customer text that is not loaded",
            "priority": priority, "status": status, "requester_id": 9000 + tid % 100,
            "submitter_id": 9000 + tid % 100, "assignee_id": 501, "group_id": 77,
            "organization_id": None, "tags": ["billing"], "via": {"channel": via,
                                                                  "source": {"from": {}}}}


def metric(tid: int, created: str, updated: str, reply: int | None, first: int | None,
           full: int | None, reopens: int, replies: int) -> dict[str, Any]:
    def minutes(v: int | None) -> dict[str, int | None]:
        return {"calendar": v, "business": v}
    return {"id": 7000 + tid, "ticket_id": tid, "created_at": created, "updated_at": updated,
            "reply_time_in_minutes": minutes(reply),
            "first_resolution_time_in_minutes": minutes(first),
            "full_resolution_time_in_minutes": minutes(full),
            "reopens": reopens, "replies": replies}


def rating(rid: int, tid: int, score: str, created: str, updated: str,
           comment: str | None = None) -> dict[str, Any]:
    return {"id": rid, "url": f"https://example.zendesk.com/api/v2/satisfaction_ratings/{rid}",
            "assignee_id": 501, "group_id": 77, "requester_id": 9000 + tid % 100,
            "ticket_id": tid, "score": score, "created_at": created, "updated_at": updated,
            "comment": comment}


def account(page_size: int = 2) -> Zendesk:
    api = Zendesk(EMAIL, TOKEN, page_size)
    api.tickets = [
        ticket(101, "2026-05-04T09:00:00Z", "2026-05-04T12:00:00Z", "solved", "email",
               "high", "incident"),
        ticket(102, "2026-05-04T10:00:00Z", "2026-05-04T10:20:00Z", "open", "chat",
               None, "question"),
        ticket(103, "2026-05-05T08:00:00Z", "2026-05-05T09:00:00Z", "closed", "voice",
               "urgent", "problem"),
        ticket(104, "2026-05-05T11:00:00Z", "2026-05-05T11:30:00Z", "open", "carrier_pigeon"),
        ticket(105, "2026-05-05T11:40:00Z", "2026-05-05T12:00:00Z", "deleted", "email"),
    ]
    api.metric_sets = {
        101: metric(101, "2026-05-04T09:00:00Z", "2026-05-04T12:00:00Z", 30, 180, 180, 0, 2),
        102: metric(102, "2026-05-04T10:00:00Z", "2026-05-04T10:20:00Z", 5, None, None, 0, 1),
        103: metric(103, "2026-05-05T08:00:00Z", "2026-05-05T09:00:00Z", 10, 45, 60, 1, 3),
        104: metric(104, "2026-05-05T11:00:00Z", "2026-05-05T11:30:00Z", None, None, None, 0, 0),
    }
    api.ratings = [
        rating(1, 101, "good", "2026-05-04T12:05:00Z", "2026-05-04T13:00:00Z", "Quick and kind"),
        rating(2, 103, "bad", "2026-05-05T09:05:00Z", "2026-05-05T10:00:00Z", "Took two calls"),
        rating(3, 102, "offered", "2026-05-05T09:10:00Z", "2026-05-05T09:10:00Z"),
    ]
    return api


#: interactions after the first sync: (id, channel, priority, category, created, first reply,
#: first solve, last solve, resolved, reopens, replies, agent, queue, customer)
INTERACTIONS = [
    ("101", "email", "high", "incident", "2026-05-04 09:00", "2026-05-04 09:30",
     "2026-05-04 12:00", "2026-05-04 12:00", True, 0, 2, "501", "77", "9001"),
    ("102", "chat", None, "question", "2026-05-04 10:00", "2026-05-04 10:05",
     None, None, False, 0, 1, "501", "77", "9002"),
    ("103", "phone", "urgent", "problem", "2026-05-05 08:00", "2026-05-05 08:10",
     "2026-05-05 08:45", "2026-05-05 09:00", True, 1, 3, "501", "77", "9003"),
]
COLUMNS = ("interaction_id, channel, priority, category, created_at, first_response_at, "
           "resolved_at, closed_at, resolved, reopen_count, agent_replies, agent_id, queue, "
           "customer_id")
