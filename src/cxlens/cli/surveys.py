"""cxlens surveys: survey programmes (check, load, run, show)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError

surveys_app = typer.Typer(help="Survey programmes: check and load the YAML, run them.",
                          no_args_is_help=True)
FileArg = Annotated[Path, typer.Argument(help="The programmes YAML file.")]


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--now {text!r} is not a date-time", "use ISO 8601, e.g. "
                          "2026-03-01T09:00") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def register(app: typer.Typer) -> None:
    app.add_typer(surveys_app, name="surveys")


@surveys_app.command("check")
def check(file: FileArg) -> None:
    """Validate a programmes file and report every problem at once."""
    from cxlens.surveys.spec import load

    config = load(file)
    console.print(f"{file}: {len(config.programmes)} programme(s), "
                  f"{len(config.loop.rules)} case rule(s), {len(config.webhooks)} webhook(s) "
                  "— valid", highlight=False)


@surveys_app.command("load")
def load_cmd(file: FileArg, db: DbOption = None) -> None:
    """Make a programmes file the active configuration (stored in the warehouse)."""
    from cxlens.surveys.config import save

    text = file.read_text(encoding="utf-8") if file.is_file() else None
    if text is None:
        raise ConfigError(f"no programmes file {file}", "pass the path of your YAML file")
    with open_warehouse(db) as wh:
        config = save(wh, text)
    console.print(f"loaded {len(config.programmes)} programme(s): "
                  f"{', '.join(p.name for p in config.programmes)}", highlight=False)


@surveys_app.command("run")
def run_cmd(
    now: Annotated[str | None, typer.Option(help="Pretend it is this time (ISO 8601); "
                                            "for back-fills and tests.")] = None,
    fmt: FormatOption = Format.table, db: DbOption = None,
) -> None:
    """Run the programmes once: invite who is due, remind, open and escalate cases, deliver
    webhooks. (`cxlens serve` does this every minute.)"""
    import pandas as pd

    from cxlens.surveys.run import run

    with open_warehouse(db) as wh:
        summary = run(wh, _when(now))
    data = vars(summary)
    if fmt is Format.json:
        emit_json(data)
        return
    emit(pd.DataFrame([{"what": k, "count": v} for k, v in data.items()
                       if k != "suppression_reasons"]), fmt, "survey run")
    for reason, n in summary.suppression_reasons.items():
        console.print(f"suppressed by {reason}: {n}", highlight=False)


@surveys_app.command("show")
def show(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """The active programmes."""
    import pandas as pd

    from cxlens.surveys.config import current

    with open_warehouse(db) as wh:
        config = current(wh)
    emit(pd.DataFrame([{"programme": p.name, "survey": p.survey, "kind": p.kind,
                        "trigger": p.trigger.type, "channels": ", ".join(p.channels),
                        "min_gap_days": p.min_gap_days, "reminders": p.reminders.max,
                        "languages": ", ".join(p.languages)} for p in config.programmes],
                      columns=["programme", "survey", "kind", "trigger", "channels",
                               "min_gap_days", "reminders", "languages"]), fmt, "programmes")
