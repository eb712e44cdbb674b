from __future__ import annotations

from pathlib import Path

import pytest

from cxlens import store
from cxlens.errors import ConfigError, SchemaError
from cxlens.schema import SCHEMA_VERSION, TABLES
from cxlens.store.base import Warehouse
from cxlens.store.migrate import migrate, schema_version


def test_every_canonical_table_is_created_with_every_column(wh: Warehouse) -> None:
    for name, table in TABLES.items():
        assert wh.existing_columns(name) == list(table.column_names), name
    assert schema_version(wh) == SCHEMA_VERSION


def test_a_name_with_a_quote_is_a_name_not_sql(wh: Warehouse) -> None:
    # existing_columns inlines the name as a literal (no parameter: see store/base.py)
    assert wh.existing_columns("it's") is None
    assert wh.existing_columns("orders' OR ''='") is None


def test_opening_a_duckdb_warehouse_does_not_import_pandas(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "w.duckdb"
    with store.connect(str(path)):
        pass  # created (and migrated) here; the child only opens it
    code = (f"import sys; from cxlens import store; wh = store.connect({str(path)!r}); "
            "wh.close(); print(sorted(m for m in ('pandas', 'ibis', 'scipy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_migration_adds_missing_columns_and_keeps_data(wh: Warehouse) -> None:
    wh.execute("ALTER TABLE orders DROP COLUMN status")
    wh.execute("INSERT INTO orders (order_id, ordered_at, amount) "
               "VALUES ('o1', TIMESTAMPTZ '2024-01-01 00:00:00+00', 10)")
    wh.execute("UPDATE cxlens_meta SET value = '0' WHERE key = 'schema_version'")
    assert migrate(wh) == 0
    assert "status" in (wh.existing_columns("orders") or [])
    assert wh.query("SELECT order_id, amount FROM orders") == [("o1", 10.0)]
    assert schema_version(wh) == SCHEMA_VERSION


def test_a_version_1_warehouse_gains_the_invitations_table(wh: Warehouse) -> None:
    wh.execute("DROP TABLE survey_invitations")
    wh.execute("DROP TABLE followup_cases")
    wh.execute("ALTER TABLE customers DROP COLUMN email")
    wh.execute("INSERT INTO customers (customer_id) VALUES ('c1')")
    wh.execute("UPDATE cxlens_meta SET value = '1' WHERE key = 'schema_version'")
    assert migrate(wh) == 1
    assert wh.existing_columns("survey_invitations") == \
        list(TABLES["survey_invitations"].column_names)
    assert wh.count("customers") == 1
    assert "email" in (wh.existing_columns("customers") or [])  # schema 3, additive
    assert wh.existing_columns("followup_cases") == list(TABLES["followup_cases"].column_names)
    assert migrate(wh) == SCHEMA_VERSION == 10  # idempotent


def test_a_version_3_warehouse_gains_every_registered_table(wh: Warehouse) -> None:
    """Version 4: migrate creates the operational tables too, not only their first use."""
    wh.execute("DROP TABLE cxlens_coaching")
    wh.execute("DROP TABLE cxlens_audit")
    wh.execute("UPDATE cxlens_meta SET value = '3' WHERE key = 'schema_version'")
    assert migrate(wh) == 3
    assert wh.existing_columns("cxlens_coaching") is not None
    assert wh.existing_columns("cxlens_audit") is not None


def test_newer_schema_is_refused(wh: Warehouse) -> None:
    wh.execute("UPDATE cxlens_meta SET value = ? WHERE key = 'schema_version'",
               [str(SCHEMA_VERSION + 1)])
    with pytest.raises(SchemaError, match="newer than this cxlens"):
        migrate(wh)


def test_transaction_rolls_back_on_error(wh: Warehouse) -> None:
    with pytest.raises(RuntimeError), wh.transaction():
        wh.execute("INSERT INTO customers (customer_id) VALUES ('c1')")
        raise RuntimeError("boom")
    assert wh.count("customers") == 0
    with wh.transaction():
        wh.execute("INSERT INTO customers (customer_id) VALUES ('c2')")
    assert wh.count("customers") == 1


def test_insert_rows_in_chunks_within_the_parameter_limit(
        wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    from cxlens.store import base

    statements: list[int] = []
    real = wh.execute
    monkeypatch.setattr(base, "MAX_PARAMS", 7)  # two rows of 3 columns per statement
    monkeypatch.setattr(wh, "execute", lambda sql, params=(): (
        statements.append(len(params)), real(sql, params)))
    rows = [[f"c{i}", f"seg {i}", None if i % 2 else "FR"] for i in range(5)]
    wh.insert_rows("customers", ["customer_id", "segment", "country"], rows)
    wh.insert_rows("customers", ["customer_id"], [])  # nothing to do, no statement
    assert statements == [6, 6, 3]
    back = wh.query("SELECT customer_id, segment, country FROM customers ORDER BY customer_id")
    assert [list(r) for r in back] == rows


def test_primary_key_is_enforced(wh: Warehouse) -> None:
    wh.execute("INSERT INTO customers (customer_id) VALUES ('c1')")
    with pytest.raises(Exception, match="(?i)duplicate|primary key|unique"):
        wh.execute("INSERT INTO customers (customer_id) VALUES ('c1')")


def test_default_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.delenv("CXLENS_DB", raising=False)
    assert store.default_url() == "./cxlens.duckdb"
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("CXLENS_DB", str(target))
    with store.connect() as w:
        assert w.count("interactions") == 0
    assert target.exists()


def test_duckdb_url_forms(tmp_path: Path) -> None:
    with store.connect(f"duckdb://{tmp_path}/a.duckdb") as w:
        assert w.dialect == "duckdb"
    assert (tmp_path / "a.duckdb").exists()
    with store.connect(":memory:") as w:
        assert w.count("customers") == 0


def test_bad_urls_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match='Did you mean "postgresql"'):
        store.connect("postgresq://x@localhost/db")
    with pytest.raises(ConfigError, match="does not exist"):
        store.connect(str(tmp_path / "missing" / "x.duckdb"))


@pytest.mark.postgres
def test_postgres_unreachable_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="cannot connect to Postgres") as info:
        store.connect("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)


def test_meta_names_are_the_keys_under_a_prefix_exactly(duck: Warehouse) -> None:
    """Sorted, the prefix taken off; ``_`` is a LIKE wildcard, yet ``aXb.two`` is not under
    ``a_b.``."""
    from cxlens.store import meta

    for key in ("schedule.late", "schedule.default", "a_b.one", "aXb.two"):
        meta.put(duck, key, "{}")
    assert meta.names(duck, "schedule.") == ["default", "late"]
    assert meta.names(duck, "a_b.") == ["one"]
    meta.delete(duck, "schedule.late")
    assert meta.names(duck, "schedule.") == ["default"]


def test_a_version_8_warehouse_gains_the_sentiment_models_kind(wh: Warehouse) -> None:
    """Version 9 added a column to a table version 6 created: without the bump a warehouse
    at version 8 kept the old table, and /sentiment failed on it ("column kind not found")."""
    wh.execute("ALTER TABLE sentiment_models DROP COLUMN kind")
    wh.execute("UPDATE cxlens_meta SET value = '8' WHERE key = 'schema_version'")
    assert migrate(wh) == 8
    assert "kind" in (wh.existing_columns("sentiment_models") or [])


#: The registry's tables and columns at each schema version. A change to a table or column
#: without a new SCHEMA_VERSION is invisible to warehouses already at that version (migrate
#: stops there), so the fingerprint is pinned to the version.
FINGERPRINTS = {9: "6636048f0058125e", 10: "aa60d0120e59f54a"}


def _fingerprint() -> str:
    import hashlib

    from cxlens.store import registry

    text = "\n".join(sorted(f"{t.name}: {', '.join(t.column_names)}"
                            for t in registry.tables()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_tables_change_only_with_the_schema_version() -> None:
    assert FINGERPRINTS.get(SCHEMA_VERSION) == _fingerprint(), (
        "a table or column of the registry changed: bump SCHEMA_VERSION in cxlens/schema.py "
        "(warehouses at the old version would not gain it) and pin the new fingerprint here "
        f"({SCHEMA_VERSION + 1}: {_fingerprint()!r})")
