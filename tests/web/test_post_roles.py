"""Every state-changing dashboard route other than the cases' (tests/web/test_case_roles.py)
against the roles docs/dashboard.md describes ("Users, roles and security"), with real logins
on the shared demo server (issue 16). Each post carries a valid CSRF token and input that
changes nothing (an unknown id, an invalid value), so a refusal is the role check's: 403 with
``"code": "forbidden"`` in the one JSON error shape; a permitted role gets past it to the
input's refusal (400 or 404)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest

from tests.web.conftest import csrf_of, login
from tests.web.server import Server

ALL = {"admin", "ann", "acme"}  # one user per role: admin, analyst, vendor viewer
ADMINS = {"admin"}
STAFF = {"admin", "ann"}  # the CX team: admins and analysts
#: (route, form fields, the users who may post it)
ROUTES: tuple[tuple[str, dict[str, str], set[str]], ...] = (
    ("/programmes", {"text": "programmes: [nope"}, ADMINS),
    ("/contracts", {"name": "nope", "text": "vendor: [nope"}, ADMINS),
    ("/admin/users", {"username": "x", "password": "x", "role": "nope"}, ADMINS),
    ("/admin/users/nobody-at-all/remove", {}, ADMINS),
    ("/admin/settings", {"name": "no_such_parameter", "value": "1"}, ADMINS),
    ("/admin/settings/targets", {"metric": "no_such_metric", "target": "1"}, ADMINS),
    ("/qa/review", {"interaction_id": "no-such-interaction"}, STAFF),
    ("/uploads", {"action": "check", "table": "interactions"}, STAFF),  # no file chosen
    ("/qa/calibration", {"name": ""}, STAFF),
    ("/qa/calibration/no-such-session/reviews", {"interaction_id": "x"}, STAFF),
    ("/qa/disputes/no-such-dispute", {"decision": "upheld", "comment": "x"}, STAFF),
    ("/qa/disputes", {"review_id": "no-such-review", "reason": "x"}, ALL),
    ("/qa/coaching", {"agent_id": "no-such-agent", "note": "x"}, ALL),
    ("/account/password", {"password": "a", "again": "b"}, ALL),
)


@pytest.fixture(scope="module")
def clients(server: Server) -> Iterator[dict[str, httpx.Client]]:
    made = {user: login(server, user) for user in ALL}
    yield made
    for client in made.values():
        client.close()


@pytest.mark.parametrize("user", sorted(ALL))
@pytest.mark.parametrize(("path", "fields", "allowed"), ROUTES, ids=[r[0] for r in ROUTES])
def test_each_post_route_follows_the_documented_roles(
        clients: dict[str, httpx.Client], user: str, path: str, fields: dict[str, str],
        allowed: set[str]) -> None:
    client = clients[user]
    csrf = csrf_of(client.get("/account/password").text)  # the session's own token
    r = client.post(path, data={**fields, "csrf_token": csrf})
    if user in allowed:
        assert r.status_code in (400, 404), (user, path, r.text[:300])  # the input's fault
    else:
        assert r.status_code == 403, (user, path, r.text[:300])
        assert r.json()["error"]["code"] == "forbidden", (user, path, r.text[:300])


def test_without_a_login_every_post_is_refused(server: Server) -> None:
    with closing(httpx.Client(base_url=server.url, timeout=60)) as anonymous:
        anonymous.get("/login")  # the CSRF cookie, so the refusal is the login check's
        csrf = anonymous.cookies.get("cxlens_csrf")
        for path, fields, _ in ROUTES:
            r = anonymous.post(path, data={**fields, "csrf_token": str(csrf)})
            assert r.status_code == 401, (path, r.text[:300])
            assert r.json()["error"]["code"] == "unauthenticated"
