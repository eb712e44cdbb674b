"""Figures as people read them (the formatter the dashboard, the report and the CLI share)."""

from __future__ import annotations

import pytest

from cxlens.web.render import number


@pytest.mark.parametrize(("value", "unit", "text"), [
    (82.94, "percent", "82.9 %"),
    (31.0, "points", "+31.0"),
    (403, "seconds", "6 min 43 s"),
    (-90, "seconds", "-1 min 30 s"),
    (-30, "seconds", "-30 s"),
    (-5400, "seconds", "-1.5 h"),
    (12402, "count", "12,402"),
])
def test_number(value: float, unit: str, text: str) -> None:
    assert number(value, unit) == text
