"""Id templates for files without an id column: {_row} and {_file}."""

from __future__ import annotations

import gzip
from pathlib import Path

import yaml

from cxlens.ingest.pipeline import import_files
from cxlens.ingest.transform import file_token
from cxlens.store.base import Warehouse


def test_file_token_drops_every_extension() -> None:
    assert file_token("/x/calls.csv.gz") == "calls"
    assert file_token("reviews 2024.xlsx") == "reviews 2024"


def test_row_ids_for_a_wide_survey_without_ids_are_stable(wh: Warehouse, tmp_path: Path) -> None:
    f = tmp_path / "wave1.csv.gz"
    f.write_bytes(gzip.compress(b"Submitted,Q1,Q2\n2024-03-01,4,9\n2024-03-02,,7\n"))
    m = tmp_path / "m.yaml"
    m.write_text(yaml.safe_dump({
        "table": "survey_responses", "columns": {"responded_at": "Submitted"},
        "unpivot": {"response_id": "{_file}-{_row}-{survey}", "questions": [
            {"from": "Q1", "survey": "csat"}, {"from": "Q2", "survey": "nps"}]}}))
    import_files(wh, None, [f], mapping=m)
    again = import_files(wh, None, [f], mapping=m)
    assert (again.inserted, again.updated) == (0, 3)
    assert sorted(wh.query("SELECT response_id, score FROM survey_responses")) == [
        ("wave1-2-csat", 4), ("wave1-2-nps", 9), ("wave1-3-nps", 7)]
