"""cxlens backup / restore: every table of a demo warehouse survives a round trip, on each
engine and across them, compared row by row; damaged backups and occupied targets are refused
with nothing changed; a restore that fails half-way leaves nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxlens import accounts, store
from cxlens.errors import ConfigError, SchemaError
from cxlens.store.backup import backup, restore
from cxlens.store.base import Warehouse
from cxlens.store.registry import tables

#: Strings a CSV or a careless copy loses: an empty string is not NULL, quotes, commas, a
#: line break and letters beyond ASCII stay as they are.
TRICKY = {"test.empty": "", "test.null": None, "test.csv": 'a,"b"\nc\\N é 😀'}


def _norm(value: Any) -> Any:
    """One spelling per value across engines (both return aware datetimes; compare in UTC)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def _snapshot(wh: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    """Every registered table's rows, each sorted (hand-written SQL, not the backup's)."""
    out = {}
    for table in tables():
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        rows = [tuple(_norm(v) for v in r) for r in wh.query(f'SELECT {cols} FROM "{table.name}"')]
        out[table.name] = sorted(rows, key=repr)
    return out


def _counts(wh: Warehouse) -> dict[str, int]:
    return {t.name: int(wh.scalar(f'SELECT count(*) FROM "{t.name}"')) for t in tables()}


@pytest.fixture
def source(demo_db: str, tmp_path: Path) -> str:
    """A copy of the demo warehouse with a dashboard admin, an audit entry and tricky strings
    (so operational tables are not empty)."""
    path = tmp_path / "source.duckdb"
    shutil.copy(demo_db, path)
    with store.connect(str(path)) as wh:
        accounts.ensure(wh)
        accounts.users.first_admin(wh)
        accounts.audit.record(wh, "admin", "login", "from the backup test")
        for key, value in TRICKY.items():
            wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [key, value])
    return str(path)


def _assert_same(a: Warehouse, b: Warehouse) -> None:
    expected, got = _snapshot(a), _snapshot(b)
    assert list(got) == list(expected)
    for name in expected:
        assert got[name] == expected[name], name
    assert _counts(b) == _counts(a)


def test_duckdb_backup_restores_every_row_into_a_fresh_duckdb(source: str, tmp_path: Path) -> None:
    with store.connect(source) as wh:
        copies = backup(wh, tmp_path / "bk")
    target = str(tmp_path / "restored.duckdb")
    with store.connect(source) as a, store.connect(target) as b:
        restore(b, tmp_path / "bk")
        _assert_same(a, b)
        counts = _counts(a)
        # the demo is not empty where it matters, so equality above means something
        assert counts["interactions"] > 1000 and counts["survey_responses"] > 100
        assert counts["cxlens_users"] == 1 and counts["cxlens_audit"] >= 1
        assert b.query("SELECT key, value FROM cxlens_meta WHERE key LIKE 'test.%' "
                       "ORDER BY key") == [("test.csv", TRICKY["test.csv"]),
                                           ("test.empty", ""), ("test.null", None)]
    assert {c.name: c.rows for c in copies} == counts


@pytest.mark.postgres
def test_duckdb_backup_restores_into_postgres_and_back(source: str, tmp_path: Path,
                                                       pg_db: str) -> None:
    with store.connect(source) as wh:
        backup(wh, tmp_path / "from-duck")
    with store.connect(pg_db) as pg, store.connect(source) as duck:
        restore(pg, tmp_path / "from-duck")
        _assert_same(duck, pg)
        backup(pg, tmp_path / "from-pg")
    manifest = json.loads((tmp_path / "from-pg" / "manifest.json").read_text())
    assert manifest["source"] == "postgres"
    with store.connect(str(tmp_path / "again.duckdb")) as again, \
            store.connect(source) as duck:
        restore(again, tmp_path / "from-pg")
        _assert_same(duck, again)


def test_a_warehouse_holding_data_is_refused_unless_replace(source: str, tmp_path: Path,
                                                            demo_db: str) -> None:
    with store.connect(source) as wh:
        backup(wh, tmp_path / "bk")
    target = tmp_path / "target.duckdb"
    shutil.copy(demo_db, target)
    with store.connect(str(target)) as wh:
        wh.execute("INSERT INTO cxlens_meta VALUES ('only.here', 'x')")
        before = _snapshot(wh)
        with pytest.raises(ConfigError, match="already holds data") as err:
            restore(wh, tmp_path / "bk")
        assert "--replace" in err.value.hint
        assert _snapshot(wh) == before
        restore(wh, tmp_path / "bk", replace=True)
        assert wh.scalar("SELECT count(*) FROM cxlens_meta WHERE key = 'only.here'") == 0
        with store.connect(source) as a:
            _assert_same(a, wh)


def test_a_damaged_backup_is_refused_before_anything_changes(source: str,
                                                             tmp_path: Path) -> None:
    with store.connect(source) as wh:
        backup(wh, tmp_path / "bk")
    file = tmp_path / "bk" / "tables" / "interactions.parquet"
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    file.write_bytes(bytes(data))
    with store.connect(str(tmp_path / "t.duckdb")) as wh:
        with pytest.raises(SchemaError, match="damaged: tables/interactions.parquet"):
            restore(wh, tmp_path / "bk")
        assert sum(_counts(wh).values()) == 1  # the schema version of a fresh warehouse


def test_a_restore_failing_half_way_leaves_nothing(wh: Warehouse, source: str,
                                                   tmp_path: Path) -> None:
    """The last keyed table of the backup that holds rows repeats its keys (its checksum made
    to match): the insert fails after every earlier table went in, and all of them roll
    back."""
    with store.connect(source) as src:
        backup(src, tmp_path / "bk")
        last = next(t.name for t in reversed(tables()) if t.key and src.count(t.name))
    assert last != "interactions"
    folder = tmp_path / "bk"
    file = folder / "tables" / f"{last}.parquet"
    rows = pq.read_table(file)
    pq.write_table(pa.concat_tables([rows, rows]), file)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"][last]["sha256"] = hashlib.sha256(file.read_bytes()).hexdigest()
    manifest["tables"][last]["rows"] = 2 * rows.num_rows
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(Exception, match="(?i)duplicate|constraint"):  # the engine's own
        restore(wh, folder)
    assert wh.count("interactions") == 0 and wh.count("customers") == 0
    assert wh.count(last) == 0


def test_a_backup_never_overwrites_and_leaves_no_partial_folder(source: str,
                                                                tmp_path: Path) -> None:
    (tmp_path / "bk").mkdir()
    with store.connect(source) as wh, pytest.raises(ConfigError, match="already exists"):
        backup(wh, tmp_path / "bk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bk", "source.duckdb"]


def test_a_backup_from_a_newer_cxlens_is_refused(source: str, tmp_path: Path) -> None:
    with store.connect(source) as wh:
        backup(wh, tmp_path / "bk")
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    manifest["schema_version"] = 99
    (tmp_path / "bk" / "manifest.json").write_text(json.dumps(manifest))
    with store.connect(str(tmp_path / "t.duckdb")) as wh, \
            pytest.raises(SchemaError, match="schema version 99, newer"):
        restore(wh, tmp_path / "bk")


@pytest.mark.postgres
def test_a_postgres_backup_taken_during_writes_is_one_moment(source: str, tmp_path: Path,
                                                            pg_db: str) -> None:
    """A writer commits pairs — a cxlens_meta row (early in the registry) and an audit row
    (late) in one transaction — while the backup runs: every pair is in the backup whole or
    not at all (read table by table without one snapshot, the later table holds more)."""
    import threading

    with store.connect(source) as wh:
        backup(wh, tmp_path / "demo")
    with store.connect(pg_db) as pg:
        restore(pg, tmp_path / "demo")
    stop, written = threading.Event(), [0]

    def write_pairs() -> None:
        with store.connect(pg_db) as w:
            while not stop.is_set():
                with w.transaction():
                    w.execute("INSERT INTO cxlens_meta VALUES (?, 'x')", [f"pair.{written[0]}"])
                    accounts.audit.record(w, None, "pair", f"pair.{written[0]}")
                written[0] += 1

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        while written[0] < 20:
            time.sleep(0.01)
        with store.connect(pg_db) as pg:
            backup(pg, tmp_path / "during")
        during = written[0]
    finally:
        stop.set()
        writer.join(30)
    meta = pq.read_table(tmp_path / "during" / "tables" / "cxlens_meta.parquet").to_pylist()
    audit = pq.read_table(tmp_path / "during" / "tables" / "cxlens_audit.parquet").to_pylist()
    pairs = sum(str(r["key"]).startswith("pair.") for r in meta)
    assert pairs == sum(r["action"] == "pair" for r in audit)
    assert 20 <= pairs < during  # the writer went on while the backup read
