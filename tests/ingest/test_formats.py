"""The same records in every supported format load to the same rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cxlens import store
from cxlens.ingest.pipeline import import_files

RECORDS = [
    {"interaction_id": "a1", "channel": "Phone", "created_at": "2024-03-28 16:00:00",
     "talk_seconds": "3:45", "escalated": "yes", "reopen_count": "0"},
    {"interaction_id": "a2", "channel": "email", "created_at": "2024-04-02 09:00:00",
     "talk_seconds": "", "escalated": "no", "reopen_count": "2"},
]
EXPECTED = [
    ("a1", "phone", pd.Timestamp("2024-03-28 16:00", tz="UTC"), 225.0, True, 0),
    ("a2", "email", pd.Timestamp("2024-04-02 08:00", tz="UTC"), None, False, 2),
]


def write(fmt: str, folder: Path) -> Path:
    frame = pd.DataFrame(RECORDS)
    path = folder / f"data.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif fmt == "parquet":
        typed = frame.assign(created_at=pd.to_datetime(frame["created_at"]),
                             reopen_count=frame["reopen_count"].astype(int))
        typed.to_parquet(path)
    elif fmt == "json":
        path.write_text(json.dumps({"calls": RECORDS, "next_page": None}))
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in RECORDS))
    else:  # xlsx, with the types Excel itself would store
        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        ws.append(list(RECORDS[0]))
        ws.append(["a1", "Phone", dt.datetime(2024, 3, 28, 16), dt.time(0, 3, 45), "yes", 0])
        ws.append(["a2", "email", dt.datetime(2024, 4, 2, 9), None, "no", 2])
        book.save(path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet", "json", "jsonl", "xlsx"])
def test_every_format_loads_the_same_rows(fmt: str, tmp_path: Path) -> None:
    with store.connect(str(tmp_path / "w.duckdb")) as wh:
        r = import_files(wh, "interactions", [write(fmt, tmp_path)], timezone="Europe/London")
        assert (r.loaded, r.rejected) == (2, 0), r.summary()
        rows = wh.query("SELECT interaction_id, channel, created_at, talk_seconds, escalated, "
                        "reopen_count FROM interactions ORDER BY 1")
    assert [(a, b, pd.Timestamp(c), d, e, f) for a, b, c, d, e, f in rows] == EXPECTED
