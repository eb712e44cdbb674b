"""Derived columns: bands of a number, timestamps counted back in calendar months."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cxlens.errors import CxlensError
from cxlens.ingest.derive import band_labels
from cxlens.ingest.pipeline import import_files
from cxlens.store.base import Warehouse


def mapping(tmp_path: Path, doc: dict[str, object]) -> Path:
    p = tmp_path / "m.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_band_labels() -> None:
    assert band_labels([18, 25, 35]) == ["under 18", "18-24", "25-34", "35+"]
    assert band_labels([0.5, 1.5]) == ["under 0.5", "0.5 to under 1.5", "1.5+"]


def test_ages_in_bands_and_a_word_where_a_number_should_be(wh: Warehouse,
                                                           tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("id,age\na,17\nb,18\nc,24.9\nd,25\ne,64\nf,65\ng,\nh,old\n")
    m = mapping(tmp_path, {"columns": {"customer_id": "id",
                                       "age_group": {"from": "age", "bins": [18, 25, 65]}}})
    r = import_files(wh, "customers", [f], mapping=m)
    assert dict(wh.query("SELECT customer_id, age_group FROM customers")) == {
        "a": "under 18", "b": "18-24", "c": "18-24", "d": "25-64", "e": "25-64", "f": "65+",
        "g": None}
    assert [(p.row, p.rule, p.value) for p in r.problems] == [(9, "type", "old")]


def test_acquired_at_counted_back_in_months_from_a_column(wh: Warehouse, tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("id,left,tenure\na,2024-03-31,1\nb,2024-03-31,13\nc,2024-05-15,0\n")
    m = mapping(tmp_path, {"columns": {
        "customer_id": "id", "churned_at": "left",
        "acquired_at": {"from": "tenure", "unit": "months", "back_from": "churned_at"}}})
    import_files(wh, "customers", [f], mapping=m)
    got = {c: str(a)[:10] for c, a in wh.query("SELECT customer_id, acquired_at FROM customers")}
    assert got == {"a": "2024-02-29", "b": "2023-02-28", "c": "2024-05-15"}


@pytest.mark.parametrize(("spec", "message"), [
    ({"from": "tenure", "unit": "months"}, "months only work with offset_from or back_from"),
    ({"from": "tenure", "back_from": "someday"}, "is neither a mapped column nor a date"),
    ({"from": "tenure", "back_from": "2024-01-01", "offset_from": "2024-01-01"},
     "not both"),
])
def test_shift_mistakes_are_reported(wh: Warehouse, tmp_path: Path, spec: dict[str, object],
                                     message: str) -> None:
    f = tmp_path / "c.csv"
    f.write_text("id,tenure\na,1\n")
    m = mapping(tmp_path, {"columns": {"customer_id": "id", "acquired_at": spec}})
    with pytest.raises(CxlensError, match=message):
        import_files(wh, "customers", [f], mapping=m)


def test_bins_must_increase_and_make_text(wh: Warehouse, tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("id,age\na,1\n")
    with pytest.raises(CxlensError, match="increasing"):
        import_files(wh, "customers", [f], mapping=mapping(tmp_path, {"columns": {
            "customer_id": "id", "age_group": {"from": "age", "bins": [30, 20]}}}))
    with pytest.raises(CxlensError, match="bands are text"):
        import_files(wh, "customers", [f], mapping=mapping(tmp_path, {"columns": {
            "customer_id": "id", "acquired_at": {"from": "age", "bins": [20, 30]}}}))
