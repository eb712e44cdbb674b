"""Options several commands share, parsed and checked in one place: the period (``--from`` /
``--to``: a reversed period is an error wherever it is given), the metric periods and
``--param NAME=VALUE``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cxlens.errors import ConfigError

_FROM, _TO = "cxlens.period.from", "cxlens.period.to"


def _parse(text: str, option: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date",
                          f"write it as YYYY-MM-DD (or an ISO 8601 date and time), "
                          f"e.g. {option} 2026-06-30") from None


def _check(ctx: typer.Context) -> None:
    start, end = ctx.meta.get(_FROM), ctx.meta.get(_TO)
    if start is None or end is None:
        return
    first, first_text = start
    last, last_text = end
    # a plain day --to includes that whole day
    after = last + dt.timedelta(days=1) if len(last_text) <= 10 else last
    if first.replace(tzinfo=None) >= after.replace(tzinfo=None):
        raise ConfigError(f"--from {first_text} is after --to {last_text}: the period is "
                          "reversed", f"swap them: --from {last_text} --to {first_text}")


def check_from(ctx: typer.Context, value: str | None) -> str | None:
    """Callback of every ``--from``: a date, and not after ``--to``."""
    if value:
        ctx.meta[_FROM] = (_parse(value, "--from"), value)
        _check(ctx)
    return value


def check_to(ctx: typer.Context, value: str | None) -> str | None:
    """Callback of every ``--to``: a date, and not before ``--from``."""
    if value:
        ctx.meta[_TO] = (_parse(value, "--to"), value)
        _check(ctx)
    return value


FromOption = Annotated[str | None, typer.Option(
    "--from", help="First day (YYYY-MM-DD).", callback=check_from)]
# the analyses that default to the year up to the latest row (cxlens.dates.year_to_latest)
YearFromOption = Annotated[str | None, typer.Option(
    "--from", help="First day (YYYY-MM-DD); default: a year before --to.", callback=check_from)]
ToOption = Annotated[str | None, typer.Option(
    "--to", help="Last day, included.", callback=check_to)]


# The periods of cxlens.metrics.compile.GRAINS, repeated so that `cxlens --help` need not
# import the metric layer (a test checks they agree).
GRAINS = ("day", "week", "month", "quarter", "year")

ParamOption = Annotated[list[str] | None, typer.Option(
    "--param", help="Override a metric parameter: NAME=VALUE (repeatable).")]


def parse_params(items: list[str] | None) -> dict[str, str | float]:
    """``--param NAME=VALUE`` options: numbers as numbers, anything else as text."""
    out: dict[str, str | float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--param {item!r} is not NAME=VALUE", "e.g. --param window_days=3")
        try:
            out[name.strip()] = float(value) if "." in value else int(value)
        except ValueError:
            out[name.strip()] = value
    return out


AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Last day of data to use (YYYY-MM-DD), included; default: the latest.")]
TopOption = Annotated[int, typer.Option("--top", min=0, help="Customers to list.")]
