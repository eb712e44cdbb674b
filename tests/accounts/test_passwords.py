"""Changing a password ends the user's other sessions, on both backends (the shared ``wh``
fixture is a DuckDB file and a Postgres database)."""

from __future__ import annotations

from cxlens import accounts
from cxlens.accounts import passwords, sessions, users
from cxlens.store.base import Warehouse

ANN = users.User("ann", "analyst")


def test_a_password_change_keeps_only_the_changing_session(wh: Warehouse) -> None:
    accounts.ensure(wh)
    users.add(wh, "ann", "a-long-password", "analyst")
    here, there = (sessions.open_session(wh, ANN) for _ in range(2))
    assert passwords.set_password(wh, "ann", "another-long-one", keep=here) == 1
    assert sessions.session_user(wh, here) == ANN
    assert sessions.session_user(wh, there) is None
