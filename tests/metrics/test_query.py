"""The Python API's arguments: ``by`` takes one dimension as a string, like a list of one."""

from __future__ import annotations

from pathlib import Path

import pytest

import cxlens
from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse


@pytest.fixture
def two_vendors(tmp_path: Path) -> Warehouse:
    tickets = tmp_path / "t.csv"
    tickets.write_text("interaction_id,channel,created_at,vendor\n"
                       "i1,email,2024-05-01,Acme\ni2,email,2024-05-02,Acme\n"
                       "i3,email,2024-05-03,Acme\ni4,chat,2024-05-04,Northwind\n")
    answers = tmp_path / "r.csv"
    answers.write_text("response_id,survey,score,responded_at,interaction_id\n"
                       "a,csat,5,2024-05-01,i1\nb,csat,4,2024-05-02,i2\n"
                       "c,csat,2,2024-05-03,i3\nd,csat,5,2024-05-04,i4\n")
    wh = store.connect(str(tmp_path / "w.duckdb"))
    import_files(wh, "interactions", [tickets])
    import_files(wh, "survey_responses", [answers])
    return wh


def test_by_as_a_string_is_one_dimension(two_vendors: Warehouse) -> None:
    frame = cxlens.query("csat", by="vendor", db=two_vendors)
    assert list(frame.columns[:2]) == ["vendor", "period"]
    got = {r.vendor: (round(r.value, 2), r.n) for r in frame.itertuples()}
    assert got == {"Acme": (66.67, 3), "Northwind": (100.0, 1)}  # top-two-box: 2 of 3, 1 of 1
    assert frame.equals(cxlens.query("csat", by=["vendor"], db=two_vendors))
