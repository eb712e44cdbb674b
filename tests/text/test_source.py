"""The comments text analytics reads, labelled by the catalogue's NPS and CSAT definitions:
hand-worked answers on DuckDB and Postgres.

Relational NPS 9 → promoter, 7 → passive, 6 → detractor; a transactional NPS answer and one
without a kind are outside ``nps:relational`` (no group). CSAT on 1–5: 5 satisfied, 3 neutral,
2 dissatisfied; on a binary 0–1 scale: 1 satisfied, 0 dissatisfied. Blank and missing
comments, and answers outside the period, are left out.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxlens.store.base import Warehouse
from cxlens.text.source import comments

T0 = dt.datetime(2026, 5, 10, 12, tzinfo=dt.UTC)
# (id, survey, kind, score, scale_min, scale_max, hours after T0, comment)
ANSWERS = [
    ("N1", "nps", "relational", 9, 0, 10, 1, "great"),
    ("N2", "nps", "relational", 7, 0, 10, 2, "fine"),
    ("N3", "nps", "relational", 6, 0, 10, 3, "slow"),
    ("N4", "nps", "transactional", 2, 0, 10, 4, "bad call"),
    ("N5", "nps", None, 0, 0, 10, 5, "no kind"),
    ("N6", "nps", "relational", 0, 0, 10, 6, "   "),
    ("N7", "nps", "relational", 0, 0, 10, 7, None),
    ("C1", "csat", "transactional", 5, 1, 5, 8, "thanks"),
    ("C2", "csat", "transactional", 3, 1, 5, 9, "ok"),
    ("C3", "csat", "transactional", 2, 1, 5, 10, "rude"),
    ("C4", "csat", "transactional", 1, 0, 1, 11, "thumbs up"),
    ("C5", "csat", "transactional", 0, 0, 1, 12, "thumbs down"),
    ("C6", "csat", "transactional", 1, 1, 5, 24 * 30, "next month"),
]


def _may_comments(wh: Warehouse) -> pd.DataFrame:
    """``ANSWERS`` stored, and the comments of May 2026 read back."""
    wh.insert_rows("survey_responses", ["response_id", "survey", "kind", "score", "scale_min",
                                        "scale_max", "responded_at", "comment"],
                   [[i, s, k, sc, lo, hi, T0 + dt.timedelta(hours=h), c]
                    for i, s, k, sc, lo, hi, h, c in ANSWERS])
    return comments(wh, dt.date(2026, 5, 1), dt.date(2026, 6, 1))


def test_groups_come_from_the_catalogue(wh: Warehouse) -> None:
    got = _may_comments(wh)
    assert got[["response_id", "nps_group", "csat_group"]].values.tolist() == [
        ["N1", "promoter", None], ["N2", "passive", None], ["N3", "detractor", None],
        ["N4", None, None], ["N5", None, None],
        ["C1", None, "satisfied"], ["C2", None, "neutral"], ["C3", None, "dissatisfied"],
        ["C4", None, "satisfied"], ["C5", None, "dissatisfied"]]
    assert set(got["month"]) == {"2026-05"}


def test_month_is_the_utc_month_and_missing_stays_missing() -> None:
    """Read once per distinct month (formatting row by row held the interpreter lock for 4 s
    over 1.5 M comments): the UTC month either side of midnight, a zone converted to UTC,
    and a missing time."""
    from cxlens.text.source import _month

    at = pd.Series(pd.to_datetime(["2026-05-31T23:59:59Z", "2026-06-01T00:00:00Z",
                                   "2026-06-01T01:30:00+02:00", None, "2025-12-15T10:00Z"],
                                  utc=True, format="ISO8601"), index=[5, 6, 7, 8, 9])
    got = _month(at)
    assert got.tolist() == ["2026-05", "2026-06", "2026-05", None, "2025-12"]
    assert got.index.tolist() == [5, 6, 7, 8, 9]


def test_comments_as_every_row_read_and_redacted(demo: Warehouse) -> None:
    """The comments read through Arrow with each distinct text checked and redacted once are
    the plain read: every row converted to pandas, blank texts dropped, each row's text
    redacted, the month its UTC year-month — the same frame, column for column."""
    from cxlens.dates import utc
    from cxlens.text.redact import redact
    from cxlens.text.source import _comments

    first, after = dt.date(2025, 10, 1), dt.date(2026, 10, 1)
    plain = _comments(demo, utc(first), utc(after)).to_pandas()
    plain = plain[plain["comment"].astype(str).str.strip() != ""].reset_index(drop=True)
    plain["comment"] = [redact(t) for t in plain["comment"]]
    plain["month"] = plain["responded_at"].dt.strftime("%Y-%m").astype(object)
    got = comments(demo, first, after)
    assert len(got) > 1000 and got["comment"].nunique() < len(got)
    assert any("[phone]" in t or "[email]" in t for t in got["comment"])  # redaction at work
    pd.testing.assert_frame_equal(got, plain)


def test_blank_and_missing_comments_left_out_through_arrow(wh: Warehouse) -> None:
    """Blank texts are dropped after the Arrow read, the rest keep their order and columns."""
    got = _may_comments(wh)
    assert list(got["response_id"]) == ["N1", "N2", "N3", "N4", "N5", "C1", "C2", "C3", "C4",
                                        "C5"]
    assert list(got.columns) == ["response_id", "survey", "kind", "score", "responded_at",
                                 "comment", "nps_group", "csat_group", "month"]
    assert got["comment"].iloc[3] == "bad call" and set(got["month"]) == {"2026-05"}
