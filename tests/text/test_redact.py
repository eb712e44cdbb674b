"""Redaction of personal data in comments, on hand-written cases."""

from __future__ import annotations

import pytest

from cxlens.text.redact import luhn, redact


@pytest.mark.parametrize(("text", "want"), [
    ("mail me at jo.smith+cx@example.co.uk please", "mail me at [email] please"),
    ("call +44 7700 900123 tonight", "call [phone] tonight"),
    ("or +1 555 0142 7788.", "or [phone]."),
    ("my number is (555) 010-4477", "my number is [phone]"),
    ("card 4000 0012 3456 7899 was charged twice", "card [card] was charged twice"),
    ("card 4111-1111-1111-1111 declined", "card [card] declined"),
    # not personal data: order numbers, short numbers, dates and prices stay
    ("order 1234567890123 arrived late", "order 1234567890123 arrived late"),
    ("ticket 4021, 3 days, £25.99 on 2026-03-04", "ticket 4021, 3 days, £25.99 on 2026-03-04"),
    (None, None),
])
def test_redact(text: str | None, want: str | None) -> None:
    assert redact(text) == want


def test_luhn_on_published_test_numbers() -> None:
    assert luhn("4111111111111111") and luhn("5555555555554444") and luhn("378282246310005")
    assert not luhn("4111111111111112")


def test_redact_each_does_every_copy_and_keeps_missing_texts() -> None:
    import pandas as pd

    from cxlens.text.redact import redact_each

    texts = pd.Series(["mail me at ann@example.com", None, "fine", "mail me at ann@example.com"],
                      index=[10, 11, 12, 13], dtype=object)
    out = redact_each(texts)
    assert out.tolist() == ["mail me at [email]", None, "fine", "mail me at [email]"]
    assert out.index.tolist() == [10, 11, 12, 13]


def test_redacted_is_redact_remembered() -> None:
    """The remembered redaction gives what :func:`redact` gives, and a text seen before is
    not redacted again (a cache hit)."""
    from cxlens.text.redact import redacted

    text = "call me on +44 7700 900123 or mail ann@example.com, card 4111 1111 1111 1111"
    assert redacted(text) == redact(text) == ("call me on [phone] or mail [email], card "
                                              "[card]")
    hits = redacted.cache_info().hits
    assert redacted(text) == redact(text) and redacted.cache_info().hits == hits + 1
    assert redacted("") == "" and redacted("order 12345") == "order 12345"
