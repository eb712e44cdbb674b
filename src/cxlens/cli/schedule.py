"""cxlens schedule: working schedules for business-hours metrics."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse


def register(app: typer.Typer) -> None:
    sched = typer.Typer(help="Working schedules for business-hours metrics.",
                        no_args_is_help=True)

    @sched.command("set")
    def set_(
        name: Annotated[str, typer.Argument(help="Schedule name; 'default' is used unless a "
                                                 "metric's --param schedule=NAME says otherwise.")],
        hours: Annotated[str, typer.Option(
            help="Opening hours, e.g. 'mon-fri 09:00-17:00; sat 10:00-14:00'.")],
        timezone: Annotated[str, typer.Option(help="IANA zone of the hours.")] = "UTC",
        holidays: Annotated[str | None, typer.Option(
            help="Public holidays: ISO country[-subdivision], e.g. GB-ENG, US-NY.")] = None,
        closed: Annotated[list[str] | None, typer.Option(
            "--closed", help="Extra closed day YYYY-MM-DD (repeatable).")] = None,
        db: DbOption = None,
    ) -> None:
        """Store a schedule in the warehouse."""
        from cxlens.metrics.business_hours import Schedule, parse_hours

        schedule = Schedule(timezone=timezone, hours=parse_hours(hours), holidays=holidays,
                            extra_holidays=tuple(dt.date.fromisoformat(d) for d in closed or []))
        schedule.holiday_dates([dt.date.today().year])  # refuse an unknown calendar now
        with open_warehouse(db) as wh, wh.transaction():
            wh.execute("DELETE FROM cxlens_meta WHERE key = ?", [f"schedule.{name}"])
            wh.execute("INSERT INTO cxlens_meta VALUES (?, ?)", [f"schedule.{name}",
                                                                 schedule.to_json()])
        console.print(f"schedule {name} saved", highlight=False)

    @sched.command("list")
    def list_(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
        """Schedules stored in the warehouse."""
        import pandas as pd

        from cxlens.metrics.business_hours import Schedule

        with open_warehouse(db) as wh:
            rows = wh.query("SELECT key, value FROM cxlens_meta WHERE key LIKE 'schedule.%' "
                            "ORDER BY key")
        out = []
        for key, value in rows:
            s = Schedule.from_json(value)
            doc = json.loads(s.to_json())
            out.append({"schedule": key.removeprefix("schedule."), "timezone": s.timezone,
                        "hours": "; ".join(f"{d} {h}" for d, h in doc["hours"].items()),
                        "holidays": s.holidays or ""})
        emit(pd.DataFrame(out, columns=["schedule", "timezone", "hours", "holidays"]), fmt)

    app.add_typer(sched, name="schedule")
