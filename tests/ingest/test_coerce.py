from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.ingest import coerce

UTC = coerce.zone("UTC")
LONDON = coerce.zone("Europe/London")


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("3:45", 225.0), ("1:02:03", 3723.0), ("0:30", 30.0), ("00:00:05.5", 5.5), ("90", 90.0),
     (dt.time(0, 3, 45), 225.0), (dt.timedelta(minutes=2), 120.0), (12, 12.0)],
)
def test_durations(raw: object, seconds: float) -> None:
    values, bad = coerce.to_seconds(pd.Series([raw], dtype=object))
    assert values[0] == seconds
    assert not bad[0]


def test_duration_units_and_failures() -> None:
    values, bad = coerce.to_seconds(pd.Series(["2.5", "abc", None, ""], dtype=object), 60)
    assert values[0] == 150.0
    assert list(bad) == [False, True, False, False]


def test_booleans() -> None:
    values, bad = coerce.to_boolean(pd.Series(["Y", "no", "TRUE", "0", "maybe", None],
                                              dtype=object))
    assert list(values[:4]) == [True, False, True, False]
    assert list(bad) == [False, False, False, False, True, False]


def test_integers_reject_fractions_and_text() -> None:
    values, bad, frac = coerce.to_integer(pd.Series(["7", "6.5", "x", "10.0", None],
                                                    dtype=object))
    assert values[0] == 7 and values[3] == 10
    assert list(bad) == [False, False, True, False, False]
    assert list(frac) == [False, True, False, False, False]


def test_naive_timestamps_are_read_in_the_given_zone() -> None:
    values, bad, dst = coerce.to_timestamp(
        pd.Series(["2024-07-01 09:00:00", "2024-01-15 09:00", "2024-07-01T09:00:00+02:00"],
                  dtype=object), LONDON)
    assert values[0] == pd.Timestamp("2024-07-01 08:00", tz="UTC")  # BST = UTC+1
    assert values[1] == pd.Timestamp("2024-01-15 09:00", tz="UTC")  # GMT
    assert values[2] == pd.Timestamp("2024-07-01 07:00", tz="UTC")  # offset wins
    assert not bad.any() and not dst.any()


def test_nonexistent_local_time_is_reported_not_guessed() -> None:
    # 2024-03-31 01:30 does not exist in London (clocks jump from 01:00 to 02:00).
    values, bad, dst = coerce.to_timestamp(pd.Series(["2024-03-31 01:30:00"], dtype=object),
                                           LONDON)
    assert pd.isna(values[0])
    assert dst[0] and not bad[0]


def test_non_iso_formats_and_failures() -> None:
    values, bad, _ = coerce.to_timestamp(
        pd.Series(["03/28/2024 4:00 PM", "yesterday", None], dtype=object), UTC)
    assert values[0] == pd.Timestamp("2024-03-28 16:00", tz="UTC")
    assert list(bad) == [False, True, False]
    values, _, _ = coerce.to_timestamp(pd.Series(["28/03/2024 16:00"], dtype=object), UTC,
                                       dayfirst=True)
    assert values[0] == pd.Timestamp("2024-03-28 16:00", tz="UTC")


def test_explicit_format() -> None:
    values, bad, _ = coerce.to_timestamp(pd.Series(["28.03.2024 16:00", "2024-03-28"],
                                                   dtype=object), UTC, fmt="%d.%m.%Y %H:%M")
    assert values[0] == pd.Timestamp("2024-03-28 16:00", tz="UTC")
    assert list(bad) == [False, True]


def test_unknown_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="IANA"):
        coerce.zone("Europe/Londn")
