"""The values the filter bar offers (the URL filter model itself is
:mod:`cxlens.present.filters`): read from the warehouse through the dashboard's state and
cached per data version, so they stay in the dashboard."""

from __future__ import annotations

from cxlens.accounts.users import User
from cxlens.present.filters import BAR
from cxlens.web.state import WebState

#: The most values one dropdown of the filter bar lists.
CHOICES_MAX = 200


def choices(st: WebState, user: User | None = None) -> dict[str, list[str]]:
    """The values the filter bar offers for each of its columns (cached per data version):
    every value for admins and analysts; for a vendor viewer only values found in their own
    vendor's contacts (a segment: of customers who contacted that vendor) — another vendor's
    categories, products or sites are that vendor's business (issue 16)."""
    vendor = (user.vendor or "") if user is not None and user.role == "vendor" else None
    offered: dict[str, list[str]] = st.cached(("choices", vendor), lambda: _values(st, vendor))
    return offered


def _values(st: WebState, vendor: str | None) -> dict[str, list[str]]:
    own = "" if vendor is None else " AND vendor = ?"
    out = {}
    for dim in BAR:
        if dim == "segment":
            sql = ("SELECT DISTINCT segment FROM customers WHERE segment IS NOT NULL" +
                   ("" if vendor is None else " AND customer_id IN (SELECT customer_id FROM "
                    "interactions WHERE vendor = ?)"))
        else:
            sql = f"SELECT DISTINCT {dim} FROM interactions WHERE {dim} IS NOT NULL{own}"
        rows = st.wh.query(f"{sql} ORDER BY 1 LIMIT {CHOICES_MAX}",
                           [] if vendor is None else [vendor])
        out[dim] = [str(r[0]) for r in rows]
    return out
