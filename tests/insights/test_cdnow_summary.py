"""The CDNOW summary built from the raw transactions (CDNOW_master.txt) matches the published
2,357-customer summary.

The shared data holds the master file (all 23,570 customers) and the summaries, but not the
sample's master ids (Hardie's CDNOW_sample.txt has them). So each published row is matched to
the master customers with the same first purchase day, x, t_x and mean repeat spend: every one
of the 946 repeat buyers has such a master customer (944 exactly one), their master ids rise
with the sample's ids within each first-purchase day, and each day has enough one-time buyers
for the sample's zero rows (whose summary is (0, 0, T) whoever they are).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlens.insights.clv import bgnbd, summary
from tests.insights.datasets import CDNOW_END, cdnow_master, cdnow_summary, cdnow_with_spend


@pytest.fixture(scope="module")
def built() -> pd.DataFrame:
    return summary.from_transactions(cdnow_master(), CDNOW_END, "weeks")


def test_master_cohort(built: pd.DataFrame) -> None:
    master = cdnow_master()
    assert len(master) == 69_659 and master["customer_id"].nunique() == 23_570
    assert len(built) == 23_570  # everyone's first purchase is in Q1 1997
    assert str(built["first"].max()) == "1997-03-25"
    # T runs from the first purchase to 30 September 1997 (39 weeks after 1 January)
    assert built["T"].max() == pytest.approx(272 / 7) and built["T"].min() == pytest.approx(27)
    # one purchase occasion per day: master customer 2 bought twice on 12 January 1997
    assert built.loc[2, ["frequency", "orders"]].tolist() == [0, 2]


def test_matches_the_published_summary(built: pd.DataFrame) -> None:
    pub = cdnow_with_spend()
    assert (pub[["frequency", "recency", "T"]].to_numpy()
            == cdnow_summary()[["frequency", "recency", "T"]].to_numpy()).all()
    ours = built.assign(id=built.index).sort_values(["first", "id"])
    ours["Tr"] = ours["T"].round(2)
    matched, unique = [], 0
    for day_T, rows in pub.groupby("T", sort=False):
        cohort = ours[ours["Tr"] == day_T]
        assert len(cohort) >= len(rows)
        zero = cohort[cohort["frequency"] == 0]
        assert (rows["frequency"] == 0).sum() <= len(zero)
        last = -1
        for sample_id, r in rows[rows["frequency"] > 0].sort_index().iterrows():
            hit = cohort[(cohort["frequency"] == r["frequency"])
                         & ((cohort["recency"] - r["recency"]).abs() < 0.006)
                         & ((cohort["monetary"] - r["monetary"]).abs() < 0.0051)]
            assert len(hit) >= 1, f"sample customer {sample_id} has no master customer"
            unique += len(hit) == 1
            assert hit["id"].max() > last  # order-preserving: master ids rise
            last = int(hit["id"][hit["id"] > last].min())
            matched.append(last)
    assert len(matched) == 946 and unique == 944 and len(set(matched)) == 946
    # the sample's first repeat buyers are master customers 4, 21, 111, 112, 114
    assert matched[:3] == [4, 21, 111]


def test_summary_of_the_sample_gives_the_published_fit(built: pd.DataFrame) -> None:
    """The zero rows are identical whoever they are; so the published rows, rebuilt from our
    own summary, must fit to the published parameters."""
    pub = cdnow_summary()
    ours = built[["frequency", "recency", "T"]].round(2)
    assert set(map(tuple, pub.to_numpy())) <= set(map(tuple, ours.to_numpy()))
    m = bgnbd.fit(pub["frequency"], pub["recency"], pub["T"])
    assert np.round(m.params, 2).tolist() == [0.24, 4.41, 0.79, 2.43]
