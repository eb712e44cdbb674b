"""Vendor scope in one place (cxlens.present.scope): a vendor viewer's own vendor whatever the
URL asks, the others' as asked; another vendor's statement or case is "not found"."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from cxlens.errors import NotFound
from cxlens.present import scope


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    vendor: str | None = None


LEAD = Person("lead", "vendor", "Northwind")
ANALYST = Person("ana", "analyst")


def test_vendor_viewer_gets_their_own_vendor_whatever_is_asked() -> None:
    assert scope.vendor_in_scope(LEAD, "Acme") == "Northwind"
    assert scope.vendor_in_scope(LEAD, None) == "Northwind"
    assert scope.vendor_in_scope(ANALYST, " Acme ") == "Acme"
    assert scope.vendor_in_scope(ANALYST, "") is None
    assert scope.own_vendor(LEAD) == "Northwind" and scope.own_vendor(ANALYST) is None


def test_naming_another_vendors_document_is_not_found() -> None:
    with pytest.raises(NotFound, match="you see Northwind's statement only"):
        scope.vendor_asked(LEAD, "Acme", "statement", "open /statement without a vendor")
    assert scope.vendor_asked(LEAD, "Northwind", "statement", "-") == "Northwind"
    assert scope.vendor_asked(ANALYST, "Acme", "statement", "-") == "Acme"


def test_things_of_another_vendor_are_hidden() -> None:
    cases = [("c1", "Northwind"), ("c2", "Acme"), ("c3", None)]
    assert scope.only_theirs(LEAD, cases, lambda c: c[1]) == [("c1", "Northwind")]
    assert scope.only_theirs(ANALYST, cases, lambda c: c[1]) == cases
    with pytest.raises(NotFound, match="no case 'c2'"):
        scope.check_seen(LEAD, "Acme", NotFound("no case 'c2'", "list your cases at /cases"))
    scope.check_seen(ANALYST, "Acme", NotFound("unused", "-"))


def test_rows_of_one_vendor() -> None:
    frame = pd.DataFrame({"vendor": ["Acme", "Northwind", "Acme"], "n": [1, 2, 3]})
    assert scope.rows_of(frame, "Acme")["n"].tolist() == [1, 3]
    assert list(scope.rows_of(frame, "Acme").index) == [0, 1]
    assert scope.rows_of(frame, None)["n"].tolist() == [1, 2, 3]
