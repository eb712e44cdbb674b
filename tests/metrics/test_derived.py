"""Derived columns declared in derived.yaml: the file is checked as a whole, and a declared
column is computed as its kind says (the engine-parity suite and the oracles check the
built-in ones through the metrics that use them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import ibis
import pytest

from cxlens.errors import ConfigError
from cxlens.metrics.catalogue_doc import OWN
from cxlens.metrics.derived import derived, load
from cxlens.metrics.query import query
from cxlens.metrics.relations import columns, derived_columns
from cxlens.store.base import Warehouse


def test_built_in_columns_come_from_the_file() -> None:
    assert derived() == derived_columns()
    assert set(derived_columns()["interactions"]) == {"next_contact_at", "next_same_category_contact_at",
                                            "next_outbound_contact_at"}
    assert "first_order_at" in columns("orders")
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


def test_a_condition_picks_the_rows_that_give_a_value(tmp_path: Path) -> None:
    path = tmp_path / "derived.yaml"
    path.write_text(
        "interactions:\n"
        "  next_out: {kind: next, of: created_at, partition: [customer_id],\n"
        "             order: [created_at, interaction_id], where: \"direction = 'outbound'\"}\n"
        "  prev_out: {kind: previous, of: created_at, partition: [customer_id],\n"
        "             order: [created_at, interaction_id], where: \"direction = 'outbound'\"}\n"
        "  first_out: {kind: min, of: created_at, partition: [customer_id],\n"
        "              where: \"direction = 'outbound'\"}\n")
    cols = load(path)["interactions"]
    con = duckdb.connect(str(tmp_path / "where.duckdb"))
    # c1: in (01), out (02), in (03), in (04), out (05); c2: in (06), no outbound
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES"
                " ('c1', 'i1', 'inbound', TIMESTAMP '2025-01-01'),"
                " ('c1', 'i2', 'outbound', TIMESTAMP '2025-01-02'),"
                " ('c1', 'i3', 'inbound', TIMESTAMP '2025-01-03'),"
                " ('c1', 'i4', 'inbound', TIMESTAMP '2025-01-04'),"
                " ('c1', 'i5', 'outbound', TIMESTAMP '2025-01-05'),"
                " ('c2', 'i6', 'inbound', TIMESTAMP '2025-01-06'))"
                " v(customer_id, interaction_id, direction, created_at)")
    t = ibis.duckdb.from_connection(con).table("t")
    out = t.mutate(**{n: d(t) for n, d in cols.items()}).order_by("interaction_id").to_pandas()
    days = {n: [None if v is None or v != v else f"{v:%m-%d}" for v in out[n]] for n in cols}
    assert days == {"next_out": ["01-02", "01-05", "01-05", "01-05", None, None],
                    "prev_out": [None, None, "01-02", "01-02", "01-02", None],
                    "first_out": ["01-02"] * 5 + [None]}


def test_a_condition_is_checked_with_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "derived.yaml"
    path.write_text(
        "interactions:\n"
        "  a: {kind: lead, of: created_at, partition: [customer_id], order: [created_at],\n"
        "      where: \"direction = 'outbound'\"}\n"
        "  b: {kind: next, of: created_at, partition: [customer_id], order: [interaction_id]}\n"
        "  c: {kind: min, of: created_at, partition: [customer_id], where: \"direction = 1\"}\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    text = str(err.value)
    assert "interactions.a: where applies to kinds min, max, next and previous" in text
    assert "interactions.b: kind next: order by created_at first" in text
    assert "interactions.c: where: 'direction = 1': compares direction (text)" in text


def test_the_documented_callback_rate_runs_as_yaml_alone(wh: Warehouse, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    """The example in docs/metrics.md, as written there, on both engines."""
    example = OWN.split("```yaml\n")[-1].split("```")[0]
    assert "name: callback_rate" in example
    (tmp_path / "mine.yaml").write_text(example)
    monkeypatch.setenv("CXLENS_METRICS", str(tmp_path / "mine.yaml"))
    at = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)

    def h(hours: float) -> dt.datetime:
        return at + dt.timedelta(hours=hours)

    # abandoned inbound calls: a (called back after 3 h), b (after 5 h: too late),
    # c (never), d (the customer called in again: no callback), e (called back after 1 h);
    # f was answered, so it is no abandon: 2 of 5 within 4 h
    rows = [("a", "c1", "inbound", h(0), h(0.01)), ("a-out", "c1", "outbound", h(3), None),
            ("b", "c2", "inbound", h(0), h(0.01)), ("b-out", "c2", "outbound", h(5), None),
            ("c", "c3", "inbound", h(0), h(0.01)),
            ("d", "c4", "inbound", h(0), h(0.01)), ("d-in", "c4", "inbound", h(1), None),
            ("e", "c5", "inbound", h(0), h(0.01)), ("e-out", "c5", "outbound", h(1), None),
            ("f", "c6", "inbound", h(0), None)]
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "direction", "created_at",
                                    "abandoned_at", "channel", "answered_at"],
                   [[i, c, d, t, ab, "phone", None if ab else t] for i, c, d, t, ab in rows])
    got = query("callback_rate", db=wh).iloc[0]
    assert (got["n"], got["value"]) == (5, pytest.approx(100 * 2 / 5))  # a and e of a–e
    wider = query("callback_rate", params={"hours": 6}, db=wh).iloc[0]
    assert wider["value"] == pytest.approx(100 * 3 / 5)  # b too


OWN_DERIVED = """
derived:
  interactions:
    next_email_at:
      doc: the customer's next e-mail
      kind: next
      of: created_at
      partition: [customer_id]
      order: [created_at, interaction_id]
      where: "channel = 'email'"
metrics:
  - name: moved_to_email
    label: Moved to e-mail
    description: Share of chats followed by an e-mail from the same customer.
    source: interactions
    time: created_at
    kind: share
    population: ["channel = 'chat'"]
    condition: "next_email_at IS NOT NULL"
    unit: percent
"""


def test_your_own_derived_column_in_your_metrics_file(wh: Warehouse, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       ) -> None:
    (tmp_path / "mine.yaml").write_text(OWN_DERIVED)
    monkeypatch.setenv("CXLENS_METRICS", str(tmp_path / "mine.yaml"))
    at = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    # chats: k1 (an e-mail follows), k2 (a phone call follows, then nothing), k3 (the e-mail
    # came before it): 1 of 3 chats moved to e-mail
    rows = [("k1", "c1", "chat", 0), ("m1", "c1", "email", 2), ("k2", "c2", "chat", 0),
            ("p2", "c2", "phone", 1), ("m3", "c3", "email", 0), ("k3", "c3", "chat", 1)]
    wh.insert_rows("interactions", ["interaction_id", "customer_id", "channel", "created_at"],
                   [[i, c, ch, at + dt.timedelta(hours=h)] for i, c, ch, h in rows])
    got = query("moved_to_email", db=wh).iloc[0]
    assert (got["n"], got["value"]) == (3, pytest.approx(100 / 3))
    assert "next_email_at" in columns("interactions")


def test_problems_of_your_derived_columns_come_with_the_metrics_problems(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cxlens.metrics.catalogue import catalogue

    # a kind that does not exist and a misspelt column in the metric (mine.yaml); a column
    # named like a built-in one (clash.yaml): one error lists all three
    (tmp_path / "mine.yaml").write_text(OWN_DERIVED.replace("kind: next", "kind: soonest")
                                        .replace("channel = 'chat'", "chanel = 'chat'"))
    (tmp_path / "clash.yaml").write_text(
        "derived:\n  interactions:\n"
        "    next_contact_at: {kind: min, of: created_at, partition: [customer_id]}\n")
    monkeypatch.setenv("CXLENS_METRICS", str(tmp_path))
    with pytest.raises(ConfigError) as err:
        catalogue()
    text = str(err.value)
    assert "interactions.next_email_at: kind: Input should be 'lead'" in text
    assert "interactions.next_contact_at: interactions already has a column " \
        "'next_contact_at'" in text
    assert 'no column "chanel"' in text
