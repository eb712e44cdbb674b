"""Derived columns declared in derived.yaml: the file is checked as a whole, and a declared
column is computed as its kind says (the engine-parity suite and the oracles check the
built-in ones through the metrics that use them)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import pytest

from cxlens.errors import ConfigError
from cxlens.metrics.derived import derived, load
from cxlens.metrics.relations import DERIVED, columns


def test_built_in_columns_come_from_the_file() -> None:
    assert derived() == DERIVED
    assert set(DERIVED["interactions"]) == {"next_contact_at", "next_same_category_contact_at"}
    assert "first_session_at" in columns("web_sessions")


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "derived.yaml"
    path.write_text("interactions:\n"
                    "  a: {kind: lead, of: created_at, partition: [customer_id]}\n"
                    "  b: {kind: median, of: created_at, partition: [customer_id]}\n"
                    "  c: {kind: min, of: created, partition: [customer_id]}\n"
                    "nowhere:\n"
                    "  d: {kind: min, of: x, partition: [y]}\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    text = str(err.value)
    assert "interactions.a: kind lead needs an order" in text
    assert "interactions.b: kind: Input should be 'lead'" in text
    assert "no column 'created'" in text and "created_at" in text
    assert "no table 'nowhere'" in text


def test_kinds_compute_over_their_window(tmp_path: Path) -> None:
    path = tmp_path / "derived.yaml"
    path.write_text("".join(
        f"  {kind}_at: {{kind: {kind}, of: created_at, partition: [customer_id], "
        "order: [created_at, interaction_id]}\n" for kind in ("lead", "lag", "first", "max")))
    path.write_text("interactions:\n" + path.read_text())
    cols = load(path)["interactions"]
    con = duckdb.connect(str(tmp_path / "derived.duckdb"))
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('c1', 'i1', TIMESTAMP '2025-01-01'),"
                " ('c1', 'i2', TIMESTAMP '2025-01-03'), ('c1', 'i3', TIMESTAMP '2025-01-02'),"
                " ('c2', 'i4', TIMESTAMP '2025-01-05')) v(customer_id, interaction_id,"
                " created_at)")
    t = ibis.duckdb.from_connection(con).table("t")
    out = t.mutate(**{n: d(t) for n, d in cols.items()}).order_by("interaction_id").to_pandas()
    days = {n: [None if v is None or v != v else f"{v:%m-%d}" for v in out[n]] for n in cols}
    assert days == {"lead_at": ["01-02", None, "01-03", None],
                    "lag_at": [None, "01-02", "01-01", None],
                    "first_at": ["01-01", "01-01", "01-01", "01-05"],
                    "max_at": ["01-03", "01-03", "01-03", "01-05"]}
