"""cxlens alerts: load the rules, run the checks, list what breached."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit, emit_json
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.dates import parse_day
from cxlens.errors import ConfigError

if TYPE_CHECKING:
    from cxlens.alerts.run import Run

SHOWN = ["rule", "segment", "status", "first_month", "last_month", "resolved_month", "metric",
         "value", "n", "ci_low", "ci_high", "limit_value", "change", "p_value"]
JUDGED = ["rule", "check", "segment", "window", "breached", "value", "n", "ci_low", "ci_high",
          "limit", "change", "change_low", "change_high", "p_value"]


def register(app: typer.Typer) -> None:
    alerts = typer.Typer(help="Alerts on any metric and segment: thresholds, SLA targets, "
                              "control-chart breaches and quarter-over-quarter drift.",
                         no_args_is_help=True)

    @alerts.command("load")
    def load_cmd(
        file: Annotated[Path, typer.Argument(help="The rules (YAML, docs/alerts.md).")],
        db: DbOption = None,
    ) -> None:
        """Make a rules file the active alert rules (stored in the warehouse); every problem
        is reported at once and nothing is saved unless all rules are right."""
        from cxlens.alerts.config import save

        if not file.is_file():
            raise ConfigError(f"no alert rules file {file}",
                              "pass the path of your YAML file (cxlens alerts rules --example "
                              "prints one)")
        with open_warehouse(db) as wh:
            cfg = save(wh, file.read_text(encoding="utf-8"), "cxlens alerts load")
        console.print(f"loaded {len(cfg.rules)} rule(s): "
                      f"{', '.join(r.name for r in cfg.rules)}", highlight=False)

    @alerts.command("rules")
    def rules_cmd(
        example: Annotated[bool, typer.Option("--example", help="Print the example rules "
                                              "instead of the stored ones.")] = False,
        db: DbOption = None,
    ) -> None:
        """Print the active rules as YAML."""
        from cxlens.alerts import config

        if example:
            console.print(config.example_text(), highlight=False, markup=False)
            return
        with open_warehouse(db) as wh:
            body = config.text(wh)
        if body is None:
            raise ConfigError("no alert rules are loaded",
                              "cxlens alerts load FILE (cxlens alerts rules --example)")
        console.print(body, highlight=False, markup=False)

    @alerts.command("check")
    def check_cmd(
        as_of: Annotated[str | None, typer.Option(
            "--as-of", help="Judge the last complete month before this day (default: today, "
            "or the month of the latest contact).")] = None,
        since: Annotated[str | None, typer.Option(
            "--since", help="Replay the check month by month from this month up to --as-of "
                            "(fills the history; each breach is still alerted once).")] = None,
        rule: Annotated[list[str] | None, typer.Option(
            "--rule", help="Only this rule (repeatable).")] = None,
        deliver: Annotated[bool, typer.Option(help="Send e-mails and post webhooks.")] = True,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Judge every rule and segment, record each new breach once (continuing breaches
        extend their alert, recoveries resolve it), then deliver by e-mail and webhook."""
        from cxlens.alerts.run import check, replay

        day = parse_day(as_of, "--as-of")
        start = parse_day(since, "--since")
        with open_warehouse(db) as wh:
            runs = (replay(wh, start, day, rules=rule, deliver=deliver) if start
                    else [check(wh, day, rules=rule, deliver=deliver)])
        _print_runs(runs, fmt)

    @alerts.command("list")
    def list_cmd(
        status: Annotated[str | None, typer.Option(help="open or resolved (default: both).")]
        = None,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Alerts recorded so far, open ones first, with the figure, n, interval and limit."""
        from cxlens.alerts.store import listing

        if status not in (None, "open", "resolved"):
            raise ConfigError(f"--status {status!r} is not open or resolved",
                              "use --status open or --status resolved")
        with open_warehouse(db) as wh:
            frame = listing(wh, status)
        if fmt is Format.table:
            emit(frame[SHOWN].round(2), fmt, f"{len(frame)} alert(s)")
            for message in frame["message"]:
                console.print(f"- {message}", highlight=False, markup=False)
        else:
            emit(frame, fmt)

    app.add_typer(alerts, name="alerts")


def _print_runs(done: list[Run], fmt: Format) -> None:
    import pandas as pd

    from cxlens.cli.output import json_records as records

    if fmt is Format.json:
        emit_json([{"month": f"{r.month:%Y-%m}", "opened": r.changes.opened,
                    "extended": r.changes.extended, "resolved": r.changes.resolved,
                    "emails_sent": r.emails_sent, "emails_failed": r.emails_failed,
                    "webhooks_delivered": r.webhooks_delivered,
                    "webhooks_failed": r.webhooks_failed,
                    "judgements": records(pd.DataFrame([vars(j) for j in r.judgements]))}
                   for r in done])
        return
    if fmt is Format.csv:
        rows = [vars(j) | {"month": f"{r.month:%Y-%m}"} for r in done for j in r.judgements]
        emit(pd.DataFrame(rows), fmt)
        return
    for r in done:
        breached = [j for j in r.judgements if j.breached]
        console.print(f"{r.month:%Y-%m}: {len(r.judgements)} judged, {len(breached)} breaching; "
                      f"{len(r.changes.opened)} new alert(s), {len(r.changes.extended)} "
                      f"continuing, {len(r.changes.resolved)} resolved; e-mails "
                      f"{r.emails_sent} sent, {r.emails_failed} failed; webhooks "
                      f"{r.webhooks_delivered} delivered", highlight=False)
        for j in breached:
            console.print(f"  ! {j.message}", highlight=False, markup=False)
