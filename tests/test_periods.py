"""Named periods: each form parsed to its days, the period before it, and clear errors."""

from __future__ import annotations

import datetime as dt

import pytest

from cxlens.errors import ConfigError
from cxlens.periods import parse_period


@pytest.mark.parametrize(("text", "label", "start", "end", "previous"), [
    ("2026-04", "2026-04", "2026-04-01", "2026-05-01", "2026-03"),
    ("2026-01", "2026-01", "2026-01-01", "2026-02-01", "2025-12"),
    ("2026-Q2", "2026-Q2", "2026-04-01", "2026-07-01", "2026-Q1"),
    ("2026-q1", "2026-Q1", "2026-01-01", "2026-04-01", "2025-Q4"),
    ("2026", "2026", "2026-01-01", "2027-01-01", "2025"),
    ("2026-03-01", "2026-03-01", "2026-03-01", "2026-03-02", "2026-02-28"),
    ("2026-05-01..2026-07-31", "2026-05-01..2026-07-31", "2026-05-01", "2026-08-01",
     "2026-02-01..2026-04-30"),  # whole months step back by months
    ("2026-05-03..2026-05-09", "2026-05-03..2026-05-09", "2026-05-03", "2026-05-10",
     "2026-04-26..2026-05-02"),  # other days by days
    ("2026-02-01..2026-04-30", "2026-02-01..2026-04-30", "2026-02-01", "2026-05-01",
     "2025-11-01..2026-01-31"),  # three months that are not a quarter keep their days
])
def test_forms(text: str, label: str, start: str, end: str, previous: str) -> None:
    p = parse_period(text)
    assert (p.label, p.start, p.end) == (label, dt.date.fromisoformat(start),
                                         dt.date.fromisoformat(end))
    assert p.previous().label == previous
    assert p.previous().end == p.start


@pytest.mark.parametrize(("text", "why"), [
    ("April", "is not a period"), ("2026-13", "is not a period"), ("2026-Q5", "is not a period"),
    ("2026-04-31", "is not a date"), ("2026-05-02..2026-05-01", "ends before it starts"),
])
def test_errors(text: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why) as err:
        parse_period(text, "--to")
    assert "--to" in err.value.message and err.value.hint
