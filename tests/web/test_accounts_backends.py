"""The account tables' SQL (token expiry and use, revocation by id, ending sessions) on both
backends: the shared ``wh`` fixture is a DuckDB file and a Postgres database."""

from __future__ import annotations

import pytest

from cxlens.store.base import Warehouse
from cxlens.web import accounts, apitokens

ANN = accounts.User("ann", "analyst")


def test_tokens_expire_record_use_and_are_revoked(wh: Warehouse) -> None:
    accounts.ensure(wh)
    accounts.add(wh, "ann", "a-long-password", "analyst")
    week = apitokens.issue_token(wh, "ann", "week", expires="7d")
    kept = apitokens.issue_token(wh, "ann", "kept", expires=None)
    listed = apitokens.tokens(wh)
    assert [(t.label, t.last_used_at) for t in listed] == [("kept", None), ("week", None)]
    assert listed[0].expires_at is None
    assert listed[1].expires_at and listed[1].created_at
    assert (listed[1].expires_at - listed[1].created_at).days == 7
    assert apitokens.token_user(wh, week) == ANN
    assert [t.last_used_at is not None for t in apitokens.tokens(wh)] == [False, True]
    wh.execute("UPDATE cxlens_tokens SET expires_at = TIMESTAMP '2020-01-01 00:00:00' "
               "WHERE label = 'week'")
    with pytest.raises(apitokens.TokenExpired, match="expired on 2020-01-01 00:00"):
        apitokens.token_user(wh, week)
    apitokens.revoke_token(wh, listed[0].id, by="admin")
    assert apitokens.token_user(wh, kept) is None
    assert [t.label for t in apitokens.tokens(wh, "ann")] == ["week"]


def test_a_password_change_keeps_only_the_changing_session(wh: Warehouse) -> None:
    accounts.ensure(wh)
    accounts.add(wh, "ann", "a-long-password", "analyst")
    here, there = (accounts.open_session(wh, ANN) for _ in range(2))
    assert accounts.set_password(wh, "ann", "another-long-one", keep=here) == 1
    assert accounts.session_user(wh, here) == ANN
    assert accounts.session_user(wh, there) is None
