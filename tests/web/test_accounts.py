"""Accounts and sessions (issue 16): a one-time password is changed before anything else works,
changing a password asks for the current one and ends the user's other sessions, API tokens
expire and can be revoked from the admin page, and a CSRF token only works with the session it
was issued to. A real server on its own small warehouse per test."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from cxlens import accounts, store
from cxlens.accounts import audit, tokens, users
from cxlens.store.base import Warehouse
from cxlens.web.app import create_app
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.server import running

HTML = {"accept": "text/html"}
NEW = "a-brand-new-password"


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    warehouse = store.connect(str(tmp_path / "accounts.duckdb"))
    accounts.ensure(warehouse)
    yield warehouse
    warehouse.close()


@pytest.fixture
def url(wh: Warehouse) -> Iterator[str]:
    with running(create_app(wh)) as address:
        yield address


def client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60)


def log_in(c: httpx.Client, username: str, password: str) -> httpx.Response:
    form = c.get("/login")
    return c.post("/login", data={"username": username, "password": password,
                                  "csrf_token": csrf_of(form.text), "next": "/admin/users"})


def actions(wh: Warehouse, username: str) -> list[str]:
    return [str(a) for _, u, a, _ in reversed(audit.recent(wh, 1000)) if u == username]


def add_admin(c: httpx.Client, csrf: str, name: str, headers: dict[str, str] | None = None,
              ) -> httpx.Response:
    return c.post("/admin/users", headers=headers, data={
        "csrf_token": csrf, "username": name, "password": "eve-password-1", "role": "admin"})


def change(c: httpx.Client, current: str, new: str, again: str | None = None,
           ) -> httpx.Response:
    form = c.get("/account/password")
    assert form.status_code == 200
    return c.post("/account/password", data={"csrf_token": csrf_of(form.text),
                                             "current": current, "password": new,
                                             "again": new if again is None else again})


# -- 1. the one-time password ------------------------------------------------------------------
def test_the_one_time_password_must_be_changed_before_anything_else(wh: Warehouse,
                                                                    url: str) -> None:
    otp = users.first_admin(wh)
    assert otp
    token = tokens.issue_token(wh, "admin", "script")
    bearer = {"authorization": f"Bearer {token}"}
    with closing(client(url)) as c:
        first = log_in(c, "admin", otp)
        assert first.status_code == 303 and first.headers["location"] == "/account/password"
        # every page answers with the way to the password form; the API with the JSON error
        for path in ("/overview", "/admin/users", "/admin/settings", "/report"):
            page = c.get(path, headers=HTML)
            assert page.status_code == 303 and page.headers["location"] == "/account/password"
        error = c.get("/api/me").json()["error"]
        assert error["status"] == 403 and error["code"] == "password_change_required"
        assert "/account/password" in error["hint"]
        # nor can it create another admin (form and API style), nor its token be used
        csrf = csrf_of(c.get("/account/password").text)
        refused = add_admin(c, csrf, "eve")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "password_change_required"
        assert add_admin(c, csrf, "eve", HTML).headers["location"] == "/account/password"
        assert [u.username for u in users.listing(wh)] == ["admin"]
        by_token = httpx.get(f"{url}/api/me", headers=bearer)
        assert by_token.status_code == 403
        assert by_token.json()["error"]["code"] == "password_change_required"
        # the new password cannot be the one-time one
        same = change(c, otp, otp)
        assert same.status_code == 400 and "different" in same.text
        assert change(c, otp, NEW).status_code == 303
        assert c.get("/api/me").json()["username"] == "admin"
        assert add_admin(c, csrf_of(c.get("/admin/users").text), "eve").status_code == 303
        assert httpx.get(f"{url}/api/me", headers=bearer).status_code == 200
    with closing(client(url)) as c:
        assert log_in(c, "admin", otp).status_code == 401
        assert log_in(c, "admin", NEW).status_code == 303


def test_a_user_with_a_one_time_password_can_log_out(wh: Warehouse, url: str) -> None:
    otp = users.first_admin(wh)
    assert otp
    with closing(client(url)) as c:
        assert log_in(c, "admin", otp).status_code == 303
        csrf = csrf_of(c.get("/account/password").text)
        out = c.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert c.get("/api/me").status_code == 401


# -- 2. changing a password ------------------------------------------------------------------
def test_a_password_change_needs_the_current_password_and_ends_other_sessions(
        wh: Warehouse, url: str) -> None:
    users.add(wh, "ann", PASSWORD, "analyst")
    users.add(wh, "bob", PASSWORD, "analyst")
    with closing(client(url)) as here, closing(client(url)) as there, \
            closing(client(url)) as bob:
        for c, name in ((here, "ann"), (there, "ann"), (bob, "bob")):
            assert log_in(c, name, PASSWORD).status_code == 303
        wrong = change(here, "not-my-password", NEW)
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        assert actions(wh, "ann")[-1] == "password_change_failed"
        assert there.get("/api/me").status_code == 200  # nothing changed
        assert change(here, PASSWORD, NEW).status_code == 303
        assert actions(wh, "ann")[-1] == "password_changed"
        assert here.get("/api/me").json()["username"] == "ann"  # this session stays
        gone = there.get("/api/me")  # the other one ended
        assert gone.status_code == 401 and gone.json()["error"]["code"] == "unauthenticated"
        assert bob.get("/api/me").status_code == 200  # other users keep theirs
    with closing(client(url)) as c:
        assert log_in(c, "ann", PASSWORD).status_code == 401
        assert log_in(c, "ann", NEW).status_code == 303


# -- 3. API tokens ---------------------------------------------------------------------------
def test_expired_and_revoked_tokens_are_refused(wh: Warehouse, url: str) -> None:
    users.add(wh, "admin", PASSWORD, "admin")
    users.add(wh, "ann", PASSWORD, "analyst")
    kept = tokens.issue_token(wh, "ann", "kept", expires=None)
    expired = tokens.issue_token(wh, "ann", "expired", expires=None)
    revoked = tokens.issue_token(wh, "ann", "revoked", expires=None)
    # only the sha256 of each secret is stored
    stored = {str(h) for (h,) in wh.query("SELECT token_hash FROM cxlens_tokens")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in (kept, expired, revoked)}
    wh.execute("UPDATE cxlens_tokens SET expires_at = TIMESTAMP '2020-01-01 00:00:00' "
               "WHERE label = 'expired'")

    def me(token: str) -> httpx.Response:
        return httpx.get(f"{url}/api/me", headers={"authorization": f"Bearer {token}"})

    assert me(kept).status_code == 200
    old = me(expired)
    assert old.status_code == 401
    error = old.json()["error"]
    assert error["code"] == "token_expired" and "2020-01-01" in error["message"]
    assert "cxlens users token" in error["hint"]
    with closing(client(url)) as admin, closing(client(url)) as ann:
        assert log_in(admin, "admin", PASSWORD).status_code == 303
        assert log_in(ann, "ann", PASSWORD).status_code == 303
        page = admin.get("/admin/users")
        ids = {t.label: t.id for t in tokens.listing(wh)}
        for label in ("kept", "expired", "revoked"):
            assert ids[label] in page.text
        for secret in (kept, expired, revoked):
            assert secret not in page.text
        action = f"/admin/tokens/{ids['revoked']}/revoke"
        assert f'action="{action}"' in page.text
        # an analyst cannot revoke, an admin can (with the form's CSRF token)
        not_admin = ann.post(action, data={"csrf_token": csrf_of(
            ann.get("/account/password").text)})
        assert not_admin.status_code == 403
        assert not_admin.json()["error"]["code"] == "forbidden"
        assert me(revoked).status_code == 200
        done = admin.post(action, data={"csrf_token": csrf_of(page.text)})
        assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    gone = me(revoked)
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "unauthenticated"
    assert [t.label for t in tokens.listing(wh)] == ["expired", "kept"]
    assert actions(wh, "admin")[-1] == "token_revoked"


def test_token_use_is_recorded_to_the_hour(wh: Warehouse, url: str) -> None:
    users.add(wh, "ann", PASSWORD, "analyst")
    token = tokens.issue_token(wh, "ann", "cron", expires=None)
    assert tokens.listing(wh)[0].last_used_at is None
    assert httpx.get(f"{url}/api/me", headers={"authorization": f"Bearer {token}"}
                     ).status_code == 200
    assert tokens.listing(wh)[0].last_used_at is not None


# -- 4. CSRF tokens belong to a session ------------------------------------------------------
def test_a_csrf_token_only_works_with_its_own_session(wh: Warehouse, url: str) -> None:
    """Two real logins of the same admin, A and B: A's form token with A's CSRF cookie, sent
    with B's session, is refused; B's own token works."""
    users.add(wh, "admin", PASSWORD, "admin")
    with closing(client(url)) as a, closing(client(url)) as b:
        assert log_in(a, "admin", PASSWORD).status_code == 303
        assert log_in(b, "admin", PASSWORD).status_code == 303
        token_a = csrf_of(a.get("/admin/users").text)
        cookies = {"cxlens_session": str(b.cookies.get("cxlens_session"))}
        if a.cookies.get("cxlens_csrf"):
            cookies["cxlens_csrf"] = str(a.cookies.get("cxlens_csrf"))
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        with closing(client(url)) as forged:
            api = add_admin(forged, token_a, "eve", {"cookie": cookie})
            assert api.status_code == 403 and api.json()["error"]["code"] == "csrf_failed"
            page = add_admin(forged, token_a, "eve", {"cookie": cookie, **HTML})
            assert page.status_code == 403 and "CSRF" in page.text
        assert [u.username for u in users.listing(wh)] == ["admin"]
        assert add_admin(b, csrf_of(b.get("/admin/users").text), "eve").status_code == 303
        assert add_admin(a, token_a, "fay").status_code == 303
