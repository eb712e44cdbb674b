"""Dashboard accounts: users with hashed passwords and roles, server-side sessions, API tokens
for scripts and the audit log — operational tables kept in the same warehouse.

A domain package, below the dashboard: the web app, the CLI, the configuration stores and
erasure all record to the audit log and check users, so none of it may live in ``cxlens.web``
(tests/test_layers.py). The web package keeps only what is HTTP (cookies, request
dependencies, CSRF).

Roles: ``admin`` (users and settings, and everything an analyst sees), ``analyst`` (every
figure, read only) and ``vendor`` (a BPO partner's viewer: only rows of their own vendor,
everywhere)."""

from __future__ import annotations

from cxlens.accounts import audit, passwords, sessions, tokens, users
from cxlens.store.base import Warehouse

__all__ = ["TABLES", "audit", "ensure", "passwords", "sessions", "tokens", "users"]

#: The accounts' tables, in the order docs/data-model.md lists them.
TABLES = (*users.TABLES, *sessions.TABLES, *tokens.TABLES, *audit.TABLES)


def ensure(wh: Warehouse) -> None:
    """Create the accounts' tables that are missing (the CLI and the app call it before
    ``migrate`` has necessarily run)."""
    wh.ensure(*TABLES)
