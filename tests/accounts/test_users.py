"""Users at the domain level, on both backends (the shared ``wh`` fixture is a DuckDB file
and a Postgres database): a bad request reports every problem at once, removing a user ends
their sessions and tokens, the first admin is created only on an empty warehouse."""

from __future__ import annotations

import pytest

from cxlens import accounts
from cxlens.accounts import sessions, tokens, users
from cxlens.errors import ConfigError, NotFound
from cxlens.store.base import Warehouse


def test_a_bad_request_names_every_problem(wh: Warehouse) -> None:
    accounts.ensure(wh)
    with pytest.raises(ConfigError) as caught:
        users.add(wh, " ann", "short", "vendr")
    message = str(caught.value)
    assert "the username must be 1–64 characters without surrounding spaces" in message
    assert "unknown role 'vendr'" in message
    assert "the password must have at least 10 characters" in message
    users.add(wh, "ann", "a-long-password", "vendor", "Acme BPO")
    with pytest.raises(ConfigError, match="user 'ann' exists already"):
        users.add(wh, "ann", "a-long-password", "analyst")
    assert users.listing(wh) == [users.User("ann", "vendor", "Acme BPO")]


def test_removing_a_user_ends_their_sessions_and_tokens(wh: Warehouse) -> None:
    accounts.ensure(wh)
    ann = users.add(wh, "ann", "a-long-password", "analyst")
    sid = sessions.open_session(wh, ann)
    token = tokens.issue_token(wh, "ann", "cron")
    users.remove(wh, "ann")
    assert sessions.session_user(wh, sid) is None
    assert tokens.token_user(wh, token) is None
    with pytest.raises(NotFound, match="no user 'ann'"):
        users.get(wh, "ann")


def test_the_first_admin_only_on_an_empty_warehouse(wh: Warehouse) -> None:
    accounts.ensure(wh)
    password = users.first_admin(wh)
    assert password is not None
    assert users.get(wh, "admin") == users.User("admin", "admin", None, must_change=True)
    assert users.first_admin(wh) is None
