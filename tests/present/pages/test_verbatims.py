"""The verbatims page reads the answers short of the top by the catalogue's definitions
(every NPS answer but the promoters, every CSAT answer but the satisfied), hand-worked on
DuckDB and Postgres.

NPS 9 → not shown (promoter), 8 and 6 shown (passive, detractor); CSAT on 1–5: 4 not shown
(top two boxes), 3 shown; on a binary 0–1 scale: 0 shown, 1 not (the old hand-written
"score ≤ scale_max − 2" showed no binary answer); a comment-less detractor and a CES answer
are not shown. The vendor filter uses the snapshot taken when the survey was sent, else the
interaction's vendor; the dates are inclusive.
"""

from __future__ import annotations

import datetime as dt

from cxlens.accounts.users import User
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages.verbatims import verbatims
from cxlens.store.base import Warehouse

T0 = dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)
# (id, survey, score, scale_min, scale_max, days after T0, interaction, vendor snapshot, comment)
ANSWERS = [
    ("R1", "nps", 9, 0, 10, 0, None, None, "love it"),
    ("R2", "nps", 8, 0, 10, 1, None, None, "fine"),
    ("R3", "nps", 6, 0, 10, 2, None, None, "slow"),
    ("R4", "nps", 3, 0, 10, 3, None, None, None),
    ("R5", "csat", 4, 1, 5, 4, "I1", None, "good"),
    ("R6", "csat", 3, 1, 5, 5, "I1", "Acme", "meh"),
    ("R7", "csat", 0, 0, 1, 6, "I2", None, "thumbs down"),
    ("R8", "csat", 1, 0, 1, 7, "I2", None, "thumbs up"),
    ("R9", "ces", 1, 1, 7, 8, "I2", None, "hard"),
]


def _world(wh: Warehouse) -> None:
    wh.insert_rows("interactions", ["interaction_id", "created_at", "vendor", "channel"],
                   [["I1", T0, "Northwind", "chat"], ["I2", T0, "Acme", "phone"]])
    wh.insert_rows("survey_responses", ["response_id", "survey", "kind", "score", "scale_min",
                                        "scale_max", "responded_at", "interaction_id",
                                        "vendor", "comment"],
                   [[r, s, "transactional" if i else "relational", sc, lo, hi,
                     T0 + dt.timedelta(days=d), i, v, c]
                    for r, s, sc, lo, hi, d, i, v, c in ANSWERS])


def _shown(wh: Warehouse, filters: Filters) -> list[list[object]]:
    page = verbatims(PageCtx(wh, User("ann", "analyst"), filters))
    return page.tables["comments"][["survey", "score", "vendor", "channel"]].values.tolist()


def test_answers_short_of_the_top(wh: Warehouse) -> None:
    _world(wh)
    assert _shown(wh, Filters()) == [  # most recent first
        ["csat", 0, "Acme", "phone"], ["csat", 3, "Acme", "chat"],
        ["nps", 6, None, None], ["nps", 8, None, None]]
    assert _shown(wh, Filters(vendor="Acme")) == [["csat", 0, "Acme", "phone"],
                                                  ["csat", 3, "Acme", "chat"]]
    assert _shown(wh, Filters(vendor="Northwind")) == []  # R6's snapshot wins over I1's
    assert _shown(wh, Filters(start="2026-04-12", end="2026-04-15")) == [
        ["csat", 3, "Acme", "chat"], ["nps", 6, None, None]]
