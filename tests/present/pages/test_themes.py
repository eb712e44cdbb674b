"""The themes page's charts draw one row per theme, even when two themes share a label."""

from __future__ import annotations

import pandas as pd

from cxlens.present.pages.themes import _distinct


def test_two_themes_with_one_label_are_two_rows_of_a_chart() -> None:
    table = pd.DataFrame({"theme": [1, 2, 3, 4],
                          "label": ["card, charged, twice", "delivery, late",
                                    "card, charged, twice", "refund"]})
    assert list(_distinct(table)) == ["card, charged, twice (theme 1)", "delivery, late",
                                      "card, charged, twice (theme 3)", "refund"]
    unique = table[table["theme"] != 3]
    assert list(_distinct(unique)) == ["card, charged, twice", "delivery, late", "refund"]
