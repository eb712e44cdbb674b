"""Hand-built comments for the tracked-theme tests: one sentence per theme as relational NPS
answers; in the second month every other answer adds " again" (so the second run sees each
theme in two wordings, as real comments drift). Written so VADER labels each theme as intended
(checked in test_theme_track.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

#: theme → (the sentiment label VADER gives it, sentence, NPS score)
THEMES = {
    "login": ("negative", "Login is broken and the password reset fails, awful and useless", 2),
    "delivery": ("negative", "My parcel was late and the delivery courier is terrible", 3),
    "rude": ("negative", "The agent was rude and dismissive, horrible attitude", 1),
    "friendly": ("positive", "The agent was friendly and helpful, thank you so much", 10),
    "quick": ("positive", "Great, the problem was fixed quickly, excellent", 9),
    "app": ("positive", "I love the new app, it works perfectly and looks beautiful", 10),
}
#: planted in the second month only: a new complaint
PLANTED = {"charged": ("negative", "I was charged twice on my card, the double charge is a scam",
                       0)}
COLUMNS = ["response_id", "survey", "kind", "score", "scale_min", "scale_max", "responded_at",
           "comment"]
PER_THEME = 20


def month_of_comments(month: dt.date, *, planted: bool = False, again: bool = False
                      ) -> list[list[Any]]:
    """``PER_THEME`` answers per theme in ``month`` (and per planted theme when ``planted``),
    spread over its first 20 days; response ids ``YYYYMM-theme-i``; with ``again`` the odd
    ones end in " again"."""
    rows = []
    themes = THEMES | (PLANTED if planted else {})
    for name, (_, sentence, score) in themes.items():
        for i in range(PER_THEME):
            at = dt.datetime(month.year, month.month, 1 + i, 9 + i % 8, tzinfo=dt.UTC)
            rows.append([f"{month:%Y%m}-{name}-{i}", "nps", "relational", score, 0, 10, at,
                         sentence + (" again" if again and i % 2 else "")])
    return rows


def theme_of(response_id: str) -> str:
    return response_id.split("-")[1]
