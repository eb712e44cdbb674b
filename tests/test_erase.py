"""Erasure that leaves nothing (issue 16): every table is in the registry with a policy; after
``erase`` no column of any table holds the customer's e-mail, name or a marker planted in
every free-text column that can hold them; and the bytes are gone from the database files
(DuckDB: the file and its .wal; Postgres: the relation files of the tables touched)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cxlens import store
from cxlens.accounts import audit
from cxlens.erase import erase
from cxlens.schema import Table
from cxlens.store.base import Warehouse

SRC = Path(__file__).resolve().parents[1] / "src" / "cxlens"
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
EMAIL, NAME, MARKER = "jane.doe@example.com", "Jane Doe", "ZQX-7731-erase-me"
OTHER = "Joe Bloggs KEEP-4410"  # another customer's text: must survive
TRACES = (EMAIL, NAME, MARKER)
TEXT = f"{NAME} <{EMAIL}> {MARKER}"


def _modules(pattern: str) -> list[Any]:
    """Every module of src/cxlens whose source matches ``pattern`` (imported)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if re.search(pattern, path.read_text(encoding="utf-8"), re.M):
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            found.append(importlib.import_module(".".join(parts)))
    return found


def declared_tables() -> dict[str, Table]:
    """Every Table declared at module level anywhere in the source (a future one too)."""
    return {t.name: t for m in _modules(r"^\w+ = Table\(") for t in vars(m).values()
            if isinstance(t, Table)}


def _ensure_everything(wh: Warehouse) -> None:
    """Every module's ``ensure(wh)``, and every declared table, as first use would."""
    for module in _modules(r"^def ensure\(wh: Warehouse\) -> None:"):
        module.ensure(wh)
    wh.ensure(*declared_tables().values())


def _tables(wh: Warehouse) -> list[str]:
    db = "current_database()" if wh.dialect == "duckdb" else "current_catalog"
    return [r[0] for r in wh.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        f"current_schema() AND table_catalog = {db} ORDER BY 1")]


def test_every_table_of_a_warehouse_is_registered_with_a_policy(
        demo_db: str, tmp_path: Path) -> None:
    from cxlens.store import registry

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    with store.connect(str(path)) as wh:
        _ensure_everything(wh)
        found = set(_tables(wh)) | set(declared_tables())
    registered = {e.table.name: e for e in registry.entries()}
    assert found - set(registered) == set(), "tables without an owner and a policy"
    assert set(registered) == found
    assert {"cxlens_audit", "cxlens_coaching", "quarantine", "customers"} <= found
    for entry in registered.values():
        assert entry.table.personal is not None, entry.table.name
    assert registered["cxlens_audit"].owner == "cxlens.accounts.audit"


def test_migrate_creates_every_registered_table(tmp_path: Path) -> None:
    from cxlens.store import registry

    with store.connect(str(tmp_path / "new.duckdb")) as wh:
        assert set(_tables(wh)) == {t.name for t in registry.tables()}


def plant(wh: Warehouse) -> None:
    """Customer C1 (Jane) in every table that can hold her, with TEXT in every free-text
    column; customer C2 (Joe) alongside, with OTHER."""
    from cxlens.loop import cases

    _ensure_everything(wh)
    h = dt.timedelta(hours=1)
    wh.insert_rows("customers", ("customer_id", "email", "phone", "age_group", "gender"),
                   [("C1", EMAIL, "+44 7700 900123", "25-34", "female"),
                    ("C2", "joe@example.org", "+44 7700 900999", "35-44", "male")])
    wh.insert_rows("interactions", ("interaction_id", "customer_id", "channel", "agent_id",
                                    "created_at", "escalated", "escalation_summary"),
                   [("I1", "C1", "email", "a1", T0, True, TEXT),
                    ("I2", "C2", "email", "a1", T0, True, OTHER)])
    wh.insert_rows("survey_responses", ("response_id", "survey", "score", "responded_at",
                                        "customer_id", "interaction_id", "comment"),
                   [("R1", "csat", 1, T0 + h, "C1", "I1", TEXT),
                    ("R2", "csat", 2, T0 + h, "C2", "I2", OTHER)])
    wh.insert_rows("survey_invitations", ("invitation_id", "survey", "sent_at", "customer_id",
                                          "reason"),
                   [("V1", "csat", T0, "C1", TEXT), ("V2", "csat", T0, "C2", OTHER)])
    wh.insert_rows("followup_cases", ("case_id", "response_id", "customer_id", "opened_at",
                                      "outcome"),
                   [("K1", "R1", "C1", T0 + h, TEXT), ("K2", "R2", "C2", T0 + h, OTHER)])
    wh.insert_rows(cases.EVENTS.name, ("case_id", "occurred_at", "action", "detail"),
                   [("K1", T0 + 2 * h, "note", TEXT), ("K2", T0 + 2 * h, "note", OTHER)])
    wh.insert_rows("mentions", ("mention_id", "brand", "posted_at", "text", "author"),
                   [("M1", "us", T0, f"{TEXT} was ignored", EMAIL),
                    ("M2", "us", T0, OTHER, "@joe")])
    wh.insert_rows("qa_reviews", ("review_id", "interaction_id", "scorecard", "criterion",
                                  "score", "max_score", "reviewer", "reviewed_at"),
                   [("QA1", "I1", "sop", "tone", 1.0, 1.0, "qa.mei", T0 + h),
                    ("QA2", "I2", "sop", "tone", 1.0, 1.0, "qa.mei", T0 + h)])
    wh.insert_rows("cxlens_qa_review_comments", ("review_id", "interaction_id", "comment",
                                                 "written_at"),
                   [("QA1", "I1", TEXT, T0 + h), ("QA2", "I2", OTHER, T0 + h)])
    wh.insert_rows("transcript_turns", ("interaction_id", "turn", "speaker", "text"),
                   [("I1", 0, "customer", TEXT), ("I2", 0, "customer", OTHER)])
    wh.insert_rows("cxlens_autoqa_results", ("interaction_id", "check_id", "result",
                                             "evidence", "checked_at"),
                   [("I1", "apology_when_due", "fail", f'due (turn 0: "{TEXT}")', T0 + h),
                    ("I2", "apology_when_due", "fail", f'due (turn 0: "{OTHER}")', T0 + h)])
    wh.insert_rows("cxlens_qa_dispute_events", ("dispute_id", "review_id", "occurred_at",
                                                "actor", "action", "detail"),
                   [("D1", "QA1", T0 + 2 * h, "a1", "opened", TEXT),
                    ("D2", "QA2", T0 + 2 * h, "a1", "opened", OTHER)])
    wh.insert_rows("cxlens_coaching", ("session_id", "agent_id", "coach", "note",
                                       "review_ids", "created_at"),
                   [("S1", "a1", "lead", TEXT, "QA2,QA1", T0 + 3 * h),
                    ("S2", "a1", "lead", OTHER, "QA2", T0 + 3 * h)])
    wh.insert_rows("cxlens_qa_assignments", ("sample_id", "interaction_id", "reviewer",
                                             "reason", "assigned_at"),
                   [("P1", "I1", "qa.mei", "escalation+detractor", T0 + h),
                    ("P1", "I2", "qa.mei", "escalation+detractor", T0 + h)])
    rejected = [json.dumps({"customer_id": c, "comment": text, "score": "11"})
                for c, text in (("C1", TEXT), ("C2", OTHER))]
    wh.insert_rows("quarantine", ("import_id", "table_name", "source_file", "status",
                                  "reason", "record"),
                   [("imp1", "survey_responses", "/in/a.csv", "rejected",
                     f"score: 11 is out of scale (comment {TEXT})", rejected[0]),
                    ("imp1", "survey_responses", "/in/a.csv", "rejected",
                     f"score: 11 is out of scale (comment {OTHER})", rejected[1])])
    wh.insert_rows("cxlens_outbox", ("event_id", "event", "url", "payload", "customer_id",
                                     "created_at"),
                   [("E1", "response.created", "http://x", json.dumps({"comment": TEXT}),
                     "C1", T0 + h),
                    ("E2", "response.created", "http://x", json.dumps({"comment": OTHER}),
                     "C2", T0 + h)])
    audit.record(wh, EMAIL, "login_failed", None)  # she typed her address into the login
    audit.record(wh, "admin", "export", f"customers.csv?email={EMAIL} ({TEXT})")
    audit.record(wh, "admin", "export", f"customers.csv ({OTHER})")


def string_hits(wh: Warehouse, needles: tuple[str, ...]) -> dict[str, int]:
    """Rows per ``table.column`` whose text holds any needle (case-insensitive), over every
    text column of every table of the warehouse."""
    hits: dict[str, int] = {}
    for table in _tables(wh):
        columns = [r[0] for r in wh.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND "
            "table_schema = current_schema() AND data_type IN ('VARCHAR', 'text')", [table])]
        for col in columns:
            where = " OR ".join(f'strpos(lower("{col}"), ?) > 0' for _ in needles)
            n = wh.scalar(f'SELECT count(*) FROM "{table}" WHERE {where}',
                          [n.lower() for n in needles])
            if n:
                hits[f"{table}.{col}"] = int(n)
    return hits


def test_erase_leaves_no_trace_of_the_customer_in_any_table(wh: Warehouse) -> None:
    plant(wh)
    before = string_hits(wh, TRACES)
    # the planting reached every free-text column that can hold her (so the test can fail)
    assert {"interactions.escalation_summary", "survey_responses.comment",
            "survey_invitations.reason", "followup_cases.outcome", "cxlens_case_events.detail",
            "mentions.text", "mentions.author", "cxlens_qa_dispute_events.detail",
            "cxlens_coaching.note", "quarantine.record", "quarantine.reason",
            "cxlens_outbox.payload", "cxlens_audit.username", "cxlens_audit.detail",
            "customers.email", "cxlens_qa_review_comments.comment", "transcript_turns.text",
            "cxlens_autoqa_results.evidence"} <= set(before)

    counts = erase(wh, "C1", "admin")

    assert string_hits(wh, TRACES) == {}
    kept = string_hits(wh, (OTHER,))
    assert set(kept) == {"interactions.escalation_summary", "survey_responses.comment",
                         "survey_invitations.reason", "followup_cases.outcome",
                         "cxlens_case_events.detail", "mentions.text",
                         "cxlens_qa_dispute_events.detail", "cxlens_coaching.note",
                         "quarantine.record", "quarantine.reason", "cxlens_outbox.payload",
                         "cxlens_audit.detail", "cxlens_qa_review_comments.comment",
                         "transcript_turns.text", "cxlens_autoqa_results.evidence"}
    assert all(n == 1 for n in kept.values()), kept
    assert {k: counts[k] for k in (
        "interactions", "survey_responses", "survey_invitations", "followup_cases",
        "cxlens_case_events", "mentions", "cxlens_qa_dispute_events", "cxlens_coaching",
        "cxlens_qa_assignments", "quarantine", "cxlens_outbox", "cxlens_audit",
        "customers", "cxlens_qa_review_comments", "transcript_turns",
        "cxlens_autoqa_results")} == {
        "interactions": 1, "survey_responses": 1, "survey_invitations": 1,
        "followup_cases": 1, "cxlens_case_events": 1, "mentions": 1,
        "cxlens_qa_dispute_events": 1, "cxlens_coaching": 1, "cxlens_qa_assignments": 1,
        "quarantine": 1, "cxlens_outbox": 1, "cxlens_audit": 2, "customers": 1,
        "cxlens_qa_review_comments": 1, "transcript_turns": 1, "cxlens_autoqa_results": 1}
    assert wh.query("SELECT phone, age_group, gender, surveys_opt_out FROM customers "
                    "WHERE customer_id = 'C1'") == [(None, None, None, True)]
    assert dict(wh.query("SELECT interaction_id, reason FROM cxlens_qa_assignments")) == {
        "I1": "escalation+erased", "I2": "escalation+detractor"}
    # the agents' work stays: the review, the interactions, the dispute and the note rows
    assert wh.scalar("SELECT count(*) FROM qa_reviews") == 2
    assert wh.scalar("SELECT count(*) FROM cxlens_coaching") == 2
    again = erase(wh, "C1", "admin")
    assert sum(again.values()) == 0, again  # nothing left to erase


def test_a_junk_address_does_not_erase_unrelated_text(duck: Warehouse) -> None:
    """An e-mail or phone too short to be one ("7", "a@b") is not searched for in free text:
    it would match every audit entry or mention holding it."""

    duck.insert_rows("customers", ("customer_id", "email", "phone"), [("C9", "a@b", "7")])
    audit.record(duck, "admin", "export", "report?month=2026-07")
    duck.insert_rows("mentions", ("mention_id", "brand", "posted_at", "text"),
                     [("M7", "us", T0, "7 stars, write to a@b.example")])
    counts = erase(duck, "C9", "admin")
    assert (counts["cxlens_audit"], counts["mentions"], counts["customers"]) == (0, 0, 1)
    assert duck.scalar("SELECT text FROM mentions") == "7 stars, write to a@b.example"


def _file_hits(paths: list[Path], needles: tuple[str, ...]) -> set[str]:
    data = b"".join(p.read_bytes() for p in paths if p.exists())
    return {n for n in needles if n.encode() in data}


def test_erased_bytes_are_gone_from_the_duckdb_file(tmp_path: Path) -> None:
    path = tmp_path / "cx.duckdb"
    files = [path, Path(f"{path}.wal")]
    with store.connect(str(path)) as wh:
        plant(wh)
        wh.execute("CHECKPOINT")
        rows = {t: wh.count(t) for t in _tables(wh)}
    assert _file_hits(files, TRACES) == set(TRACES)  # grep finds her before erasure

    with store.connect(str(path)) as wh:
        done = erase(wh, "C1", "admin")
        after = {t: wh.count(t) for t in _tables(wh)}
    assert _file_hits(files, TRACES) == set()
    assert "compacted the DuckDB file" in done.storage and "backups" in done.storage
    assert _file_hits(files, ("KEEP-4410",)) == {"KEEP-4410"}
    # the deleted rows are gone (one each), the audit gained the erasure's entry and the meta
    # a data version (planting wrote none); every other table kept every row
    assert {t: rows[t] - after[t] for t in rows if rows[t] != after[t]} == {
        "survey_responses": 1, "survey_invitations": 1, "followup_cases": 1,
        "cxlens_case_events": 1, "quarantine": 1, "cxlens_outbox": 1, "cxlens_audit": -1,
        "cxlens_meta": -1, "transcript_turns": 1, "cxlens_autoqa_results": 1}
    assert not list(tmp_path.glob("cx.duckdb.*"))  # no copy or .wal left beside it
    with store.connect(str(path)) as wh, pytest.raises(  # the compacted file keeps its keys
            duckdb.ConstraintException, match="C2"):
        wh.execute("INSERT INTO customers (customer_id) VALUES ('C2')")


@pytest.mark.postgres
def test_erased_bytes_are_gone_from_the_postgres_relation_files(pg_db: str) -> None:
    touched = ("interactions", "survey_responses", "survey_invitations", "followup_cases",
               "cxlens_case_events", "mentions", "cxlens_qa_dispute_events", "cxlens_coaching",
               "quarantine", "cxlens_outbox", "cxlens_audit", "customers")

    def relation_files(wh: Warehouse) -> list[Path]:
        wh.execute("CHECKPOINT")  # dirty pages to the relation files
        base = Path(str(wh.scalar("SHOW data_directory")))
        out: list[Path] = []
        for t in touched:
            for rel in wh.query(
                    "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid = "
                    "?::regclass OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = "
                    "?::regclass)", [t, t]):
                out += sorted(base.glob(f"{rel[0]}*"))  # segments and forks
        return out

    with store.connect(pg_db) as wh:
        plant(wh)
        assert _file_hits(relation_files(wh), TRACES) == set(TRACES)
        done = erase(wh, "C1", "admin")
        assert _file_hits(relation_files(wh), TRACES) == set()
        assert _file_hits(relation_files(wh), ("KEEP-4410",)) == {"KEEP-4410"}
        # 14 tables, and the transcript and AutoQA result rows of her interaction (issue 19)
        assert "VACUUM FULL on 16 tables" in done.storage, done.storage


def test_the_cli_says_what_was_erased_and_compacted(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cxlens.cli import app

    path = tmp_path / "cx.duckdb"
    with store.connect(str(path)) as wh:
        plant(wh)
    out = CliRunner().invoke(app, ["erase", "C1", "--yes", "--db", str(path)])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    deleted = re.search(r"deleted for C1: ([^\n]*?) redacted for C1: (.*?) compacted", text)
    assert deleted, text  # what went, and what stays with its text redacted, said apart
    assert "1 survey_responses" in deleted[1] and "interactions" not in deleted[1]
    assert "1 interactions" in deleted[2] and "survey_responses" not in deleted[2]
    assert re.search(r"compacted the DuckDB file: [\d.]+ MB → [\d.]+ MB", text), text
    assert "backups made before this erasure still hold" in text
