"""Imports of files that arrive as bytes (cxlens.ingest.upload) and their results as JSON
(cxlens.ingest.wire): the temporary copy is never what the import reports, and it is gone
afterwards; a result sent as JSON comes back whole."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from cxlens.errors import ImportRefused, NotFound
from cxlens.ingest.pipeline import validate_files
from cxlens.ingest.upload import Upload, base_name, run_import, uploaded_source
from cxlens.ingest.wire import result_from_json, result_json
from cxlens.store.base import Warehouse

CSV = b"""interaction_id,channel,created_at,extra
u-1,email,2026-03-02 09:00:00,x
u-2,pigeon,2026-03-02 10:00:00,y
u-3,chat,2026-03-02 11:00:00,z
"""


@pytest.mark.parametrize(("name", "base"), [
    ("calls.csv", "calls.csv"), ("x/../../etc/passwd", "passwd"),
    ("..\\..\\win\\calls.csv", "calls.csv"), ("a b;$(rm).csv", "a b___rm_.csv"),
    ("..", "upload"), ("", "upload"), ("/", "upload")])
def test_only_a_safe_base_name_is_kept(name: str, base: str) -> None:
    assert base_name(name) == base
    assert uploaded_source(name) == "upload/" + base


def test_an_upload_is_reported_by_its_source_and_leaves_nothing(
        duck: Warehouse, tmp_path: Path) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(spool)
    try:
        result = run_import(duck, "interactions",
                            [Upload("calls.csv", "upload/calls.csv", io.BytesIO(CSV))])
        assert list(spool.iterdir()) == []
    finally:
        tempfile.tempdir = saved
    assert (result.inserted, result.rejected) == (2, 1)
    assert [(p.file, p.row, p.column) for p in result.problems] == [
        ("upload/calls.csv", 3, "channel")]
    assert result.notes == ["calls.csv: columns not imported (not in interactions; map them "
                            "to use them): extra"]
    assert duck.query("SELECT source_file, source_row FROM quarantine") == [
        ("upload/calls.csv", 3)]
    assert duck.query("SELECT source_file, rows_read FROM import_log") == [
        ("upload/calls.csv", 3)]


def test_a_check_writes_nothing(duck: Warehouse) -> None:
    result = run_import(duck, "interactions",
                        [Upload("calls.csv", "upload/calls.csv", io.BytesIO(CSV))],
                        dry_run=True)
    assert (result.dry_run, result.inserted, result.rejected) == (True, 2, 1)
    assert duck.query("SELECT count(*) FROM interactions") == [(0,)]
    assert duck.query("SELECT count(*) FROM quarantine") == [(0,)]


def test_a_refusal_names_the_source_not_the_temporary_copy(duck: Warehouse) -> None:
    uploads = [Upload("calls.csv", "/home/ann/calls.csv", io.BytesIO(b"ticket\n1\n")),
               Upload("gone.csv", "/home/ann/gone.csv", io.BytesIO(b""))]
    with pytest.raises(ImportRefused) as refused:
        run_import(duck, "interactions", uploads, absent={"/home/ann/gone.csv"})
    text = str(refused.value)
    assert "/home/ann/calls.csv: required column(s) interaction_id, channel, created_at" in text
    assert "/home/ann/gone.csv: no such file" in text
    assert "cxlens-upload-" not in text


def test_the_same_file_by_path_reads_the_same(duck: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(CSV)
    local = validate_files(duck, "interactions", [path])
    sent = run_import(duck, "interactions", [Upload("calls.csv", str(path.resolve()),
                                                    io.BytesIO(CSV))], dry_run=True)
    assert (sent.problems, sent.notes, sent.summary()) == \
        (local.problems, local.notes, local.summary())


def test_a_result_comes_back_whole_from_json(duck: Warehouse) -> None:
    result = run_import(duck, "interactions",
                        [Upload("calls.csv", "upload/calls.csv", io.BytesIO(CSV))])
    result.files[0].mapped_to_missing.update({("channel", "n/a"): 2})
    back = result_from_json(result_json(result))
    assert back == result
    assert result_json(result)["rejected"] == 1


def test_an_unknown_saved_mapping_says_which_exist(duck: Warehouse) -> None:
    from cxlens.ingest import saved

    with duck.transaction():
        saved.save(duck, "acme-tickets", "table: interactions\n")
    assert saved.names(duck) == ["acme-tickets"]
    with pytest.raises(NotFound, match='Did you mean "acme-tickets"'):
        saved.load(duck, "acme-ticket")


def test_the_upload_pages_queries_read_an_import_on_either_engine(wh: Warehouse) -> None:
    from cxlens.ingest.quarantine import import_log_of, quarantine_of, recent_imports

    result = run_import(wh, "interactions",
                        [Upload("calls.csv", "upload/calls.csv", io.BytesIO(CSV))])
    recent = recent_imports(wh).to_dict("records")
    assert [(r["import_id"], r["table_name"], r["files"], r["rows_read"], r["rows_loaded"],
             r["rows_rejected"]) for r in recent] == [
        (result.import_id, "interactions", "upload/calls.csv", 3, 2, 1)]
    assert import_log_of(wh, result.import_id)["source_file"].tolist() == ["upload/calls.csv"]
    assert import_log_of(wh, "nope").empty
    quarantined = quarantine_of(wh, result.import_id)
    assert quarantined[["source_row", "status", "rules"]].values.tolist() == [
        [3, "rejected", "enum"]]
