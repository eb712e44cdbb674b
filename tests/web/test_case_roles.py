"""Who may change a follow-up case, as docs/dashboard.md ("Users, roles and security") says
(issue 16): admins, and a vendor viewer on their own vendor's cases; analysts read cases only
(403 in the one JSON error shape, and no edit form). Every role × every case-changing action,
through both routes (the page's form with a session, the JSON API with a token), with real
logins on the shared demo server.

Each role works its own resolved Acme BPO case through the whole workflow, so the cells do not
depend on each other."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import httpx
import pytest

from cxlens.accounts import tokens
from tests.web.conftest import csrf_of, login
from tests.web.server import Server

#: (action, the change sent, the case's status after it) — a valid workflow in this order,
#: from a resolved case.
STEPS: tuple[tuple[str, dict[str, str], str], ...] = (
    ("reopen", {"status": "open"}, "open"),
    ("contact", {"status": "contacted"}, "contacted"),
    ("note", {"note": "called the customer back"}, "contacted"),
    ("outcome", {"outcome": "refund agreed"}, "contacted"),
    ("root cause", {"root_cause": "billing"}, "contacted"),
    ("close", {"status": "resolved"}, "resolved"),
    ("reopen again", {"status": "open"}, "open"),
    ("unreachable", {"status": "unreachable"}, "unreachable"),
)
#: user -> what each case-changing request of theirs on an Acme BPO case gets.
EXPECTED = {"admin": "allowed", "acme": "allowed", "ann": 403, "north": 404}
ROUTES = ("form", "api")


@pytest.fixture(scope="module")
def acme_cases(server: Server) -> list[str]:
    """Resolved Acme BPO cases of the demo, one per (user, route)."""
    rows = server.wh.query("SELECT case_id FROM followup_cases WHERE vendor = 'Acme BPO' AND "
                           "status = 'resolved' ORDER BY case_id LIMIT ?",
                           [len(EXPECTED) * len(ROUTES)])
    assert len(rows) == len(EXPECTED) * len(ROUTES), "the demo has too few resolved cases"
    return [str(r[0]) for r in rows]


def _client(server: Server, user: str, route: str) -> httpx.Client:
    if route == "form":
        return login(server, user)
    token = tokens.issue_token(server.wh, user, "case roles test")
    return httpx.Client(base_url=server.url, timeout=60,
                        headers={"Authorization": f"Bearer {token}"})


def _change(client: httpx.Client, route: str, case_id: str, change: dict[str, str],
            ) -> httpx.Response:
    if route == "api":
        return client.post(f"/api/cases/{case_id}", json=change)
    form = client.get(f"/cases/{case_id}")
    if form.status_code != 200:  # another vendor's case: their session's token, from a form
        form = client.get("/account/password")  # they may open
    csrf = csrf_of(form.text)
    return client.post(f"/cases/{case_id}", data={**change, "csrf_token": csrf})


def _status(server: Server, case_id: str) -> Any:
    return server.wh.scalar("SELECT status FROM followup_cases WHERE case_id = ?", [case_id])


def _events(server: Server, case_id: str) -> Any:
    return server.wh.scalar("SELECT count(*) FROM cxlens_case_events WHERE case_id = ?",
                            [case_id])


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("user", list(EXPECTED))
def test_who_may_change_a_case(server: Server, acme_cases: list[str], user: str,
                               route: str) -> None:
    case_id = acme_cases[list(EXPECTED).index(user) * len(ROUTES) + ROUTES.index(route)]
    expected = EXPECTED[user]
    events_before = _events(server, case_id)
    with closing(_client(server, user, route)) as client:
        for action, change, status_after in STEPS:
            r = _change(client, route, case_id, change)
            if expected == "allowed":
                assert r.status_code == (303 if route == "form" else 200), \
                    (user, route, action, r.text[:300])
                assert _status(server, case_id) == status_after, (user, route, action)
            else:
                assert r.status_code == expected, (user, route, action, r.text[:300])
                error = r.json()["error"]
                assert error["status"] == expected and error["message"] and error["hint"]
                assert error["code"] == ("forbidden" if expected == 403 else "not_found")
                assert _status(server, case_id) == "resolved", (user, route, action)
    if expected != "allowed":
        assert _events(server, case_id) == events_before  # nothing was recorded


def test_without_a_login_nothing_changes(server: Server, acme_cases: list[str]) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        r = anonymous.post(f"/api/cases/{acme_cases[0]}", json={"status": "open"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(("user", "shown"), [("admin", True), ("acme", True), ("ann", False)])
def test_the_edit_form_is_shown_only_to_who_may_use_it(server: Server, acme_cases: list[str],
                                                       user: str, shown: bool) -> None:
    with closing(login(server, user)) as client:
        page = client.get(f"/cases/{acme_cases[-1]}")
    assert page.status_code == 200
    assert (f'method="post" action="/cases/{acme_cases[-1]}"' in page.text) is shown
    assert ("read only" in page.text) is not shown
