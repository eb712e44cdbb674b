"""The key-driver design's dummy sets, worked out on level numbers (issue 18: 1.8 s of the
page at 10 M in pandas string columns), are ``pd.get_dummies`` of the levels as text with
missing values "(unknown)", levels under MIN_LEVEL answers "(other)" and the commonest level
dropped as the reference — the definition, spelled out here with pandas itself."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlens.insights.drivers import MIN_LEVEL, OTHER, _dummies, design


def plain(values: pd.Series, prefix: str) -> pd.DataFrame:
    text = values.astype("string").fillna("(unknown)")
    counts = text.value_counts()
    text = text.where(~text.isin(counts[counts < MIN_LEVEL].index), OTHER)
    frame = pd.get_dummies(text, prefix=prefix, prefix_sep="=", dtype=float)
    if frame.shape[1] > 1:
        frame = frame.drop(columns=f"{prefix}={text.value_counts().index[0]}")
    return frame


def test_dummies_are_get_dummies_of_the_levels_as_text() -> None:
    rng = np.random.default_rng(3)
    # phone and chat tie for the commonest (the first seen is the reference, as value_counts
    # lists ties); "sms" and "fax" are rare and become "(other)" with a literal "(other)";
    # missing values are "(unknown)"; 7 and "7" are one level as text
    values = (["phone"] * 200 + ["chat"] * 199 + ["email"] * 90 + ["sms"] * 5 + ["fax"] * 3
              + ["(other)"] * 40 + [None] * 35 + [np.nan] * 5 + [7] * 20 + ["7"] * 15
              + ["Chat"] * 31 + ["é-mail"] * 30)
    shuffled = ["chat", *np.array(values, dtype=object)[rng.permutation(len(values))]]
    series = pd.Series(np.array(shuffled, dtype=object),
                       index=np.arange(len(shuffled)) * 3)  # not a range: kept as given
    assert (series == "chat").sum() == (series == "phone").sum() == 200
    got, want = _dummies(series, "channel"), plain(series, "channel")
    assert list(want.columns) == ["channel=(other)", "channel=(unknown)", "channel=7",
                                  "channel=Chat", "channel=email", "channel=phone",
                                  "channel=é-mail"]
    pd.testing.assert_frame_equal(got, want)
    assert want["channel=(other)"].sum() == 48 and want["channel=7"].sum() == 35
    # phone seen first (the first chat and the first phone swapped): phone is the reference
    first_phone = int(np.flatnonzero(series.to_numpy() == "phone")[0])
    series.iloc[0], series.iloc[first_phone] = "phone", "chat"
    pd.testing.assert_frame_equal(_dummies(series, "channel"), plain(series, "channel"))
    assert "channel=chat" in _dummies(series, "channel").columns


def test_one_level_and_all_missing() -> None:
    one = pd.Series(["voice"] * 50, dtype=object)
    pd.testing.assert_frame_equal(_dummies(one, "c"), plain(one, "c"))
    missing = pd.Series([None] * 40, dtype=object)
    pd.testing.assert_frame_equal(_dummies(missing, "c"), plain(missing, "c"))
    few = pd.Series(["a"] * 10 + ["b"] * 12, dtype=object)  # every level rare: all "(other)"
    pd.testing.assert_frame_equal(_dummies(few, "c"), plain(few, "c"))


def test_design_is_one_float_block() -> None:
    rows = pd.DataFrame({"y": [10.0, 50, 90, 70] * 30, "no_contact": [0] * 120,
                         "fcr": [1.0, 0, 1, np.nan] * 30, "reopened": [0.0, 1, 0, 0] * 30,
                         "escalated": [0.0, 0, 1, 0] * 30, "aht_s": [300.0, 600, 90, 40] * 30,
                         "wait_s": [20.0, 5, 80, 3600] * 30, "ces": [np.nan, 80, 60, 20] * 30,
                         "channel": ["phone", "chat", "email", "phone"] * 30,
                         "category": ["billing", "billing", "tech", "tech"] * 30})
    x, factors = design(rows)
    assert x.to_numpy().dtype == float and len(x._mgr.blocks) == 1
    assert [f.name for f in factors] == ["fcr", "wait", "reopened", "escalated", "aht", "ces",
                                         "channel", "category"]
    # FCR's unknown filled with the mean of the known (2/3), as before
    assert x["fcr"].iloc[3] == 2 / 3
    assert list(x.columns[-3:]) == ["channel=chat", "channel=email", "category=tech"]
