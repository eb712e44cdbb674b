"""Resolution rate and top-box CSAT, checked against hand-worked cases and hand-written SQL on
the demo warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens import store
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.catalogue import catalogue, resolve
from cxlens.metrics.query import query
from cxlens.store.base import Warehouse


def _load(tmp_path: Path, table: str, text: str) -> str:
    path = tmp_path / f"{table}.csv"
    path.write_text(text)
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        import_files(wh, table, [path])
    return db


def test_resolution_rate_hand_worked(tmp_path: Path) -> None:
    db = _load(tmp_path, "interactions",
               "interaction_id,channel,direction,created_at,answered_at,abandoned_at,resolved\n"
               "a,email,inbound,2024-05-01 10:00,,,true\n"
               "b,email,inbound,2024-05-01 11:00,,,false\n"
               "c,phone,inbound,2024-05-01 12:00,2024-05-01 12:01,,true\n"
               "d,phone,inbound,2024-05-01 13:00,,2024-05-01 13:02,false\n"  # abandoned: out
               "e,chat,inbound,2024-05-01 14:00,2024-05-01 14:00:30,,\n")  # no flag: out
    frame = query("resolution_rate", db=db)
    # a, b, c answered with a resolved flag; a and c resolved: 2 of 3
    assert frame["n"][0] == 3
    assert frame["value"][0] == pytest.approx(200 / 3)


def test_csat_top_box_hand_worked(tmp_path: Path) -> None:
    db = _load(tmp_path, "survey_responses",
               "response_id,survey,score,responded_at,scale_min,scale_max\n"
               "a,csat,5,2024-05-01,1,5\nb,csat,4,2024-05-01,1,5\nc,csat,5,2024-05-02,1,5\n"
               "d,csat,1,2024-05-02,1,5\ne,nps,10,2024-05-02,0,10\n")
    frame = query("csat:top_box,csat", db=db)
    # two 5s of four CSAT answers; top-two-box counts the 4 as well
    assert frame["value"].tolist() == [50.0, 75.0]
    assert frame["n"].tolist() == [4, 4]


def test_new_entries_document_themselves() -> None:
    for name in ("resolution_rate", "csat:top_box"):
        metric = resolve(name, catalogue())
        assert metric.definition and metric.references, name
    assert "top box" in resolve("csat:top_box").definition
    assert resolve("csat:top_box").definition != catalogue()["csat"].definition


def test_against_hand_sql_on_the_demo(demo_duck: Warehouse) -> None:
    got = query("resolution_rate,csat:top_box", by=["vendor"], db=demo_duck)
    resolution = dict(demo_duck.query(
        "SELECT vendor, 100.0 * count(*) FILTER (WHERE resolved) / count(*) FROM interactions "
        "WHERE abandoned_at IS NULL AND resolved IS NOT NULL GROUP BY vendor"))
    top_box = dict(demo_duck.query(
        "SELECT i.vendor, 100.0 * count(*) FILTER (WHERE r.score = r.scale_max) / count(*) "
        "FROM survey_responses r LEFT JOIN interactions i USING (interaction_id) "
        "WHERE r.survey = 'csat' GROUP BY i.vendor"))
    assert len(resolution) >= 2 and len(top_box) >= 2
    for metric, expected in (("resolution_rate", resolution), ("csat:top_box", top_box)):
        part = got[got["metric"] == metric]
        assert dict(zip(part["vendor"], part["value"], strict=True)) == pytest.approx(expected)
