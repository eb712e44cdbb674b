"""The import pipeline on both backends: every problem located, nothing lost, atomic, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlens.errors import ConfigError, ImportRefused
from cxlens.ingest.pipeline import import_files, validate_files
from cxlens.store.base import Warehouse

INTERACTIONS = """interaction_id,channel,created_at,first_response_at,resolved_at,talk_seconds,vendor
i1,Email,2024-03-01 09:00,2024-03-01 09:30,2024-03-01 12:00,,
i2,chat,2024-03-01 10:00,2024-03-01 09:59,,3:45,Acme BPO
i3,pigeon,2024-03-01 11:00,,,,
i4,phone,2024-03-01 12:00,,,-5,
i5,In App,2024-03-02 08:00,2024-03-02 08:10,2024-03-02 08:05,,
"""

RESPONSES = """response_id,survey,score,responded_at,interaction_id
r1,nps,9,2024-03-02,i1
r2,nps,11,2024-03-02,i1
r3,csat,4,2024-03-02,i404
r4,csat,2,2024-03-02,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_problems_are_located_and_bad_rows_quarantined(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "i.csv", INTERACTIONS)
    r = import_files(wh, "interactions", [f])
    assert (r.rows_read, r.loaded, r.rejected) == (5, 1, 4)
    by_row = {p.row: p for p in r.problems}
    assert by_row[3].column == "first_response_at" and by_row[3].rule == "time_order"
    assert by_row[4].rule == "enum" and by_row[4].value == "pigeon"
    assert by_row[5].rule == "negative" and by_row[5].column == "talk_seconds"
    assert by_row[6].rule == "time_order"
    assert by_row[6].message == "resolved_at is before first_response_at"
    assert all(p.file == str(f.resolve()) for p in r.problems)
    assert wh.query("SELECT interaction_id, channel, vendor FROM interactions") == [
        ("i1", "email", "in-house")]
    q = wh.query("SELECT source_row, status, rules FROM quarantine ORDER BY source_row")
    assert q == [(3, "rejected", "time_order"), (4, "rejected", "enum"),
                 (5, "rejected", "negative"), (6, "rejected", "time_order")]
    record = wh.scalar("SELECT record FROM quarantine WHERE source_row = 4")
    assert '"channel": "pigeon"' in record
    assert wh.count("quarantine") + wh.count("interactions") == 5


def test_enum_values_are_normalised_and_durations_parsed(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "i.csv", "interaction_id,channel,created_at,talk_seconds\n"
              "a,In App,2024-03-01 09:00,3:45\nb,Phone,2024-03-01 09:00,1:02:03\n")
    import_files(wh, "interactions", [f])
    assert wh.query("SELECT interaction_id, channel, talk_seconds FROM interactions ORDER BY 1") \
        == [("a", "in_app", 225.0), ("b", "phone", 3723.0)]


def test_survey_scale_message_names_survey_and_range(wh: Warehouse, tmp_path: Path) -> None:
    import_files(wh, "interactions", [write(tmp_path, "i.csv", INTERACTIONS)])
    r = import_files(wh, "survey_responses", [write(tmp_path, "r.csv", RESPONSES)])
    errors = [p for p in r.problems if p.severity == "error"]
    assert [str(p).split(": ", 1)[1] for p in errors] == [
        "score 11 is outside 0–10 for survey nps (value '11'). Fix: scores must be whole numbers "
        "on the survey's scale; correct the value or the scale_min/scale_max columns"]
    # the response pointing at a missing interaction is kept and flagged
    flagged = [p for p in r.problems if p.severity == "warning"]
    assert [(p.row, p.column, p.value) for p in flagged] == [(4, "interaction_id", "i404")]
    assert wh.scalar("SELECT count(*) FROM survey_responses WHERE response_id = 'r3'") == 1
    assert wh.query("SELECT status, source_row FROM quarantine WHERE table_name = "
                    "'survey_responses' ORDER BY source_row") == [("rejected", 3), ("flagged", 4)]
    kinds = dict(wh.query("SELECT response_id, kind FROM survey_responses"))
    assert kinds == {"r1": "transactional", "r3": "transactional", "r4": "relational"}


def test_reimport_is_idempotent(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "i.csv", INTERACTIONS)
    first = import_files(wh, "interactions", [f])
    snapshot = wh.query("SELECT * FROM interactions ORDER BY interaction_id")
    second = import_files(wh, "interactions", [f])
    assert (second.inserted, second.updated) == (0, first.inserted)
    assert wh.query("SELECT * FROM interactions ORDER BY interaction_id") == snapshot
    assert wh.count("quarantine") == first.rejected  # replaced, not doubled


def test_fixed_file_clears_its_quarantine(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "i.csv", INTERACTIONS)
    import_files(wh, "interactions", [f])
    f.write_text(INTERACTIONS.replace("pigeon", "sms"))
    import_files(wh, "interactions", [f])
    assert wh.query("SELECT channel FROM interactions WHERE interaction_id = 'i3'") == [("sms",)]
    assert wh.count("quarantine") == 4 - 1


def test_update_by_key(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "a.csv", "customer_id,segment\nc1,SMB\nc2,consumer\n")
    import_files(wh, "customers", [f])
    g = write(tmp_path, "b.csv", "customer_id,segment\nc1,Enterprise\n")
    r = import_files(wh, "customers", [g])
    assert (r.inserted, r.updated) == (0, 1)
    assert wh.query("SELECT customer_id, segment FROM customers ORDER BY 1") == [
        ("c1", "enterprise"), ("c2", "consumer")]


def test_duplicate_keys_keep_the_first_and_quarantine_the_rest(wh: Warehouse,
                                                             tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "customer_id,segment\nc1,smb\nc2,smb\n")
    b = write(tmp_path, "b.csv", "customer_id,segment\nc1,enterprise\n")
    r = import_files(wh, "customers", [a, b])
    dup = [p for p in r.problems if p.rule == "duplicate_key"]
    assert len(dup) == 1 and dup[0].file == str(b.resolve()) and dup[0].row == 2
    assert "a.csv row 2" in dup[0].message
    assert wh.query("SELECT segment FROM customers WHERE customer_id = 'c1'") == [("smb",)]


def test_a_failing_file_leaves_the_warehouse_unchanged(wh: Warehouse, tmp_path: Path) -> None:
    import_files(wh, "customers", [write(tmp_path, "ok.csv", "customer_id\nc0\n")])
    before = (wh.count("customers"), wh.count("quarantine"), wh.count("import_log"))
    good = write(tmp_path, "good.csv", "customer_id\nc1\nc2\n")
    bad = write(tmp_path, "bad.csv", "customer_ident\nc3\n")
    with pytest.raises(ImportRefused) as info:
        import_files(wh, "customers", [good, bad])
    assert "required column(s) customer_id" in str(info.value)
    assert 'Did you mean "customer_ident"' in str(info.value)
    assert (wh.count("customers"), wh.count("quarantine"), wh.count("import_log")) == before


def test_every_file_problem_is_reported_at_once(wh: Warehouse, tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "id\n1\n")
    b = write(tmp_path, "b.csv", "")
    with pytest.raises(ImportRefused) as info:
        import_files(wh, "customers", [a, b, tmp_path / "c.csv"])
    text = str(info.value)
    assert "a.csv: required column" in text and "b.csv: the file is empty" in text
    assert "c.csv: no such file" in text


def test_strict_turns_warnings_into_a_refusal(wh: Warehouse, tmp_path: Path) -> None:
    import_files(wh, "interactions", [write(tmp_path, "i.csv", "interaction_id,channel,"
                                            "created_at\ni1,email,2024-01-01\n")])
    f = write(tmp_path, "r.csv", "response_id,survey,score,responded_at,interaction_id\n"
              "r1,csat,5,2024-01-02,i1\nr2,csat,5,2024-01-02,missing\n")
    with pytest.raises(ImportRefused, match="--strict: 1 problem"):
        import_files(wh, "survey_responses", [f], strict=True)
    assert wh.count("survey_responses") == 0
    r = import_files(wh, "survey_responses", [f])
    assert (r.loaded, r.flagged) == (2, 1)


def test_validate_is_a_dry_run(wh: Warehouse, tmp_path: Path) -> None:
    r = validate_files(wh, "interactions", [write(tmp_path, "i.csv", INTERACTIONS)])
    assert (r.rows_read, r.rejected) == (5, 4)
    assert wh.count("interactions") == 0 and wh.count("quarantine") == 0


def test_timezone_option(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path, "c.csv", "customer_id,acquired_at\nc1,2024-07-01 09:00\n")
    import_files(wh, "customers", [f], timezone="America/New_York")
    got = wh.scalar("SELECT acquired_at FROM customers")
    assert got.isoformat().startswith("2024-07-01T13:00:00")


MAPPING = """
table: survey_responses
timezone: Europe/London
columns:
  customer_id: Email
  responded_at: {from: "Submitted", format: "%d/%m/%Y %H:%M"}
  survey_channel: {value: web}
  touchpoint: {value: Support}
  resolved_reported: {from: "Solved first time?", values: {Y: true, N: false}}
unpivot:
  response_id: "{Response}-{survey}"
  questions:
    - {from: "How satisfied were you?", survey: csat,
       values: {Very satisfied: 5, Satisfied: 4, Neutral: 3, Dissatisfied: 2,
                Very dissatisfied: 1}, comment: "Why?"}
    - {from: "How likely are you to recommend us?", survey: nps}
    - {from: "Effort", survey: effort5, scale: [1, 5]}
"""

WIDE = """Response,Email,Submitted,Solved first time?,How satisfied were you?,Why?,How likely are you to recommend us?,Effort
100,a@x.com,28/03/2024 16:00,Y,Very satisfied,quick,10,2
101,b@x.com,01/04/2024 09:30,N,Dissatisfied,slow,3,
102,c@x.com,02/04/2024 10:00,Y,,,,6
"""


def test_wide_survey_export_becomes_one_row_per_answer(wh: Warehouse, tmp_path: Path) -> None:
    m = write(tmp_path, "m.yaml", MAPPING)
    r = import_files(wh, "survey_responses", [write(tmp_path, "w.csv", WIDE)], mapping=m)
    rows = wh.query("SELECT response_id, survey, score, scale_min, scale_max, comment, "
                    "resolved_reported, touchpoint, survey_channel FROM survey_responses "
                    "ORDER BY response_id")
    assert rows == [
        ("100-csat", "csat", 5, 1, 5, "quick", True, "support", "web"),
        ("100-effort5", "effort5", 2, 1, 5, None, True, "support", "web"),
        ("100-nps", "nps", 10, 0, 10, None, True, "support", "web"),
        ("101-csat", "csat", 2, 1, 5, "slow", False, "support", "web"),
        ("101-nps", "nps", 3, 0, 10, None, False, "support", "web"),
    ]
    # 102's effort answer 6 is outside 1-5: quarantined with its location
    assert [(p.row, p.rule) for p in r.problems] == [(4, "out_of_scale")]
    # 16:00 London on 28 March 2024 is GMT; 09:30 on 1 April is BST (08:30 UTC)
    times = dict(wh.query("SELECT response_id, responded_at FROM survey_responses"))
    assert times["100-csat"].hour == 16 and times["101-csat"].hour == 8


def test_mapping_problems_are_all_reported_with_suggestions(wh: Warehouse,
                                                            tmp_path: Path) -> None:
    m = write(tmp_path, "m.yaml", """
table: interactions
columns:
  interaction_id: Ticket
  chanel: Via
  created_at: {from: Created}
  talk_seconds: {from: Talk, unit: minutes, value: 3}
""")
    f = write(tmp_path, "t.csv", "Ticket ID,Via,Created at,Talk\n1,email,2024-01-01,3\n")
    with pytest.raises(ImportRefused) as info:
        import_files(wh, "interactions", [f], mapping=m)
    text = str(info.value)
    assert 'has no column "chanel". Did you mean "channel"?' in text
    assert 'no column "Ticket". Did you mean "Ticket ID"?' in text
    assert 'no column "Created". Did you mean "Created at"?' in text
    assert "give exactly one of from, value or template" in text


def test_mapping_yaml_errors_are_config_errors(tmp_path: Path, wh: Warehouse) -> None:
    m = write(tmp_path, "m.yaml", "columns:\n  channel: {form: Via}\n")
    with pytest.raises(ConfigError, match="columns.channel"):
        import_files(wh, "interactions", [write(tmp_path, "t.csv", "a\n1\n")], mapping=m)


def test_constants_templates_value_maps_and_offsets(wh: Warehouse, tmp_path: Path) -> None:
    m = write(tmp_path, "m.yaml", """
table: interactions
columns:
  interaction_id: {template: "ACD-{Call}"}
  channel: {value: phone}
  vendor: {value: Acme BPO}
  created_at: Start
  answered_at: {from: Wait, unit: seconds, offset_from: created_at}
  resolved: {from: Solved, values: {Y: true, N: false}}
  hold_seconds: {from: Hold min, unit: minutes}
""")
    f = write(tmp_path, "c.csv", "Call,Start,Wait,Solved,Hold min\n7,2024-01-01 10:00:00,30,Y,1.5\n"
              "8,2024-01-01 11:00:00,,N,\n")
    import_files(wh, "interactions", [f], mapping=m)
    rows = wh.query("SELECT interaction_id, vendor, channel, resolved, hold_seconds, "
                    "answered_at - created_at FROM interactions ORDER BY 1")
    assert rows[0][:5] == ("ACD-7", "Acme BPO", "phone", True, 90.0)
    assert rows[0][5].total_seconds() == 30
    assert rows[1][3] is False and rows[1][5] is None


def test_merge_updates_only_mapped_columns(wh: Warehouse, tmp_path: Path) -> None:
    import_files(wh, "interactions", [write(tmp_path, "i.csv", "interaction_id,channel,"
                 "created_at,category\nt1,email,2024-01-01 10:00,billing\n"
                 "t2,email,2024-01-01 10:00,billing\n")])
    m = write(tmp_path, "m.yaml", """
table: interactions
merge: true
columns:
  interaction_id: ticket_id
  reopen_count: reopens
  first_response_at: {from: reply_minutes, unit: minutes, offset_from: created_at}
""")
    f = write(tmp_path, "m.csv", "ticket_id,reopens,reply_minutes,created_at\n"
              "t1,2,15,2024-01-01 10:00\nt9,0,5,2024-01-01 10:00\n"
              "t2,0,-30,2024-01-01 10:00\n")
    r = import_files(wh, "interactions", [f], mapping=m)
    assert {(p.row, p.rule) for p in r.problems} == {(3, "no_row_to_merge"), (4, "time_order")}
    rows = wh.query("SELECT interaction_id, category, reopen_count, first_response_at "
                    "FROM interactions ORDER BY 1")
    assert rows[0][:3] == ("t1", "billing", 2) and rows[0][3].minute == 15
    assert rows[1][:3] == ("t2", "billing", None)
    assert r.inserted == 0 and r.updated == 1


def test_optional_columns_other_values_and_skip_rules(wh: Warehouse, tmp_path: Path) -> None:
    m = write(tmp_path, "m.yaml", """
table: interactions
columns:
  interaction_id: Call
  channel: {value: phone}
  created_at: Start
  product: {from: "Product [list]", optional: true}
  resolved: {from: Disposition, values: {Solved: true}, other: false}
skip:
  - {from: Disposition, values: [test call], reason: internal test calls}
""")
    f = write(tmp_path, "c.csv", "Call,Start,Disposition\n1,2024-01-01,Solved\n"
              "2,2024-01-01,Callback\n3,2024-01-01,Test Call\n4,2024-01-01,\n")
    r = import_files(wh, "interactions", [f], mapping=m)
    assert (r.rows_read, r.loaded, r.rejected, r.skipped) == (4, 3, 0, 1)
    assert wh.query("SELECT interaction_id, resolved, product FROM interactions ORDER BY 1") == [
        ("1", True, None), ("2", False, None), ("4", None, None)]
    assert wh.query("SELECT source_row, status, reason FROM quarantine") == [
        (4, "skipped", "Disposition: internal test calls (value 'Test Call') — fix: nothing to "
         "fix: the mapping skips these rows on purpose")]
    assert wh.scalar("SELECT rows_skipped FROM import_log") == 1
    # the same mapping on a file that has the optional column fills it
    g = write(tmp_path, "d.csv", "Call,Start,Disposition,Product [list]\n9,2024-01-01,Solved,Pro\n")
    import_files(wh, "interactions", [g], mapping=m)
    assert wh.scalar("SELECT product FROM interactions WHERE interaction_id = '9'") == "pro"


MERGE_SOLVED = """
table: interactions
merge: true
time_order: {mode}
columns:
  interaction_id: ticket_id
  resolved_at: solved
"""


@pytest.mark.parametrize("mode", ["reject", "empty"])
def test_merge_time_order_rejects_or_empties_the_merged_time(wh: Warehouse, tmp_path: Path,
                                                             mode: str) -> None:
    import_files(wh, "interactions", [write(tmp_path, "i.csv", "interaction_id,channel,"
                 "created_at,resolved_at\nt1,email,2024-01-01 10:00,2024-01-01 12:00\n"
                 "t2,email,2024-01-01 10:00,2024-01-01 12:00\n")])
    m = write(tmp_path, "m.yaml", MERGE_SOLVED.format(mode=mode))
    f = write(tmp_path, "m.csv", "ticket_id,solved\nt1,2024-01-01 09:00\nt2,2024-01-01 11:00\n")
    r = import_files(wh, "interactions", [f], mapping=m)
    assert [(p.row, p.rule, p.severity) for p in r.problems] == [
        (2, "time_order", "error" if mode == "reject" else "warning")]
    got = {i: str(t)[:16] if t else None
           for i, t in wh.query("SELECT interaction_id, resolved_at FROM interactions")}
    # reject: t1 keeps its stored time; empty: t1's impossible new time leaves it empty
    assert got == {"t1": "2024-01-01 12:00" if mode == "reject" else None,
                   "t2": "2024-01-01 11:00"}
    assert (r.updated, r.rejected, r.flagged) == ((1, 1, 0) if mode == "reject" else (2, 0, 1))
