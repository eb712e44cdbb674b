"""Vendor scope, decided in one place: a vendor viewer (a BPO's lead) sees their own vendor's
contacts, reviews, cases, contracts and alerts only, whatever the URL asks; everyone else sees
the vendor they ask for, or every vendor. Every page — the page model's (``Filters.scoped``)
and the bespoke ones (``present.pages``) — asks these functions rather than testing the role
itself, so a new page cannot forget the rule (tests/web/test_scope_rule.py checks that no
route module filters by vendor by hand)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import pandas as pd

from cxlens.errors import NotFound
from cxlens.present.viewer import Viewer

#: The role limited to one vendor.
VENDOR_ROLE = "vendor"
T = TypeVar("T")


def limited(user: Viewer) -> bool:
    """Whether ``user`` is limited to one vendor (a vendor viewer)."""
    return user.role == VENDOR_ROLE


def own_vendor(user: Viewer) -> str | None:
    """The vendor a user is limited to (a vendor viewer's), or None (everything)."""
    return user.vendor if limited(user) else None


def vendor_in_scope(user: Viewer, requested: str | None = None) -> str | None:
    """The vendor a page shows: a vendor viewer's own whatever was asked (as the filter bar
    does); for the others the requested one, None (blank) meaning every vendor."""
    if limited(user):
        return user.vendor
    return (requested or "").strip() or None


def vendor_asked(user: Viewer, requested: str | None, what: str, remedy: str) -> str | None:
    """As :func:`vendor_in_scope`, but a vendor viewer who names another vendor is told it
    is not theirs (404, ``what`` and ``remedy`` say which page) instead of being silently
    shown their own — for pages whose URL names one vendor's document (a statement)."""
    own = own_vendor(user)
    if own is not None and requested and requested != own:
        raise NotFound(f"you see {own}'s {what} only", remedy)
    return vendor_in_scope(user, requested)


def may_see(user: Viewer, vendor: object) -> bool:
    """Whether ``user`` may see a thing (a case, an interaction, a contract) of ``vendor``."""
    return not limited(user) or vendor == user.vendor


def check_seen(user: Viewer, vendor: object, missing: NotFound) -> None:
    """Raise ``missing`` (the thing's "not found") when the thing is another vendor's: a
    vendor viewer is not told that it exists."""
    if not may_see(user, vendor):
        raise missing


def only_theirs(user: Viewer, items: Iterable[T], vendor_of: Callable[[T], object],
                ) -> list[T]:
    """The ``items`` ``user`` may see, ``vendor_of`` naming each one's vendor."""
    return [item for item in items if may_see(user, vendor_of(item))]


def rows_of(frame: pd.DataFrame, vendor: str | None, column: str = "vendor") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is ``vendor`` (None: every row), renumbered."""
    if vendor is None:
        return frame
    return frame[frame[column] == vendor].reset_index(drop=True)
