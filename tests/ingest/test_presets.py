"""The built-in import presets (src/cxlens/ingest/presets/*.yaml) and their sample files.

Every sample is imported into a real DuckDB file (the ``duck`` fixture) and read back with
SQL. The expected values were worked out by hand from the sample files (the arithmetic is in
the comments); none is computed by the code under test.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.ingest.mapping import PRESET_DIR, load_mapping
from cxlens.ingest.pipeline import ImportResult, import_files
from cxlens.schema import CHANNELS
from cxlens.store.base import Warehouse

SAMPLES = PRESET_DIR / "samples"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "presets.md"

#: Merge presets update rows that another preset loads first.
MERGE_BASE = {"zendesk-ticket-metrics": ("zendesk-tickets", "Europe/London")}
#: Transcript presets load turns of interactions that another preset loads first (a turn of an
#: unknown interaction is flagged).
TURNS_BASE = {"chat-transcripts": ("zendesk-tickets", "Europe/London"),
              "call-transcripts": ("acd-calls", "Europe/London")}
#: The zone each sample's timestamps were exported in.
SAMPLE_ZONE = {"zendesk-tickets": "Europe/London", "freshdesk-tickets": "America/New_York",
               "acd-calls": "Europe/London"}

INTERACTION_COLUMNS = (
    "channel", "direction", "vendor", "site", "team", "agent_id", "queue", "category", "product",
    "priority", "language", "customer_id", "created_at", "answered_at", "abandoned_at",
    "first_response_at", "resolved_at", "closed_at", "reopen_count", "agent_replies",
    "talk_seconds", "hold_seconds", "wrap_seconds", "escalated", "resolved",
)


def cli_presets() -> list[str]:
    """The preset names as `cxlens presets --format json` lists them."""
    result = CliRunner().invoke(app, ["presets", "--format", "json"])
    assert result.exit_code == 0, result.output
    return [p["preset"] for p in json.loads(result.stdout)]


PRESETS = cli_presets()


def at(text: str) -> datetime:
    """A UTC instant written as "2024-03-31 10:40:05"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def load(duck: Warehouse, preset: str, sample: str | None = None,
         tz: str | None = None) -> ImportResult:
    mapping = load_mapping(preset)
    return import_files(duck, mapping.table, [SAMPLES / (sample or str(mapping.sample))],
                        mapping=preset, timezone=tz)


def get(duck: Warehouse, table: str, key: str, value: str,
        columns: tuple[str, ...] = INTERACTION_COLUMNS) -> dict[str, Any]:
    rows = duck.query(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ?", [value])
    assert len(rows) == 1, f"{table} {key}={value}: {len(rows)} rows"
    return dict(zip(columns, rows[0], strict=True))


def ticket(duck: Warehouse, interaction_id: str) -> dict[str, Any]:
    return get(duck, "interactions", "interaction_id", interaction_id)


def tally(duck: Warehouse, sql: str) -> dict[Any, int]:
    return {k: int(n) for k, n in duck.query(sql)}


# -- every preset -------------------------------------------------------------------------------

def test_the_five_presets_are_listed() -> None:
    assert set(PRESETS) >= {"zendesk-tickets", "zendesk-ticket-metrics", "zendesk-satisfaction",
                            "freshdesk-tickets", "acd-calls"}


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_declares_table_description_and_sample(preset: str) -> None:
    mapping = load_mapping(preset)
    assert mapping.table in ("interactions", "survey_responses", "survey_invitations",
                             "transcript_turns")
    assert mapping.description and "\n" not in mapping.description
    assert mapping.sample and (SAMPLES / mapping.sample).is_file()
    if mapping.merge:
        assert preset in MERGE_BASE, "say which preset loads the rows this one merges onto"


@pytest.mark.parametrize("preset", PRESETS)
def test_sample_imports_with_no_rejected_row(duck: Warehouse, preset: str) -> None:
    if load_mapping(preset).merge or preset in TURNS_BASE:
        base, tz = (MERGE_BASE | TURNS_BASE)[preset]
        assert load(duck, base, tz=tz).rejected == 0
    result = load(duck, preset, tz=SAMPLE_ZONE.get(preset))
    assert result.rejected == 0, result.summary()
    assert result.flagged == 0, result.summary()
    assert 15 <= result.rows_read <= 40
    assert result.loaded + result.skipped == result.rows_read


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_is_documented(preset: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"## `{preset}`" in text
    assert str(load_mapping(preset).sample) in text


@pytest.mark.parametrize(("preset", "sample"), [
    *[(p, None) for p in PRESETS],
    ("zendesk-satisfaction", "zendesk-satisfaction-all.json"),
])
def test_reimport_is_idempotent(duck: Warehouse, preset: str, sample: str | None) -> None:
    mapping = load_mapping(preset)
    if mapping.merge:
        base, tz = MERGE_BASE[preset]
        load(duck, base, tz=tz)
    first = load(duck, preset, sample, tz=SAMPLE_ZONE.get(preset))
    rows = duck.count(str(mapping.table))
    quarantined = duck.count("quarantine")
    second = load(duck, preset, sample, tz=SAMPLE_ZONE.get(preset))
    assert (second.rows_read, second.rejected) == (first.rows_read, first.rejected)
    assert second.inserted == 0
    assert second.updated == first.loaded
    assert duck.count(str(mapping.table)) == rows
    assert duck.count("quarantine") == quarantined


@pytest.mark.parametrize("preset", ["zendesk-tickets", "freshdesk-tickets"])
def test_channel_and_direction_maps_cover_the_same_values(preset: str) -> None:
    """A source value missing from one of the two maps would pass through and be rejected."""
    mapping = load_mapping(preset)
    channel, direction = mapping.spec("channel"), mapping.spec("direction")
    assert channel.source == direction.source
    assert channel.values and direction.values
    assert set(channel.values) == set(direction.values)
    assert set(channel.values.values()) <= set(CHANNELS)
    assert set(direction.values.values()) == {"inbound", "outbound"}


# -- zendesk-tickets ----------------------------------------------------------------------------

def test_zendesk_tickets(duck: Warehouse) -> None:
    result = load(duck, "zendesk-tickets", tz="Europe/London")
    assert (result.rows_read, result.inserted, result.rejected) == (30, 30, 0)
    assert "Satisfaction Score" in result.notes[0]  # reported as not imported, not lost silently

    # 4018: Web form, created 2024-03-30 22:40:05 London = GMT = UTC. First reply 600 min = 10 h,
    # first and full resolution 720 min = 12 h. The clocks went forward that night, and the
    # export's own "Solved at" (2024-03-31 11:40:05 BST) is indeed 10:40:05 UTC.
    t = ticket(duck, "4018")
    assert t["created_at"] == at("2024-03-30 22:40:05")
    assert t["first_response_at"] == at("2024-03-31 08:40:05")
    assert t["resolved_at"] == at("2024-03-31 10:40:05")
    assert t["closed_at"] == at("2024-03-31 10:40:05")
    assert (t["channel"], t["direction"], t["priority"], t["category"]) == (
        "email", "inbound", "normal", "question")
    assert (t["agent_id"], t["queue"], t["customer_id"], t["vendor"]) == (
        "Tom Reyes", "Support", "1500012340026", "in-house")
    assert (t["reopen_count"], t["agent_replies"], t["resolved"]) == (0, 1, True)
    assert t["product"] is None  # "Product [list]" is a custom field: not mapped by the preset

    # 4019: reopened once. Created 2024-04-01 08:12:37 BST = 07:12:37 UTC; first resolution
    # 240 min -> 11:12:37; full resolution 2950 min = 49 h 10 min -> 2024-04-03 08:22:37 UTC.
    t = ticket(duck, "4019")
    assert t["created_at"] == at("2024-04-01 07:12:37")
    assert t["first_response_at"] == at("2024-04-01 07:45:37")  # + 33 min
    assert t["resolved_at"] == at("2024-04-01 11:12:37")
    assert t["closed_at"] == at("2024-04-03 08:22:37")
    assert (t["reopen_count"], t["agent_replies"], t["resolved"]) == (1, 4, True)

    # 4004: a phone ticket answered at once (first reply 0 min).
    t = ticket(duck, "4004")
    assert (t["channel"], t["direction"], t["priority"], t["category"]) == (
        "phone", "inbound", "urgent", "incident")
    assert t["first_response_at"] == t["created_at"] == at("2024-03-25 11:30:00")
    assert t["resolved_at"] == at("2024-03-25 11:52:00")  # + 22 min

    # 4014: "Phone call (outgoing)": outbound, no first reply time in the export.
    t = ticket(duck, "4014")
    assert (t["channel"], t["direction"], t["category"]) == ("phone", "outbound", "task")
    assert t["first_response_at"] is None
    assert t["closed_at"] == at("2024-03-28 09:42:16")  # 09:30:16 GMT + 12 min

    # 4029: a new ticket: no assignee, priority or type; nothing replied or solved yet.
    t = ticket(duck, "4029")
    assert t["created_at"] == at("2024-04-05 15:50:27")  # 16:50:27 BST
    for column in ("agent_id", "priority", "category", "first_response_at", "resolved_at",
                   "closed_at"):
        assert t[column] is None, column
    assert (t["channel"], t["resolved"], t["agent_replies"]) == ("email", False, 0)

    # Via, one by one: Mail 8 + Web form 7 + Web Widget 1 + Closed ticket 1 = 17 email;
    # Chat 4; incoming 2 + outgoing 1 + Voicemail 1 = 4 phone; Twitter + Facebook Post = 2
    # social; Text + WhatsApp = 2 sms; Mobile SDK = 1 in_app.
    assert tally(duck, "SELECT channel, count(*) FROM interactions GROUP BY 1") == {
        "email": 17, "chat": 4, "phone": 4, "social": 2, "sms": 2, "in_app": 1}
    # Status Closed or Solved: 4001-4025; Pending, Open, Hold, New: 4026-4030.
    assert tally(duck, "SELECT resolved, count(*) FROM interactions GROUP BY 1") == {
        True: 25, False: 5}
    assert tally(duck, "SELECT direction, count(*) FROM interactions GROUP BY 1") == {
        "inbound": 29, "outbound": 1}


def test_zendesk_tickets_timezone(duck: Warehouse, tmp_path: Path) -> None:
    """The CSV export writes the account's local time without an offset: --timezone decides."""
    london = tmp_path / "london.duckdb"
    result = CliRunner().invoke(app, [
        "import", "interactions", str(SAMPLES / "zendesk-tickets.csv"),
        "--mapping", "zendesk-tickets", "--timezone", "Europe/London", "--db", str(london)])
    assert result.exit_code == 0, result.output
    assert "30 inserted" in result.stdout
    load(duck, "zendesk-tickets")  # no zone given: read as UTC

    with store.connect(str(london)) as lon:
        # 4016, created "2024-03-28 16:00:00": London is on GMT, so both imports agree.
        assert ticket(lon, "4016")["created_at"] == at("2024-03-28 16:00:00")
        assert ticket(duck, "4016")["created_at"] == at("2024-03-28 16:00:00")
        # 4025, created "2024-04-03 13:27:45" on BST (UTC+1); closed 1533 min = 25 h 33 min
        # later. The export's "Solved at" says 2024-04-04 15:00:45 BST = 14:00:45 UTC.
        assert ticket(lon, "4025")["created_at"] == at("2024-04-03 12:27:45")
        assert ticket(lon, "4025")["closed_at"] == at("2024-04-04 14:00:45")
        # read as UTC, the same text lands an hour late
        assert ticket(duck, "4025")["created_at"] == at("2024-04-03 13:27:45")
        assert ticket(duck, "4025")["closed_at"] == at("2024-04-04 15:00:45")


def test_zendesk_tickets_ambiguous_local_time_is_quarantined(duck: Warehouse,
                                                             tmp_path: Path) -> None:
    """On 27 October 2024 London's 01:00-02:00 happened twice: such a row cannot be placed."""
    with (SAMPLES / "zendesk-tickets.csv").open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    first = records[0]
    rows = [dict(first, Id="5001", **{"Created at": "2024-10-27 01:30:00"}),
            dict(first, Id="5002", **{"Created at": "2024-10-27 00:30:00"})]
    path = tmp_path / "october.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    result = import_files(duck, "interactions", [path], mapping="zendesk-tickets",
                          timezone="Europe/London")
    assert (result.inserted, result.rejected) == (1, 1)
    assert duck.query("SELECT source_row, rules FROM quarantine") == [(2, "timezone")]
    assert ticket(duck, "5002")["created_at"] == at("2024-10-26 23:30:00")  # 00:30 BST


def test_extending_a_preset_with_a_copy(duck: Warehouse, tmp_path: Path) -> None:
    """The recipe in docs/presets.md: copy the preset, name the vendor, map a custom field."""
    doc = yaml.safe_load((PRESET_DIR / "zendesk-tickets.yaml").read_text(encoding="utf-8"))
    doc["columns"]["vendor"] = {"value": "Acme BPO"}
    doc["columns"]["product"] = "Product [list]"
    mine = tmp_path / "my-zendesk.yaml"
    mine.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = import_files(duck, None, [SAMPLES / "zendesk-tickets.csv"], mapping=mine,
                          timezone="Europe/London")
    assert (result.inserted, result.rejected) == (30, 0)
    assert tally(duck, "SELECT vendor, count(*) FROM interactions GROUP BY 1") == {"Acme BPO": 30}
    assert ticket(duck, "4001")["product"] == "trail jacket"  # "Trail Jacket", lower-cased
    assert ticket(duck, "4004")["product"] is None  # blank in the export


# -- zendesk-ticket-metrics ---------------------------------------------------------------------

METRIC_COLUMNS = ("reopen_count", "agent_replies", "first_response_at", "resolved_at",
                  "closed_at", "created_at")


def test_ticket_metrics_merge_updates_the_metric_columns(duck: Warehouse) -> None:
    load(duck, "zendesk-tickets", tz="Europe/London")
    result = load(duck, "zendesk-ticket-metrics")
    assert (result.rows_read, result.inserted, result.updated, result.rejected) == (20, 0, 20, 0)
    assert duck.count("interactions") == 30

    # 4021 was solved in the CSV (reopens 0, replies 2, full resolution 31 min); the API page,
    # fetched later, shows a reopen: full resolution 5820 min = 4 days 1 hour after
    # 2024-04-02 08:15:00 UTC = 2024-04-06 09:15:00 UTC (its solved_at). First solve unchanged.
    t = ticket(duck, "4021")
    assert (t["reopen_count"], t["agent_replies"]) == (1, 3)
    assert t["resolved_at"] == at("2024-04-02 08:46:00")  # + 31 min
    assert t["closed_at"] == at("2024-04-06 09:15:00")
    assert t["channel"] == "sms"

    # 4027 was open in the CSV; now solved after 2700 min = 45 h: 2024-04-04 14:48:10 UTC + 45 h.
    t = ticket(duck, "4027")
    assert t["resolved_at"] == t["closed_at"] == at("2024-04-06 11:48:10")
    assert t["first_response_at"] == at("2024-04-04 15:55:10")  # + 67 min, as before
    assert t["agent_replies"] == 2
    assert t["resolved"] is False  # status is not in the metrics: re-import the CSV for it

    # 4029 was new; first reply 960 min = 16 h after 2024-04-05 15:50:27 UTC.
    t = ticket(duck, "4029")
    assert t["first_response_at"] == at("2024-04-06 07:50:27")
    assert (t["agent_replies"], t["resolved_at"], t["agent_id"]) == (1, None, None)

    # 4002 is not on the API page: untouched (1502 min after 2024-03-25 09:15:40 GMT).
    assert ticket(duck, "4002")["closed_at"] == at("2024-03-26 10:17:40")


def test_ticket_metrics_merge_changes_nothing_else(duck: Warehouse, tmp_path: Path) -> None:
    """Only the cells the API page really changes may differ after the merge.

    Tickets are loaded with a copy of the preset naming a BPO vendor (the documented recipe),
    so a merge that resets unmapped columns to their schema defaults (vendor "in-house",
    direction "inbound") shows up here.
    """
    doc = yaml.safe_load((PRESET_DIR / "zendesk-tickets.yaml").read_text(encoding="utf-8"))
    doc["columns"]["vendor"] = {"value": "Acme BPO"}
    mine = tmp_path / "my-zendesk.yaml"
    mine.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    import_files(duck, None, [SAMPLES / "zendesk-tickets.csv"], mapping=mine,
                 timezone="Europe/London")
    cols = ", ".join(INTERACTION_COLUMNS)
    sql = f"SELECT interaction_id, {cols} FROM interactions ORDER BY interaction_id"
    before = duck.query(sql)
    load(duck, "zendesk-ticket-metrics")
    after = duck.query(sql)

    changed = {
        (old[0], name)
        for old, new in zip(before, after, strict=True)
        for name, a, b in zip(INTERACTION_COLUMNS, old[1:], new[1:], strict=True)
        if a != b
    }
    assert changed == {
        ("4021", "reopen_count"), ("4021", "agent_replies"), ("4021", "closed_at"),
        ("4027", "agent_replies"), ("4027", "resolved_at"), ("4027", "closed_at"),
        ("4029", "agent_replies"), ("4029", "first_response_at"),
    }


def test_ticket_metrics_without_tickets_are_quarantined(duck: Warehouse) -> None:
    result = load(duck, "zendesk-ticket-metrics")
    assert (result.rows_read, result.loaded, result.rejected) == (20, 0, 20)
    assert duck.count("interactions") == 0
    assert tally(duck, "SELECT rules, count(*) FROM quarantine GROUP BY 1") == {
        "no_row_to_merge": 20}


# -- zendesk-satisfaction -----------------------------------------------------------------------

RESPONSE_COLUMNS = ("survey", "score", "scale_min", "scale_max", "sent_at", "responded_at",
                    "interaction_id", "customer_id", "kind", "touchpoint", "comment")


def test_zendesk_satisfaction(duck: Warehouse) -> None:
    load(duck, "zendesk-tickets", tz="Europe/London")
    result = load(duck, "zendesk-satisfaction")
    assert (result.rows_read, result.inserted, result.rejected, result.flagged) == (19, 19, 0, 0)
    # 14 good and 5 bad ratings (tickets 4002, 4011, 4016, 4019, 4025) on a 0-1 scale
    assert tally(duck, "SELECT score, count(*) FROM survey_responses GROUP BY 1") == {1: 14, 0: 5}
    assert tally(duck, "SELECT scale_min || '-' || scale_max, count(*) FROM survey_responses "
                     "GROUP BY 1") == {"0-1": 19}
    assert tally(duck, "SELECT survey, count(*) FROM survey_responses GROUP BY 1") == {"csat": 19}

    r = get(duck, "survey_responses", "response_id", "zendesk-1900012345002", RESPONSE_COLUMNS)
    assert r == {
        "survey": "csat", "score": 0, "scale_min": 0, "scale_max": 1,
        "sent_at": at("2024-03-27 10:17:40"),       # created_at: the survey went out
        "responded_at": at("2024-03-27 15:29:40"),  # updated_at: the customer answered
        "interaction_id": "4002", "customer_id": "1500012340012",
        "kind": "transactional", "touchpoint": "support",
        "comment": "Took a day to hear back and I still have a broken zip.",
    }
    r = get(duck, "survey_responses", "response_id", "zendesk-1900012345003", RESPONSE_COLUMNS)
    assert (r["score"], r["interaction_id"], r["comment"]) == (1, "4003", None)
    r = get(duck, "survey_responses", "response_id", "zendesk-1900012345019", RESPONSE_COLUMNS)
    assert (r["score"], r["interaction_id"], r["comment"]) == (1, "4021", "👍")


def test_zendesk_satisfaction_offered_ratings_are_skipped_and_recorded(duck: Warehouse) -> None:
    """Offered and unoffered ratings are surveys nobody answered: not scores, and not dropped."""
    result = load(duck, "zendesk-satisfaction", "zendesk-satisfaction-all.json")
    assert (result.rows_read, result.loaded, result.rejected, result.skipped) == (23, 19, 0, 4)
    quarantined = duck.query("SELECT source_row, status, rules, reason, record FROM quarantine "
                           "ORDER BY source_row")
    # records 5, 9, 15 and 20 of the page (rows 6, 10, 16, 21; the header is row 1)
    assert [(row, status, rules) for row, status, rules, _, _ in quarantined] == [
        (6, "skipped", "skipped"), (10, "skipped", "skipped"), (16, "skipped", "skipped"),
        (21, "skipped", "skipped")]
    records = [json.loads(q[4]) for q in quarantined]
    assert [(r["id"], r["score"], r["ticket_id"]) for r in records] == [
        (1900012345005, "unoffered", 4005),
        (1900012345009, "offered", 4009),
        (1900012345015, "unoffered", 4017),
        (1900012345020, "offered", 4022),
    ]
    assert all("offered but not answered" in q[3] for q in quarantined)
    assert duck.query("SELECT count(*) FROM survey_responses WHERE interaction_id IN "
                    "('4005', '4009', '4017', '4022')") == [(0,)]


# -- freshdesk-tickets --------------------------------------------------------------------------

def test_freshdesk_tickets(duck: Warehouse) -> None:
    result = load(duck, "freshdesk-tickets", tz="America/New_York")
    assert (result.rows_read, result.inserted, result.rejected) == (25, 25, 0)

    # 20415: times in New York, EDT = UTC-4 in April.
    t = ticket(duck, "20415")
    assert t["created_at"] == at("2024-04-01 17:47:55")         # 13:47:55 EDT
    assert t["first_response_at"] == at("2024-04-01 18:09:55")  # Initial response 14:09:55
    assert t["resolved_at"] == at("2024-04-01 20:52:55")        # Resolved 16:52:55
    assert t["closed_at"] == at("2024-04-03 20:52:55")          # Closed 04-03 16:52:55
    assert (t["channel"], t["direction"], t["priority"], t["category"]) == (
        "email", "inbound", "urgent", "problem")
    assert (t["agent_id"], t["queue"], t["product"], t["customer_id"], t["vendor"]) == (
        "Jordan Blake", "B2B Accounts", "northwind pro", "73000451105", "in-house")
    assert t["agent_replies"] == 4

    assert ticket(duck, "20411")["priority"] == "normal"  # Medium
    t = ticket(duck, "20418")  # Outbound Email: no initial response
    assert (t["channel"], t["direction"], t["first_response_at"]) == ("email", "outbound", None)
    t = ticket(duck, "20424")  # MobiHelp, resolved but not yet closed
    assert (t["channel"], t["closed_at"]) == ("in_app", None)
    assert t["resolved_at"] == at("2024-04-09 14:43:51")  # 10:43:51 EDT
    t = ticket(duck, "20427")  # closed without a reply: Freshdesk stamps resolved = closed
    assert t["resolved_at"] == t["closed_at"] == at("2024-04-11 09:43:02")
    assert (t["first_response_at"], t["agent_id"]) == (None, None)
    assert ticket(duck, "20426")["category"] is None  # Type left blank
    assert ticket(duck, "20425")["channel"] == "sms"  # WhatsApp

    # Source: Email 8 + Portal 5 + Feedback Widget 1 + Outbound Email 1 = 15 email; Phone 3;
    # Chat 3; Twitter + Facebook = 2 social; MobiHelp 1 in_app; WhatsApp 1 sms.
    assert tally(duck, "SELECT channel, count(*) FROM interactions GROUP BY 1") == {
        "email": 15, "phone": 3, "chat": 3, "social": 2, "in_app": 1, "sms": 1}
    assert tally(duck, "SELECT priority, count(*) FROM interactions GROUP BY 1") == {
        "low": 6, "normal": 13, "high": 4, "urgent": 2}


# -- acd-calls ----------------------------------------------------------------------------------

def test_acd_calls(duck: Warehouse) -> None:
    result = load(duck, "acd-calls", tz="Europe/London")
    assert (result.rows_read, result.inserted, result.rejected) == (30, 30, 0)

    t = ticket(duck, "C240328-000102")
    assert (t["talk_seconds"], t["hold_seconds"], t["wrap_seconds"]) == (225, 30, 70)  # 3:45 0:30 1:10
    assert t["created_at"] == at("2024-03-28 08:03:51")   # GMT on 28 March
    assert t["answered_at"] == at("2024-03-28 08:04:33")
    assert t["abandoned_at"] is None
    assert (t["channel"], t["direction"], t["queue"], t["site"], t["team"], t["agent_id"]) == (
        "phone", "inbound", "Orders", "Cape Town", "Orders T1", "CPT0311")
    assert (t["customer_id"], t["language"], t["category"], t["escalated"]) == (
        "ACC-448121", "en", "order status", False)

    t = ticket(duck, "C240328-000111")  # talk 1:02:03, hold 4:10, wrap 2:15, transferred
    assert (t["talk_seconds"], t["hold_seconds"], t["wrap_seconds"]) == (3723, 250, 135)
    assert (t["escalated"], t["category"]) == (True, "payment dispute")
    assert ticket(duck, "C240328-000112")["wrap_seconds"] == 4205  # 1:10:05

    t = ticket(duck, "C240328-000103")  # abandoned in the queue after 1:35
    assert t["abandoned_at"] == at("2024-03-28 08:08:37")
    assert (t["answered_at"], t["agent_id"], t["customer_id"], t["category"]) == (
        None, None, None, None)
    t = ticket(duck, "C240328-000110")  # outbound, nobody picked up
    assert (t["direction"], t["answered_at"], t["abandoned_at"]) == ("outbound", None, None)
    assert ticket(duck, "C240328-000128")["created_at"] == at("2024-03-28 16:00:00")

    # abandoned: 103, 106, 113, 120, 126; outbound: 107, 110, 117, 124; transferred: 104, 111, 121
    assert duck.query("SELECT count(*) FROM interactions WHERE abandoned_at IS NOT NULL") == [(5,)]
    assert duck.query("SELECT count(*) FROM interactions WHERE answered_at IS NOT NULL") == [(24,)]
    assert tally(duck, "SELECT direction, count(*) FROM interactions GROUP BY 1") == {
        "inbound": 26, "outbound": 4}
    assert tally(duck, "SELECT escalated, count(*) FROM interactions GROUP BY 1") == {
        True: 3, False: 27}
    assert tally(duck, "SELECT site, count(*) FROM interactions GROUP BY 1") == {
        "Leeds": 15, "Cape Town": 15}


# -- zendesk-satisfaction-invitations ------------------------------------------------------------

def test_zendesk_satisfaction_invitations_give_the_response_rate(duck: Warehouse) -> None:
    """The unfiltered page: 14 good + 5 bad answered, 2 offered and unanswered, 2 unoffered
    (never sent, skipped) → 21 invitations, 19 answered: a response rate of 19/21."""
    from cxlens.metrics.query import query

    result = load(duck, "zendesk-satisfaction-invitations")
    assert (result.rows_read, result.loaded, result.skipped, result.rejected) == (23, 21, 2, 0)
    cols = ("survey", "programme", "sent_at", "interaction_id", "customer_id", "status",
            "responded_at", "response_id")
    v = get(duck, "survey_invitations", "invitation_id", "zendesk-1900012345002", cols)
    assert v == {"survey": "csat", "programme": "zendesk-csat",
                 "sent_at": at("2024-03-27 10:17:40"), "interaction_id": "4002",
                 "customer_id": "1500012340012", "status": "sent",
                 "responded_at": at("2024-03-27 15:29:40"),
                 "response_id": "zendesk-1900012345002"}
    # record 9 of the page: offered to ticket 4009's requester, never answered
    v = get(duck, "survey_invitations", "invitation_id", "zendesk-1900012345009", cols)
    assert (v["interaction_id"], v["responded_at"], v["response_id"]) == ("4009", None, None)
    assert duck.query("SELECT count(*) FROM survey_invitations WHERE interaction_id IN "
                      "('4005', '4017')") == [(0,)]  # the unoffered ones

    load(duck, "zendesk-satisfaction", "zendesk-satisfaction-all.json")
    assert duck.query("SELECT count(*) FROM survey_invitations JOIN survey_responses "
                      "USING (response_id)") == [(19,)]
    rate = query("response_rate", db=duck)
    assert rate["n"].tolist() == [21]
    assert rate["value"].tolist() == pytest.approx([100 * 19 / 21])


# -- transcripts (issue 19) --------------------------------------------------------------------

TURN_COLUMNS = ("speaker", "spoken_at", "offset_seconds", "text")


def turn(duck: Warehouse, interaction_id: str, n: int) -> dict[str, Any]:
    rows = duck.query(f"SELECT {', '.join(TURN_COLUMNS)} FROM transcript_turns "
                      "WHERE interaction_id = ? AND turn = ?", [interaction_id, n])
    assert len(rows) == 1, rows
    return dict(zip(TURN_COLUMNS, rows[0], strict=True))


def test_chat_transcripts_load_as_turns(duck: Warehouse) -> None:
    load(duck, "zendesk-tickets", tz="Europe/London")
    result = load(duck, "chat-transcripts")
    assert (result.loaded, result.flagged, result.rejected) == (19, 0, 0)
    # messages per conversation: 4001 four, 4002 five, 4003 ten (sample file)
    assert tally(duck, "SELECT interaction_id, count(*) FROM transcript_turns GROUP BY 1") == {
        "4001": 4, "4002": 5, "4003": 10}
    first = turn(duck, "4003", 0)
    assert first["speaker"] == "system"  # author_role bot
    assert first["spoken_at"] == at("2024-03-25 10:02:19")
    assert turn(duck, "4001", 0)["speaker"] == "customer"  # end-user
    assert turn(duck, "4001", 1)["text"].startswith("Hello Hannah")


def test_call_transcripts_keep_the_offsets(duck: Warehouse) -> None:
    load(duck, "acd-calls", tz="Europe/London")
    result = load(duck, "call-transcripts")
    assert (result.loaded, result.flagged, result.rejected) == (19, 0, 0)
    row = turn(duck, "C240328-000102", 6)
    assert row == {"speaker": "agent", "spoken_at": None, "offset_seconds": 151.0,
                   "text": "It's with the courier."}
    assert turn(duck, "C240328-000101", 2)["speaker"] == "customer"  # Caller


def test_a_turn_with_an_unknown_speaker_is_rejected_with_the_fix(duck: Warehouse,
                                                                  tmp_path: Path) -> None:
    load(duck, "acd-calls", tz="Europe/London")
    bad = tmp_path / "calls.csv"
    bad.write_text("Call ID,Utterance,Speaker,Start (s),Transcript\n"
                   "C240328-000101,0,Agent,1.0,Hello\n"
                   "C240328-000101,1,Supervisor,2.0,Hi\n", encoding="utf-8")
    result = import_files(duck, "transcript_turns", [bad], mapping="call-transcripts")
    assert (result.loaded, result.rejected) == (1, 1)
    problem = next(p for p in result.problems if p.row == 3)
    assert problem.column == "speaker"
    assert "agent" in problem.hint and "customer" in problem.hint
