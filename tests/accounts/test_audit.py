"""The audit log at the domain level, on both backends: entries come back newest first, as
many as asked for; the tables are declared by the accounts package, not the web package."""

from __future__ import annotations

from cxlens import accounts
from cxlens.accounts import audit
from cxlens.store import registry
from cxlens.store.base import Warehouse


def test_recent_entries_newest_first(wh: Warehouse) -> None:
    accounts.ensure(wh)
    audit.record(wh, "ann", "login", "from 10.0.0.1")
    audit.record(wh, None, "user_added", "bob (analyst)")
    audit.record(wh, "bob", "export", "report?month=2026-07")
    assert [row[1:] for row in audit.recent(wh, 2)] == [
        ("bob", "export", "report?month=2026-07"), (None, "user_added", "bob (analyst)")]
    assert len(audit.recent(wh)) == 3


def test_the_account_tables_are_owned_by_the_accounts_package() -> None:
    owners = {e.table.name: e.owner for e in registry.entries()}
    assert {name: owners[name] for name in ("cxlens_users", "cxlens_sessions",
                                            "cxlens_tokens", "cxlens_audit")} == {
        "cxlens_users": "cxlens.accounts.users", "cxlens_sessions": "cxlens.accounts.sessions",
        "cxlens_tokens": "cxlens.accounts.tokens", "cxlens_audit": "cxlens.accounts.audit"}
