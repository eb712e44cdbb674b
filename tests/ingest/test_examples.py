"""The docs/examples mappings import files of the six shapes an independent tester brought,
unedited, and every trap in them (blank ids, spreadsheet error cells, 98/99 codes, mixed-case
values, reversed times, no id column) gives a flag or the right figure.

The files are built here with csv and openpyxl; expected values are worked out by hand from
the rows below and checked with SQL over what was loaded."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cxlens.ingest.pipeline import ImportResult, import_files
from cxlens.store.base import Warehouse

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
UTC = dt.UTC


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def warnings_by_column(r: ImportResult, rule: str) -> dict[tuple[int | None, str | None], str]:
    return {(p.row, p.column): p.value or "" for p in r.problems
            if p.rule == rule and p.severity == "warning"}


def when(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def ts(value: Any) -> dt.datetime | None:
    """A timestamp from the warehouse as an aware UTC datetime (DuckDB and Postgres alike)."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# --- 1. call-centre workbook (XLSX, one row per call) ----------------------------------------

CALL_HEADER = ["Call Id", "Agent", "Date", "Time", "Topic", "Answered (Y/N)", "Resolved",
               "Speed of answer in seconds", "AvgTalkDuration", "Satisfaction rating"]
DAY = dt.datetime(2021, 1, 1)
CALLS = [
    ["ID0001", "Diane", DAY, dt.time(9, 12, 58), "Contract related", "Y", "Y", 109,
     dt.time(0, 2, 23), 3],
    ["ID0002", "Becky", DAY, dt.time(9, 12, 58), "Technical Support", "Y", "N", 70,
     dt.time(0, 4, 2), "#N/A"],
    ["ID0003", "Stewart", DAY, dt.time(9, 47, 31), "#N/A", "y", "Y", 10, dt.time(0, 2, 11), 3],
    ["ID0004", "Greg", DAY, dt.time(9, 47, 31), "Payment related", "N", "N", None, None, None],
    [None, "Becky", DAY, dt.time(10, 0, 15), "Streaming", "Y", "Y", 53, dt.time(0, 0, 37), 2],
    ["ID0006", "Joe", DAY, dt.time(10, 19, 8), "TECHNICAL SUPPORT", "Y", "N", 95,
     dt.time(0, 1, 0), 5],
]


def call_workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(CALL_HEADER)
    for row in CALLS:
        ws.append(row)
    assert ws["J3"].data_type == "e" and ws["E4"].data_type == "e"  # real Excel error cells
    path = tmp_path / "Call Center Data.xlsx"
    book.save(path)
    return path


def test_call_centre_workbook(wh: Warehouse, tmp_path: Path) -> None:
    book = call_workbook(tmp_path)
    r = import_files(wh, "interactions", [book], mapping=EXAMPLES / "call-centre-calls.yaml")
    assert (r.rows_read, r.loaded, r.rejected, r.flagged) == (6, 5, 1, 1)
    blank_id = [p for p in r.problems if p.severity == "error"]
    assert [(p.row, p.rule, p.column) for p in blank_id] == [(6, "required", "interaction_id")]
    # the #N/A topic is missing and flagged; the rating column is not imported here
    assert warnings_by_column(r, "spreadsheet_error") == {(4, "Topic"): "#N/A"}
    got = {row[0]: row[1:] for row in wh.query(
        "SELECT interaction_id, category, created_at, answered_at, talk_seconds, resolved "
        "FROM interactions")}
    assert got["ID0001"] == ("contract related", when(2021, 1, 1, 9, 12, 58),
                             when(2021, 1, 1, 9, 14, 47), 143.0, True)
    assert got["ID0003"][0] is None and got["ID0003"][2] == when(2021, 1, 1, 9, 47, 41)
    assert got["ID0004"] == ("payment related", when(2021, 1, 1, 9, 47, 31), None, None, None)
    cats = dict(wh.query("SELECT category, count(*) FROM interactions GROUP BY category"))
    assert cats == {"contract related": 1, "technical support": 2, "payment related": 1,
                    None: 1}

    r = import_files(wh, "survey_responses", [book],
                     mapping=EXAMPLES / "call-centre-ratings.yaml")
    # answers: ID0001 3, ID0003 3, blank-id 2 (rejected), ID0006 5; #N/A and no answer: none
    assert (r.rows_read, r.loaded, r.rejected) == (4, 3, 1)
    assert warnings_by_column(r, "spreadsheet_error") == {(3, "Satisfaction rating"): "#N/A"}
    assert sorted(wh.query("SELECT response_id, score FROM survey_responses")) == [
        ("ID0001-csat", 3), ("ID0003-csat", 3), ("ID0006-csat", 5)]
    assert not [p for p in r.problems if p.rule == "unknown_reference"]


# --- 2. helpdesk incident export (CSV, "?" for missing, reversed times) -----------------------

INCIDENTS = [
    ["number", "caller_id", "contact_type", "category", "priority", "assignment_group",
     "assigned_to", "opened_at", "resolved_at", "closed_at", "reopen_count"],
    ["INC001", "Caller 1", "Phone", "Category 26", "3 - Moderate", "Group 56", "Resolver 149",
     "29/02/2016 01:16", "29/02/2016 11:29", "05/03/2016 12:00", "0"],
    ["INC002", "Caller 2", "EMAIL", "Category 40", "2 - High", "Group 70", "?",
     "29/02/2016 04:40", "01/03/2016 09:52", "06/03/2016 10:00", "1"],
    ["INC003", "Caller 3", "Phone", "#N/A", "4 - Low", "Group 56", "Resolver 5",
     "01/03/2016 06:10", "29/02/2016 18:00", "06/03/2016 10:00", "0"],
    ["", "Caller 4", "Phone", "Category 9", "3 - Moderate", "Group 1", "?",
     "01/03/2016 07:00", "?", "?", "0"],
    ["INC005", "Caller 5", "Self service", "Category 9", "1 - Critical", "Group 1", "Resolver 7",
     "01/03/2016 08:00", "?", "?", "0"],
    ["INC006", "Caller 6", "Web", "Category 9", "3 - Moderate", "Group 1", "Resolver 7",
     "01/03/2016 09:00", "01/03/2016 10:00", "01/03/2016 11:00", "0"],
]


def test_helpdesk_incident_export(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "incidents.csv", INCIDENTS)
    r = import_files(wh, "interactions", [f], mapping=EXAMPLES / "helpdesk-incidents.yaml")
    assert (r.rows_read, r.loaded, r.rejected, r.flagged) == (6, 4, 2, 1)
    errors = sorted((p.row, p.rule) for p in r.problems if p.severity == "error")
    assert errors == [(5, "required"), (7, "enum")]
    # INC003: resolved "before" it was opened: resolved_at emptied, the row kept and flagged
    flagged = sorted((p.row, p.rule, p.column) for p in r.problems if p.severity == "warning")
    assert flagged == [(4, "spreadsheet_error", "category"), (4, "time_order", "resolved_at")]
    assert r.files[0].mapped_to_missing == {("assigned_to", "?"): 2, ("resolved_at", "?"): 2,
                                            ("closed_at", "?"): 2}
    assert any("6 value(s) the mapping reads as missing" in n for n in r.notes)
    got = {row[0]: row[1:] for row in wh.query(
        "SELECT interaction_id, channel, priority, category, agent_id, resolved_at, closed_at "
        "FROM interactions")}
    assert got == {
        "INC001": ("phone", "normal", "category 26", "Resolver 149",
                   when(2016, 2, 29, 11, 29), when(2016, 3, 5, 12)),
        "INC002": ("email", "high", "category 40", None, when(2016, 3, 1, 9, 52),
                   when(2016, 3, 6, 10)),
        "INC003": ("phone", "low", None, "Resolver 5", None, when(2016, 3, 6, 10)),
        "INC005": ("in_app", "urgent", "category 9", "Resolver 7", None, None),
    }
    q = wh.query("SELECT source_row, status FROM quarantine ORDER BY source_row, status")
    assert q == [(4, "flagged"), (5, "rejected"), (7, "rejected")]


# --- 3. 1–10 survey with 98/99 codes and #NULL! -------------------------------------------------

SURVEY = [
    ["idno", "inwdate", "region", "gndr", "agea", "stfserv", "stfrec"],
    ["1", "05.09.2023", "North", "1", "23", "7", "8"],
    ["2", "05.09.2023", "north", "2", "34", "98", "9"],
    ["3", "06.09.2023", "South", "1", "#NULL!", "10", "99"],
    ["4", "06.09.2023", "South", "2", "67", "#NULL!", "6"],
    ["5", "07.09.2023", "East", "9", "17", "99", "98"],
    ["6", "07.09.2023", "East", "1", "45", "11", "5"],
]


def test_survey_on_1_to_10_with_missing_codes(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "survey.csv", SURVEY)
    r = import_files(wh, "survey_responses", [f],
                     mapping=EXAMPLES / "survey-satisfaction-1-10.yaml")
    # answers given: 7, 8 | 9 | 10 | 6 | (none) | 11, 5  -> 7 read; 11 is off the 1–10 scale
    assert (r.rows_read, r.loaded, r.rejected, r.flagged) == (7, 6, 1, 1)
    assert [(p.row, p.rule) for p in r.problems if p.severity == "error"] == [(7, "out_of_scale")]
    assert warnings_by_column(r, "spreadsheet_error") == {(5, "stfserv"): "#NULL!"}
    assert r.files[0].mapped_to_missing == {("stfserv", "98"): 1, ("stfserv", "99"): 1,
                                            ("stfrec", "98"): 1, ("stfrec", "99"): 1}
    means = {s: (n, float(m)) for s, n, m in wh.query(
        "SELECT survey, count(*), avg(score) FROM survey_responses GROUP BY survey")}
    assert means == {"satisfaction": (2, 8.5), "recommend": (4, 7.0)}
    assert wh.query("SELECT DISTINCT scale_min, scale_max FROM survey_responses") == [(1, 10)]

    r = import_files(wh, "customers", [f], mapping=EXAMPLES / "survey-respondents.yaml")
    assert (r.rows_read, r.loaded, r.rejected, r.flagged) == (6, 6, 0, 1)
    assert warnings_by_column(r, "spreadsheet_error") == {(4, "agea"): "#NULL!"}
    assert r.files[0].mapped_to_missing == {("gndr", "9"): 1}
    got = {cid: rest for cid, *rest in wh.query(
        "SELECT customer_id, age_group, gender, region FROM customers")}
    assert {k: tuple(v) for k, v in got.items()} == {
        "1": ("18-24", "male", "north"), "2": ("25-34", "female", "north"),
        "3": (None, "male", "south"), "4": ("65+", "female", "south"),
        "5": ("under 18", None, "east"), "6": ("45-54", "male", "east")}


# --- 4. labelled tweets --------------------------------------------------------------------

TWEETS = [
    ["tweet_id", "airline_sentiment", "airline_sentiment_confidence", "negativereason",
     "airline", "name", "retweet_count", "text", "tweet_created"],
    ["570306133677760513", "neutral", "1.0", "", "Virgin America", "cairdin", "0",
     "@VirginAmerica What @dhepburn said.", "2015-02-24 11:35:52 -0800"],
    ["570301130888122368", "Positive", "0.3486", "", "Virgin America", "jnardino", "0",
     "@VirginAmerica plus you've added commercials to the experience... tacky.",
     "2015-02-24 11:15:59 -0800"],
    ["570301083672813571", "negative", "0.6837", "Bad Flight", "United", "yvonnalynn", "0",
     "@united I hate this airline", "2015-02-24 11:15:48 -0800"],
    ["570301031407624196", "", "", "", "", "jnardino", "0", "@united thanks",
     "2015-02-24 11:15:36 -0800"],
    ["570300817074462722", "NEGATIVE", "1.0", "Late Flight", "Southwest", "someone", "0",
     "@SouthwestAir late again", "2015-02-24 11:14:45 -0800"],
]


def test_labelled_airline_tweets(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "Tweets.csv", TWEETS)
    r = import_files(wh, "mentions", [f], mapping=EXAMPLES / "airline-tweets.yaml")
    assert (r.rows_read, r.loaded, r.rejected) == (5, 4, 1)
    assert [(p.row, p.rule, p.column) for p in r.problems] == [(5, "required", "brand")]
    assert dict(wh.query("SELECT sentiment, count(*) FROM mentions GROUP BY sentiment")) == {
        "neutral": 1, "positive": 1, "negative": 2}
    row = wh.query("SELECT brand, author, posted_at, source FROM mentions "
                   "WHERE mention_id = '570306133677760513'")[0]
    assert row[:2] == ("Virgin America", "@cairdin") and row[3] == "twitter"
    assert ts(row[2]) == when(2015, 2, 24, 19, 35, 52)  # -0800 kept: 11:35 local is 19:35 UTC


# --- 5. product reviews without an id column -----------------------------------------------

REVIEWS = [
    ["id", "name", "brand", "reviews.date", "reviews.rating", "reviews.text", "reviews.title",
     "reviews.username"],
    ["AVqVGZNvQMlgsOJE6eUY", "Kindle", "Amazon", "2017-01-13T00:00:00.000Z", "5",
     "Great reader", "Love it", "Adapter"],
    ["AVqVGZNvQMlgsOJE6eUY", "Kindle", "Amazon", "2017-01-14T00:00:00.000Z", "4", "Good",
     "Good", "truman"],
    ["AVpe7AsMilAPnD_xQ78G", "Echo", "Amazon", "2017-02-01T00:00:00.000Z", "", "No stars",
     "Hmm", "joe"],
    ["AVpe7AsMilAPnD_xQ78G", "Echo", "Amazon", "2017-02-02T00:00:00.000Z", "#VALUE!", "Broken",
     "Bad", "ann"],
    ["AVpe7AsMilAPnD_xQ78G", "Echo", "Amazon", "2017-02-03T00:00:00.000Z", "1",
     "Stopped working", "Bad", "bob"],
]


def test_product_reviews_without_ids(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "amazon-reviews.csv", REVIEWS)
    mapping = EXAMPLES / "product-reviews.yaml"
    r = import_files(wh, "survey_responses", [f], mapping=mapping)
    assert (r.rows_read, r.loaded, r.rejected, r.flagged) == (5, 3, 2, 0)
    # row 5: the #VALUE! cell is flagged and, being the score, leaves the row without one:
    # one rejected row, two problems
    row5 = sorted((p.severity, p.rule) for p in r.problems if p.row == 5)
    assert row5 == [("error", "required"), ("warning", "spreadsheet_error")]
    expected = [("amazon-reviews-2", 5, "Great reader"), ("amazon-reviews-3", 4, "Good"),
                ("amazon-reviews-6", 1, "Stopped working")]
    sql = "SELECT response_id, score, comment FROM survey_responses ORDER BY response_id"
    assert wh.query(sql) == expected
    again = import_files(wh, "survey_responses", [f], mapping=mapping)
    assert (again.inserted, again.updated) == (0, 3)  # same file, same ids: updated, not added
    assert wh.query(sql) == expected


# --- 6. churn snapshot (Telco-like, tenure months and ticket counts) ---------------------------

CHURN = [
    ["customerID", "gender", "SeniorCitizen", "Partner", "tenure", "Contract", "MonthlyCharges",
     "TotalCharges", "numAdminTickets", "numTechTickets", "Churn"],
    ["0001-A", "Female", "0", "Yes", "1", "Month-to-month", "29.85", "29.85", "0", "0", "No"],
    ["0002-B", "Male", "0", "No", "34", "One year", "56.95", "1889.5", "0", "2", "No"],
    ["0003-C", "Male", "1", "No", "2", "Month-to-month", "53.85", "108.15", "1", "3", "Yes"],
    ["0004-D", "Female", "0", "No", "0", "Two year", "52.55", " ", "0", "0", "No"],
    ["0005-E", "Female", "0", "No", "#N/A", "Month-to-month", "70.7", "151.65", "0", "1", "Yes"],
    ["0006-F", "male", "1", "No", "1.5", "Month-to-month", "70.7", "151.65", "0", "1", "Yes"],
]


def test_churn_snapshot_with_tenure_months(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "telco.csv", CHURN)
    r = import_files(wh, "customers", [f], mapping=EXAMPLES / "telco-customers.yaml")
    assert (r.rows_read, r.loaded, r.rejected, r.flagged) == (6, 5, 1, 1)
    assert [(p.row, p.rule) for p in r.problems if p.severity == "error"] == \
        [(7, "not_integer")]
    assert warnings_by_column(r, "spreadsheet_error") == {(6, "tenure"): "#N/A"}
    assert r.files[0].mapped_to_missing == {("Churn", "No"): 3}
    assert any("numAdminTickets, numTechTickets" in n for n in r.notes)
    got = {cid: (ts(a), ts(c)) for cid, a, c in wh.query(
        "SELECT customer_id, acquired_at, churned_at FROM customers")}
    snapshot = when(2018, 1, 31)
    assert got == {
        "0001-A": (when(2017, 12, 31), None),
        "0002-B": (when(2015, 3, 31), None),
        "0003-C": (when(2017, 11, 30), snapshot),  # 31 November does not exist: the 30th
        "0004-D": (snapshot, None),
        "0005-E": (None, snapshot),
    }


@pytest.mark.parametrize("name", ["call-centre-calls", "call-centre-ratings",
                                  "helpdesk-incidents", "survey-satisfaction-1-10",
                                  "survey-respondents", "airline-tweets", "product-reviews",
                                  "telco-customers"])
def test_every_example_is_documented(name: str) -> None:
    doc = (EXAMPLES.parent / "import.md").read_text()
    assert f"{name}.yaml" in doc
