"""No silent zeros: a figure that needs a column empty in every row it is about — or a time
that is a copy of its start — is null, flagged, with a note naming the column and the fix.
Hand-worked files; expected values counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.query import MissingData, compare, leaderboard, query


def _load(tmp_path: Path, tables: dict[str, str]) -> str:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        for table, text in tables.items():
            path = tmp_path / f"{table}.csv"
            path.write_text(text)
            import_files(wh, table, [path])
    return db


def _calls(abandoned: str) -> str:
    """30 answered inbound calls (10 s wait) and 7 abandoned ones: 7 / 37 = 18.9 % abandons.
    ``abandoned`` is the abandoned_at of the 7: "same" (= created_at) or "" (not exported)."""
    rows = ["interaction_id,channel,direction,created_at,answered_at,abandoned_at,escalated,"
            "talk_seconds"]
    for i in range(30):
        rows.append(f"a{i},phone,inbound,2024-05-01 10:{i:02d}:00,2024-05-01 10:{i:02d}:10,,"
                    f"{'true' if i < 3 else 'false'},{100 + i}")
    for i in range(7):
        at = f"2024-05-01 11:{i:02d}:00"
        rows.append(f"x{i},phone,inbound,{at},,{at if abandoned == 'same' else ''},,")
    return "\n".join(rows) + "\n"


def test_abandons_without_a_wait_are_flagged_not_zero(tmp_path: Path) -> None:
    db = _load(tmp_path, {"interactions": _calls("same")})
    frame = query("abandonment_rate,service_level,service_level:negative,escalation_rate",
                  db=db).set_index("metric")
    # before: every abandon was "short" (0 s < 5 s) and left out: 0.00 % of 30
    for name in ("abandonment_rate", "service_level"):
        row = frame.loc[name]
        assert row["flag"] == "missing_time" and pd_isna(row["value"]), name
        assert "abandoned_at equals created_at" in row["note"]
        assert "fix: import when abandoned_at really happened" in row["note"]
    # answered within 20 s / all 37 offered needs no abandon time: 30 / 37
    assert frame.loc["service_level:negative", "value"] == pytest.approx(3000 / 37)
    assert frame.loc["service_level:negative", "flag"] == ""
    # abandoned_at only as "not abandoned" is optional: 3 escalated of 30 handled
    assert frame.loc["escalation_rate", "value"] == pytest.approx(10.0)
    assert frame.loc["escalation_rate", "flag"] == ""


def test_abandons_not_exported_are_flagged_not_zero(tmp_path: Path) -> None:
    db = _load(tmp_path, {"interactions": _calls("")})
    row = query("abandonment_rate", db=db).iloc[0]
    # before: 0 abandoned of the 30 answered, 0.00 %
    assert row["flag"] == "missing_column" and pd_isna(row["value"]) and row["n"] == 30
    assert row["note"].startswith("abandoned_at is empty in every interactions row")
    assert "fix: map the export's column to abandoned_at and import again" in row["note"]


def test_the_note_is_shown_on_the_command_line(tmp_path: Path) -> None:
    db = _load(tmp_path, {"interactions": _calls("same")})
    out = CliRunner().invoke(app, ["query", "abandonment_rate", "--format", "json", "--db", db])
    assert out.exit_code == 0, out.output
    [row] = json.loads(out.stdout)
    assert row["flag"] == "missing_time" and row["value"] is None
    assert "abandoned_at equals created_at" in row["note"]
    table = CliRunner().invoke(app, ["query", "abandonment_rate", "--db", db])
    assert "missing_time" in table.stdout and "abandoned_at" in table.stdout


def test_returning_visitors_without_visitor_ids(tmp_path: Path) -> None:
    db = _load(tmp_path, {})
    with store.connect(db) as wh:  # an older export whose visitor ids were not kept
        wh.execute("INSERT INTO web_sessions (session_id, customer_id, started_at) VALUES "
                   "('s1', 'c1', TIMESTAMPTZ '2024-05-01 10:00:00+00'), "
                   "('s2', 'c1', TIMESTAMPTZ '2024-06-01 10:00:00+00'), "
                   "('s3', 'c2', TIMESTAMPTZ '2024-06-02 10:00:00+00')")
    frame = query("returning_visitors,visitors,visits", start="2024-06-01", end="2024-06-30",
                  db=db).set_index("metric")
    for name in ("returning_visitors", "visitors"):  # before: no_data, and 0 visitors
        assert frame.loc[name, "flag"] == "missing_column", name
        assert "visitor_id is empty in every web_sessions row" in frame.loc[name, "note"]
    assert frame.loc["visits", "value"] == 2 and frame.loc["visits", "note"] == ""


def test_churn_without_acquisition_or_churn_dates(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    no_acquired = _load(tmp_path / "a", {
        "customers": "customer_id,churned_at\nc1,2024-03-01\nc2,\nc3,\n"})
    row = query("churn_rate", start="2024-01-01", end="2024-12-31", db=no_acquired).iloc[0]
    assert row["flag"] == "missing_column" and "acquired_at is empty" in row["note"]
    (tmp_path / "b").mkdir()
    no_churned = _load(tmp_path / "b", {
        "customers": "customer_id,acquired_at\nc1,2023-03-01\nc2,2023-04-01\nc3,2024-02-01\n"})
    frame = query("churn_rate,retention_rate", start="2024-01-01", end="2024-12-31",
                  db=no_churned).set_index("metric")
    # before: churn 0.00 % and retention 100 % of the 2 customers at the start
    for name in ("churn_rate", "retention_rate"):
        assert frame.loc[name, "flag"] == "missing_column", name
        assert "churned_at is empty" in frame.loc[name, "note"]
        assert frame.loc[name, "n"] == 2


def test_optional_columns_are_not_flagged(tmp_path: Path) -> None:
    db = _load(tmp_path, {"interactions": _calls("")})
    # no hold or wrap time exported: AHT is talk time alone, 100…129 s, mean 114.5
    row = query("aht", db=db).iloc[0]
    assert row["value"] == pytest.approx(114.5) and row["flag"] == "" and row["note"] == ""


def pd_isna(value: object) -> bool:
    return value is None or value != value


def test_compare_and_rank_refuse_figures_that_cannot_be_computed(tmp_path: Path) -> None:
    db = _load(tmp_path, {"interactions": _calls("same")})
    with pytest.raises(MissingData, match="cannot compare abandonment_rate: abandoned_at "
                                          "equals created_at") as info:
        compare("abandonment_rate", grain="day", db=db)
    assert "import when abandoned_at really happened" in info.value.hint
    with pytest.raises(MissingData, match="cannot rank abandonment_rate"):
        leaderboard("abandonment_rate", by=["channel"], db=db)


def test_abandons_without_a_wait_can_all_be_counted(tmp_path: Path) -> None:
    db = _load(tmp_path, {"interactions": _calls("same")})
    row = query("abandonment_rate:all", db=db).iloc[0]
    # 7 abandoned of 37 offered, none left out as short
    assert row["value"] == pytest.approx(700 / 37) and row["n"] == 37 and row["flag"] == ""
