"""Business hours against the published cases (the project's reference notes
on metrics and test vectors; every value is copied into this file)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxlens.errors import ConfigError
from cxlens.metrics.business_hours import Schedule, parse_hours
from cxlens.metrics.query import query
from cxlens.store.base import Warehouse

UTC = dt.UTC
LONDON = Schedule(timezone="Europe/London", hours=parse_hours("mon-fri 09:00-17:00"),
                  holidays="GB-ENG")


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def via_calendar(s: Schedule, a: dt.datetime, b: dt.datetime) -> float:
    """B(b) − B(a) from the hourly calendar, as the warehouse computes it."""
    cal = s.calendar(a, b).set_index("hour")

    def cum(x: dt.datetime) -> float:
        h = x.replace(minute=0, second=0, microsecond=0)
        row = cal.loc[pd.Timestamp(h)]
        into = (x - h).total_seconds()
        return float(row.cum + min(max(into - row.open_from, 0), row.open_to - row.open_from))

    return cum(b) - cum(a)


def test_chatwoot_working_week() -> None:
    s = Schedule(hours=parse_hours("mon-fri 09:00-17:00"))
    a, b = t("2022-03-20 00:00"), t("2022-03-26 23:59")
    assert s.seconds_between(a, b) == 144_000
    assert via_calendar(s, a, b) == 144_000


def test_dst_and_easter_in_london() -> None:
    # Thu 28 Mar 2024 16:00 UTC (= 16:00 GMT) → Tue 2 Apr 09:00 UTC (= 10:00 BST): one hour on
    # Thursday, Good Friday and Easter Monday are holidays, one hour on Tuesday.
    a, b = t("2024-03-28 16:00"), t("2024-04-02 09:00")
    assert LONDON.seconds_between(a, b) == 7_200
    assert via_calendar(LONDON, a, b) == 7_200


@pytest.mark.parametrize(("a", "b"), [("2024-06-03 08:15", "2024-06-03 08:45"),
                                      ("2024-06-03 07:30", "2024-06-04 16:10"),
                                      ("2024-10-25 15:00", "2024-10-28 10:00")])
def test_calendar_formula_agrees_with_the_reference(a: str, b: str) -> None:
    assert via_calendar(LONDON, t(a), t(b)) == LONDON.seconds_between(t(a), t(b))


def test_half_hour_zone_and_stored_form() -> None:
    india = Schedule(timezone="Asia/Kolkata", hours=parse_hours({"mon": "09:00-17:30"}))
    a, b = t("2024-06-03 03:00"), t("2024-06-03 13:00")  # 08:30 → 18:30 IST, Monday
    assert india.seconds_between(a, b) == 8.5 * 3600 == via_calendar(india, a, b)
    assert Schedule.from_json(india.to_json()) == india


def test_bad_schedules_are_refused() -> None:
    with pytest.raises(ConfigError, match="not before"):
        Schedule(hours=parse_hours("mon 17:00-09:00"))
    with pytest.raises(ConfigError, match="days"):
        parse_hours("monday 09:00-17:00")
    with pytest.raises(ConfigError, match="holiday calendar"):
        Schedule(holidays="XX").holiday_dates([2024])


def test_business_hours_metric_matches_the_reference_row_by_row(demo: Warehouse) -> None:
    from typer.testing import CliRunner

    from cxlens.cli import app

    url = demo.url if demo.dialect == "postgres" else None
    if url is None:  # store the schedule through the same connection for DuckDB
        demo.execute("DELETE FROM cxlens_meta WHERE key = 'schedule.uk'")
        demo.execute("INSERT INTO cxlens_meta VALUES ('schedule.uk', ?)", [LONDON.to_json()])
    else:
        result = CliRunner().invoke(app, ["schedule", "set", "uk", "--hours",
                                          "mon-fri 09:00-17:00", "--timezone", "Europe/London",
                                          "--holidays", "GB-ENG", "--db", _raw_url(demo)])
        assert result.exit_code == 0, result.output
    got = query("first_response_time:business", by=["channel"],
                params={"schedule": "uk"}, db=demo)
    rows = demo.query_df("SELECT channel, created_at, first_response_at FROM interactions "
                         "WHERE first_response_at IS NOT NULL")
    rows["b"] = [LONDON.seconds_between(pd.Timestamp(a).to_pydatetime(),
                                        pd.Timestamp(b).to_pydatetime())
                 for a, b in zip(rows.created_at, rows.first_response_at, strict=True)]
    for channel, part in rows.groupby("channel"):
        x = np.sort(part["b"].to_numpy())
        n = len(x)
        median = (x[(n + 1) // 2 - 1] + x[-(-(n + 1) // 2) - 1]) / 2
        mine = got[got.channel == channel].iloc[0]
        assert mine["n"] == n and mine["value"] == pytest.approx(median, abs=1e-6), channel


def _raw_url(wh: Warehouse) -> str:
    info = wh.con.info  # type: ignore[attr-defined]
    return f"postgresql://{info.user}@{info.host}:{info.port}/{info.dbname}"
