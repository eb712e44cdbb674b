"""The dashboard's and the report's templates format through the one formatter
(cxlens.format): its filters are that module's functions, so a figure reads the same
on a card, in a table and in the CLI."""

from __future__ import annotations

import pytest

from cxlens import format as fmt
from cxlens.present.render import env


def test_the_filters_are_the_one_formatter() -> None:
    assert env.filters["number"] is fmt.number
    assert env.filters["cell"] is fmt.cell
    assert env.filters["cells"] is fmt.table_cells
    assert env.filters["interval"] is fmt.interval


@pytest.mark.parametrize(("value", "unit", "text"), [
    (82.94, "percent", "82.9 %"),
    (31.0, "points", "+31.0"),
    (403, "seconds", "6 min 43 s"),
    (-90, "seconds", "-1 min 30 s"),
    (-30, "seconds", "-30 s"),
    (-5400, "seconds", "-1 h 30 min"),  # was "-1.5 h": hours and minutes, no decimals
    (12402, "count", "12,402"),
])
def test_number(value: float, unit: str, text: str) -> None:
    assert env.from_string("{{ v|number(u) }}").render(v=value, u=unit) == text


def test_a_card_interval_is_clipped() -> None:
    out = env.from_string("{{ lo|interval(hi, 'percent') }}").render(lo=-2.5, hi=12.25)
    assert out == "0.0 % – 12.3 %"
