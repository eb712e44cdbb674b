"""cxlens contracts (check, load, compare): BPO contracts.

Where the contracts come from: ``--contracts DIR`` (or ``CXLENS_CONTRACTS``) when given; else
the folder ``./contracts`` when it exists; else the contracts saved in the warehouse
(``cxlens contracts load DIR``, or the dashboard's contracts page)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.output import Format, FormatOption, console, emit
from cxlens.cli.warehouse import DbOption, open_warehouse
from cxlens.errors import ConfigError

if TYPE_CHECKING:
    from cxlens.contracts.spec import Contract
    from cxlens.store.base import Warehouse

contracts_app = typer.Typer(help="Contracts with outsourced contact centres.",
                            no_args_is_help=True)
ContractsOption = Annotated[Path | None, typer.Option(
    "--contracts", envvar="CXLENS_CONTRACTS", show_envvar=True,
    help="Folder of contract YAML files (or one file); default ./contracts when it exists, "
         "else the contracts saved in the warehouse.")]
DEFAULT_FOLDER = Path("contracts")


def from_folder(folder: Path | None) -> Path | None:
    """The folder to read: the one given, else ./contracts if it exists, else None (the
    warehouse's saved contracts)."""
    if folder is not None:
        return folder
    return DEFAULT_FOLDER if DEFAULT_FOLDER.exists() else None


def saved_contracts(wh: Warehouse) -> list[Contract]:
    from cxlens.contracts import store as contract_store

    found = contract_store.contracts(wh)
    if not found:
        raise ConfigError("no contracts: no --contracts folder was given, there is no "
                          "./contracts, and none are saved in the warehouse",
                          "save them with: cxlens contracts load DIR (or pass --contracts DIR)")
    return found


def contracts_for(folder: Path | None, wh: Warehouse) -> list[Contract]:
    """The contracts by the rule in this module's docstring."""
    from cxlens.contracts.spec import load_folder

    path = from_folder(folder)
    return load_folder(path) if path is not None else saved_contracts(wh)


def parse_month(text: str) -> dt.date:
    """``--month YYYY-MM`` as the month's first day."""
    try:
        return dt.date.fromisoformat(text[:7] + "-01")
    except ValueError:
        raise ConfigError(f"--month {text!r} is not a month", "write it as YYYY-MM, "
                          "e.g. --month 2026-06") from None


def register(app: typer.Typer) -> None:
    app.add_typer(contracts_app, name="contracts")


@contracts_app.command("check")
def check(
    contracts: ContractsOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Validate the contracts (every problem at once) and list them: a folder's files, or
    the contracts saved in the warehouse."""
    import pandas as pd

    from cxlens.contracts.spec import load_folder

    path = from_folder(contracts)
    if path is not None:
        cs = load_folder(path)
    else:
        with open_warehouse(db) as wh:
            cs = saved_contracts(wh)
    emit(pd.DataFrame([{
        "contract": c.label, "vendor": c.vendor, "site": c.site or "", "start": c.start,
        "pricing": c.pricing.model, "currency": c.currency, "at_risk": c.at_risk,
        "credit_cap": c.credit_cap if c.credit_cap is not None else c.at_risk,
        "earn_back_months": c.earn_back_months, "uncertainty": c.uncertainty,
        "kpis": ", ".join(f"{k.name} ({k.weight:g})" for k in c.kpis)} for c in cs]),
        fmt, f"{len(cs)} contract(s)")


@contracts_app.command("load")
def load_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of contract YAML files (or one file).")],
    db: DbOption = None,
) -> None:
    """Save a folder's contracts in the warehouse, all or nothing: every file is checked
    first and every problem reported at once. The folder becomes the saved set (contracts
    not in it are retired, their history kept); one file adds or updates only that contract.
    Unchanged files add no version, so loading twice changes nothing."""
    from cxlens.contracts import store as contract_store

    with open_warehouse(db) as wh:
        change = contract_store.load(wh, folder, "cxlens contracts load")
    console.print(f"contracts: {change}", highlight=False)


class CompareBy(StrEnum):
    vendor = "vendor"
    site = "site"


@contracts_app.command("compare")
def compare_cmd(
    month: Annotated[str, typer.Option(help="Month, YYYY-MM.")],
    by: Annotated[CompareBy, typer.Option(help="Side by side: vendors or sites.")]
    = CompareBy.vendor,
    contract: Annotated[str | None, typer.Option(
        help="Only this contract's KPIs (its label); default: every contract's, one each "
             "per metric and where.")] = None,
    year: Annotated[bool, typer.Option(
        "--year", help="Also the twelve months before the month.")] = False,
    contracts: ContractsOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Vendors or sites side by side on the contracts' KPIs: actual, n, 95 % interval,
    the minimum sample (flagged when n is below it), and the target and verdict under the
    segment's own contract where it has that KPI."""
    from cxlens.contracts.compare import compare

    with open_warehouse(db) as wh:
        result = compare(wh, contracts_for(contracts, wh), parse_month(month), by.value,
                         contract=contract)
    frame = result.frame(year)
    if fmt is Format.table:  # narrower: rounded, without what the KPI name says
        frame = frame.round({"value": 1, "ci_low": 1, "ci_high": 1}).drop(
            columns=["metric", "where", "direction"])
    emit(frame, fmt, f"contract KPIs by {by.value}, "
         f"{'the year to ' if year else ''}{result.month:%Y-%m}")
