"""API tokens' SQL (expiry, recorded use, revocation by id) on both backends: the shared
``wh`` fixture is a DuckDB file and a Postgres database."""

from __future__ import annotations

import pytest

from cxlens import accounts
from cxlens.accounts import tokens, users
from cxlens.store.base import Warehouse

ANN = users.User("ann", "analyst")


def test_tokens_expire_record_use_and_are_revoked(wh: Warehouse) -> None:
    accounts.ensure(wh)
    users.add(wh, "ann", "a-long-password", "analyst")
    week = tokens.issue_token(wh, "ann", "week", expires="7d")
    kept = tokens.issue_token(wh, "ann", "kept", expires=None)
    listed = tokens.listing(wh)
    assert [(t.label, t.last_used_at) for t in listed] == [("kept", None), ("week", None)]
    assert listed[0].expires_at is None
    assert listed[1].expires_at and listed[1].created_at
    assert (listed[1].expires_at - listed[1].created_at).days == 7
    assert tokens.token_user(wh, week) == ANN
    assert [t.last_used_at is not None for t in tokens.listing(wh)] == [False, True]
    wh.execute("UPDATE cxlens_tokens SET expires_at = TIMESTAMP '2020-01-01 00:00:00' "
               "WHERE label = 'week'")
    with pytest.raises(tokens.TokenExpired, match="expired on 2020-01-01 00:00"):
        tokens.token_user(wh, week)
    tokens.revoke_token(wh, listed[0].id, by="admin")
    assert tokens.token_user(wh, kept) is None
    assert [t.label for t in tokens.listing(wh, "ann")] == ["week"]
