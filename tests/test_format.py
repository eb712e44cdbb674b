"""The one formatter on hand-written expected strings, and its promises as properties: no
scientific notation, at most two decimals (p-values aside), nothing missing reads "None",
"nan" or "null", and an interval never leaves its scale."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxlens.format import (
    MISSING,
    cell,
    change,
    clip,
    count,
    decimal,
    duration,
    interval,
    label,
    minute,
    number,
    p_short,
    p_value,
    percent,
    points,
    table_cells,
)

#: A formatted number: optional sign, digits with thousands commas, at most two decimals.
PLAIN = re.compile(r"^[+-]?\d{1,3}(,\d{3})*(\.\d{1,2})?$")
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True) | st.none()
UNITS = ("percent", "share", "points", "seconds", "score", "count", "currency", "ratio",
         "statistic", "")


@pytest.mark.parametrize(("value", "unit", "text"), [
    (82.94, "percent", "82.9 %"),
    (0.829, "share", "82.9 %"),
    (31.0, "points", "+31.0"),
    (23.44, "points", "+23.4"),
    (-5, "points", "-5.0"),
    (-0.01, "points", "0.0"),  # a rounded zero has no sign
    (403, "seconds", "6 min 43 s"),
    (408.21, "seconds", "6 min 48 s"),
    (43.4, "seconds", "43 s"),
    (-90, "seconds", "-1 min 30 s"),
    (-30, "seconds", "-30 s"),
    (-5400, "seconds", "-1 h 30 min"),
    (7500, "seconds", "2 h 05 min"),
    (48 * 3600, "seconds", "48 h 00 min"),
    (3 * 86400 + 4 * 3600 + 10, "seconds", "3 d 04 h"),
    (12402, "count", "12,402"),
    (162421.0, "count", "162,421"),
    (4.236, "score", "4.2"),
    (2.8e-15, "", "0.00"),
    (-2.8e-15, "ratio", "0.00"),
    (1234567.891, "", "1,234,567.89"),
    (None, "percent", MISSING),
    (math.nan, "seconds", MISSING),
    (math.inf, "count", MISSING),
])
def test_number(value: float | None, unit: str, text: str) -> None:
    assert number(value, unit) == text


def test_359_6_seconds_is_6_minutes_not_5_min_60_s() -> None:
    # seconds were rounded after the minutes were split off: 359.6 s read "5 min 60 s"
    assert duration(359.6) == "6 min 00 s"
    assert duration(3599.7) == "1 h 00 min"


@pytest.mark.parametrize(("seconds", "text"), [
    (403, "0:06:43"), (408.21, "0:06:48"), (7500, "2:05:00"), (50 * 3600, "50:00:00"),
    (-90, "-0:01:30"), (0.4, "0:00:00"), (None, MISSING),
])
def test_duration_clock(seconds: float | None, text: str) -> None:
    assert duration(seconds, "clock") == text


def test_percent_scale_is_declared_not_guessed() -> None:
    assert percent(0.5, "share") == "50.0 %"
    assert percent(0.5, "percent") == "0.5 %"
    assert percent(50, "percent") == "50.0 %"
    assert percent(0.123, "share", signed=True) == "+12.3 %"


@pytest.mark.parametrize(("p", "text"), [
    (0.003, "p = 0.003, strong evidence"),
    (0.0004, "p < 0.001, very strong evidence"),
    (2.8e-15, "p < 0.001, very strong evidence"),
    (0.04, "p = 0.040, moderate evidence"),
    (0.0501, "p = 0.050, weak evidence"),
    (0.09, "p = 0.090, weak evidence"),
    (0.42, "p = 0.42, no evidence"),
    (None, MISSING),
])
def test_p_value_in_words(p: float | None, text: str) -> None:
    assert p_value(p) == text


def test_p_short_for_tables() -> None:
    assert [p_short(v) for v in (0.0004, 0.0123, 0.5, math.nan)] == [
        "< 0.001", "0.012", "0.50", MISSING]
    # just under 0.1, three decimals would round it onto "0.100"
    assert [p_short(v) for v in (0.09996, 0.0994, 0.1)] == ["0.10", "0.099", "0.10"]


def test_change_of_a_percentage_is_points() -> None:
    assert change(2.345, "percent") == "+2.3"
    assert change(0.0234, "share") == "+2.3"
    assert change(-90, "seconds") == "-1 min 30 s"
    assert change(90, "seconds") == "+1 min 30 s"
    assert change(1200, "count") == "+1,200"
    assert change(0, "count") == "0"


def test_intervals_are_clipped_to_the_scale() -> None:
    assert interval(-0.021, 0.134, "share") == "0.0 % – 13.4 %"
    assert interval(97.2, 100.8, "percent") == "97.2 % – 100.0 %"
    assert interval(-104, 12, "points") == "-100.0 to +12.0"
    assert interval(-16.14, -3.86, "plain") == "-16.14 to -3.86"  # never "-16.1 – -3.9"
    assert interval(-3, 40, "seconds") == "0 s – 40 s"
    assert interval(4.7, 5.3, "score", scale=(1, 5)) == "4.7 – 5.0"
    assert interval(None, 3, "score") == MISSING


def test_counts_scores_and_decimals() -> None:
    assert count(12402.4) == "12,402"
    assert decimal(3.14159, 3) == "3.14"  # never more than two decimals
    assert decimal(-1.234, 1, signed=True) == "-1.2"
    assert points(23.44) == "+23.4" and points(23.44, 0) == "+23"


def test_cells() -> None:
    assert cell(None) == MISSING and cell(math.nan) == MISSING and cell(pd.NaT) == MISSING
    assert cell(162421.0) == "162,421"
    assert cell(2.8e-15) == "0.00"
    assert cell(0.245) == "0.25"
    assert cell(True) == "True"
    assert cell("csat") == "csat"
    assert cell(dt.date(2026, 3, 1)) == "2026-03-01"
    assert cell(pd.Timestamp("2026-03-01 14:05", tz="UTC")) == "2026-03-01T14:05:00+00:00"


def test_minute() -> None:
    assert minute(pd.Timestamp("2026-03-01 15:05", tz="Europe/Berlin")) == "2026-03-01 14:05"
    assert minute(None) == MISSING and minute(pd.NaT) == MISSING


def test_label_is_the_catalogue_name() -> None:
    assert label("csat") == "CSAT"
    assert label("aht") == "AHT"
    assert label("no_such_metric") == "no_such_metric"


def test_a_metric_table_reads_in_each_metric_unit() -> None:
    frame = pd.DataFrame({
        "period": [dt.date(2026, 3, 1)] * 3, "metric": ["aht", "csat", "contact_volume"],
        "value": [408.21, 82.94, 162421.0], "ci_low": [400.0, 81.2, math.nan],
        "ci_high": [416.4, 84.7, None], "n": [162421.0, 5120.0, 162421.0],
        "change": [-12.5, 1.25, 1200.0], "p_value": [2.8e-15, 0.0312, None]})
    assert list(table_cells(frame)) == [
        ["2026-03-01", "AHT", "0:06:48", "0:06:40", "0:06:56", "162,421", "-0:00:13", "< 0.001"],
        ["2026-03-01", "CSAT", "82.9 %", "81.2 %", "84.7 %", "5,120", "+1.3", "0.031"],
        ["2026-03-01", "Contact volume", "162,421", MISSING, MISSING, "162,421", "+1,200", MISSING],
    ]


@given(ANY_FLOAT, st.sampled_from(UNITS))
def test_never_scientific_never_more_than_two_decimals(value: float | None, unit: str) -> None:
    text = number(value, unit)
    for bad in ("e+", "e-", "E", "nan", "inf", "None", "null"):
        assert bad not in text
    if text != MISSING:
        head = text.removesuffix(" %")
        assert (PLAIN.match(head) or re.match(r"^-?(\d+ (d|h|min) )?\d+ (h|min|s)$", head)
                or re.match(r"^-?(\d+ d \d\d h|\d+ h \d\d min|\d+ min \d\d s|\d+ s)$", head)), text


@given(ANY_FLOAT)
def test_cells_never_show_missing_words(value: float | None) -> None:
    text = cell(value)
    assert text == MISSING or PLAIN.match(text), text


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.sampled_from(("share", "percent",
                                                                    "points", "seconds")))
def test_a_clipped_interval_stays_on_its_scale(low: float, high: float, unit: str) -> None:
    bounds = {"share": (0, 1), "percent": (0, 100), "points": (-100, 100),
              "seconds": (0, math.inf)}[unit]
    lo, hi = clip(low, high, unit)
    assert lo is not None and hi is not None
    assert bounds[0] <= lo <= bounds[1] and bounds[0] <= hi <= bounds[1]


@given(st.floats(0, 10 * 86400))
def test_durations_have_no_decimals_and_no_60(seconds: float) -> None:
    text = duration(seconds)
    assert "." not in text and not re.search(r"\b60 (s|min)\b", text), text
    h, m, s = duration(seconds, "clock").split(":")
    assert int(h) * 3600 + int(m) * 60 + int(s) == math.floor(seconds + 0.5)


def test_a_share_too_large_to_scale_is_missing_not_a_crash() -> None:
    """Hypothesis found it: 1.797693134862316e306 as a share is inf once × 100 (the float
    overflows), which Decimal refused with InvalidOperation."""
    assert number(1.797693134862316e306, "share") == MISSING
    assert number(0.829, "share") == "82.9 %"


def test_a_column_heading_reads_as_words() -> None:
    """Hand-written: what a table's header shows for the names the CSV keeps."""
    from cxlens.format import heading

    assert heading("n_before") == "n before"
    assert heading("ci_low") == "CI low"
    assert heading("agent_id") == "Agent ID"
    assert heading("first_response_time") == "First response time"
    assert heading("share_of_r2") == "Share of R²"
    assert heading("metric") == "Metric"
    assert heading("n") == "n"
    assert heading("CSAT (%)") == "CSAT (%)"


def test_text_in_a_number_column_is_shown_as_written() -> None:
    """The report builds some tables from figures it has formatted already: an n of "109"
    read back as a number of a count column was no number at all ("—"), while "2,224" (not
    a number to Python) was shown; both are shown as written, and a number is still a count."""
    frame = pd.DataFrame({"cohort": ["a", "b", "c"], "n": ["109", "2,224", 968],
                          "p": ["0.008", "< 0.001", 0.0312]})
    assert list(table_cells(frame)) == [["a", "109", "0.008"], ["b", "2,224", "< 0.001"],
                                        ["c", "968", "0.031"]]



def test_a_share_interval_reads_as_its_share() -> None:
    """Key drivers and themes: a share of 0.586 reads "58.6 %", so its interval's ends (0.508,
    0.622) read "50.8 %" and "62.2 %", not "0.51" and "0.62" beside it."""
    frame = pd.DataFrame({"share": [0.586], "share_ci_low": [0.508], "share_ci_high": [0.622]})
    assert list(table_cells(frame)) == [["58.6 %", "50.8 %", "62.2 %"]]


def test_case_mix_and_shrunk_figures_read_in_their_metric_unit() -> None:
    """The agent page's case-mix table showed AHT raw 643.12 (seconds) beside expected
    0:10:28 and CSAT raw 90.32 beside expected 81.0 %; its rank table CSAT shrunk 84.89.
    Hand-worked: 643.12 s is 0:10:43, 628 s 0:10:28, 455.64 s 0:07:36."""
    frame = pd.DataFrame({"metric": ["aht", "csat"], "raw": [643.12, 90.32],
                          "expected": [628.0, 81.0], "adjusted": [455.64, 92.47],
                          "team_raw": [589.46, 86.13], "shrunk": [None, 84.89]})
    assert list(table_cells(frame)) == [
        ["AHT", "0:10:43", "0:10:28", "0:07:36", "0:09:49", MISSING],
        ["CSAT", "90.3 %", "81.0 %", "92.5 %", "86.1 %", "84.9 %"]]


def test_a_table_writes_moments_to_the_minute() -> None:
    """The board report's verbatims and the impact table printed "2026-09-29T11:12:32+00:00";
    a moment reads as the pages' other times do, a date stays a date."""
    frame = pd.DataFrame({"responded_at": [pd.Timestamp("2026-09-29 11:12:32", tz="UTC"),
                                           pd.Timestamp("2026-02-01 01:30", tz="Europe/Paris")],
                          "day": [dt.date(2026, 3, 1), dt.date(2026, 3, 2)]})
    assert list(table_cells(frame)) == [["2026-09-29 11:12 UTC", "2026-03-01"],
                                        ["2026-02-01 00:30 UTC", "2026-03-02"]]


def test_a_flag_reads_as_words() -> None:
    """Tables showed the flag's id ("insufficient_sample", "no_data") where the cards write
    "insufficient sample"."""
    frame = pd.DataFrame({"metric": ["csat", "asa"], "flag": ["insufficient_sample", "no_data"]})
    assert list(table_cells(frame)) == [["CSAT", "insufficient sample"], ["ASA", "no data"]]
