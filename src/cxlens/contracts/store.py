"""Contracts kept in the warehouse, so the dashboard, the CLI and scheduled statements all use
the same ones: table ``cxlens_contracts`` holds every saved version of every contract's YAML
(name, version, text, who saved it and when; a version without text retires the contract).

``save`` validates the whole resulting set of contracts first — every problem of every file
at once — and writes nothing unless all of it is right; saving text that did not change adds
no version, so loading the same folder twice changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cxlens import accounts  # the audit log
from cxlens.contracts.spec import HINT, Contract, parse, scope_clashes
from cxlens.errors import ConfigError, NotFound, did_you_mean
from cxlens.personal import keep
from cxlens.schema import Column, Table, Type
from cxlens.store.base import Warehouse

EXAMPLES = Path(__file__).with_name("examples")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

CONTRACTS = Table("cxlens_contracts", "Contract YAML, every saved version (docs/contracts.md).", (
    Column("name", Type.STRING, "The contract's name (its file name without .yaml).",
           required=True),
    Column("version", Type.INTEGER, "1 when first saved, then one more per change.",
           required=True),
    Column("yaml", Type.STRING, "The contract as YAML; empty when this version retired it."),
    Column("saved_by", Type.STRING, "Who saved it: a dashboard user, or the command."),
    Column("saved_at", Type.TIMESTAMP, "When it was saved.", required=True),
), key=("name", "version"), personal=keep("vendor contracts written by staff, not about "
                                          "customers"))
TABLES = (CONTRACTS,)


class ContractProblems(ConfigError):
    """Contracts that cannot be saved; ``problems`` lists every one (the message joins them)."""

    def __init__(self, problems: list[str], what: str = "nothing saved") -> None:
        super().__init__(f"{len(problems)} problem(s), {what}: " + " | ".join(problems), HINT)
        self.problems = problems


@dataclass(frozen=True)
class Saved:
    """One saved version of a contract (``text`` None: this version retired it)."""

    name: str
    version: int
    text: str | None
    saved_by: str | None
    saved_at: dt.datetime


@dataclass(frozen=True)
class Change:
    """What a save did: contracts with a new version, unchanged ones, retired ones."""

    saved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"saved {', '.join(self.saved) or 'nothing'}"]
        if self.unchanged:
            parts.append(f"unchanged {', '.join(self.unchanged)}")
        if self.retired:
            parts.append(f"retired {', '.join(self.retired)}")
        return "; ".join(parts)


def ensure(wh: Warehouse) -> None:
    wh.ensure(CONTRACTS)


def _exists(wh: Warehouse) -> bool:
    return wh.existing_columns(CONTRACTS.name) is not None


def _saved(row: tuple[object, ...]) -> Saved:
    at = row[4]
    assert isinstance(at, dt.datetime)
    return Saved(str(row[0]), int(str(row[1])), None if row[2] is None else str(row[2]),
                 None if row[3] is None else str(row[3]),
                 at if at.tzinfo else at.replace(tzinfo=dt.UTC))


_COLUMNS = "name, version, yaml, saved_by, saved_at"


def current(wh: Warehouse) -> list[Saved]:
    """The latest version of every contract that is not retired, by name."""
    if not _exists(wh):
        return []
    rows = wh.query(f"SELECT {_COLUMNS} FROM cxlens_contracts c WHERE c.version = (SELECT "
                    "max(d.version) FROM cxlens_contracts d WHERE d.name = c.name) AND "
                    "c.yaml IS NOT NULL ORDER BY c.name")
    return [_saved(r) for r in rows]


def history(wh: Warehouse, name: str | None = None) -> list[Saved]:
    """Every saved version (of one contract, or of all), newest first."""
    if not _exists(wh):
        return []
    where, params = ("WHERE name = ?", [name]) if name else ("", [])
    rows = wh.query(f"SELECT {_COLUMNS} FROM cxlens_contracts {where} "
                    "ORDER BY name, version DESC", params)
    return [_saved(r) for r in rows]


def revision(wh: Warehouse) -> int:
    """Changes with every save (rows are only ever added): part of the dashboard's cache keys."""
    return wh.count(CONTRACTS.name) if _exists(wh) else 0


def validate(texts: Mapping[str, str], problems: tuple[str, ...] = (),
             what: str = "nothing saved") -> list[Contract]:
    """The contracts of ``texts`` (name → YAML). Every problem of every one at once (with
    ``problems`` found before), and two contracts for the same vendor, site and scope, raise
    :class:`ContractProblems`."""
    contracts: list[Contract] = []
    found = list(problems)
    for name, text in texts.items():
        if not _NAME.match(name):
            found.append(f"{name!r}: a contract name is 1–100 letters, digits, '_', '-' or "
                            "'.', starting with a letter or digit")
            continue
        try:
            contracts.append(parse(text, name))
        except ConfigError as exc:
            found.append(exc.message)
    found += scope_clashes(contracts)
    if found:
        raise ContractProblems(found, what)
    return contracts


def _clean(text: str) -> str:
    """Line endings as in a file (browsers send text areas with CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def contracts(wh: Warehouse) -> list[Contract]:
    """The saved contracts (checked again: the metric catalogue may have changed)."""
    return validate({s.name: s.text or "" for s in current(wh)},
                    what="the saved contracts need fixing") if _exists(wh) else []


def parsed(wh: Warehouse) -> list[tuple[Saved, Contract | None, str | None]]:
    """Each saved contract with its parsed form, or the problem that stops it parsing."""
    out: list[tuple[Saved, Contract | None, str | None]] = []
    for s in current(wh):
        try:
            out.append((s, parse(s.text or "", s.name), None))
        except ConfigError as exc:
            out.append((s, None, exc.message))
    return out


def save(wh: Warehouse, texts: Mapping[str, str], who: str | None = None, *,
         replace: bool = False, retire: tuple[str, ...] = (),
         problems: tuple[str, ...] = ()) -> Change:
    """Save ``texts`` (name → YAML) as new versions of those contracts, all or nothing.

    The resulting set — the saved contracts with these replacing theirs, or only these with
    ``replace`` (the others are retired), minus ``retire`` — is validated as a whole first.
    Text that did not change adds no version; ``problems`` found before (a file that could
    not be read) are reported with the others."""
    texts = {name: _clean(text) for name, text in texts.items()}
    ensure(wh)
    with wh.transaction():
        now = {s.name: s.text or "" for s in current(wh)}
        unknown = [n for n in retire if n not in now]
        if unknown:
            raise NotFound(f"no saved contract {unknown[0]!r}.{did_you_mean(unknown[0], now)}",
                           "cxlens contracts check lists them")
        result = {**({} if replace else now), **texts}
        for name in retire:
            result.pop(name, None)
        validate(result, problems)
        change = Change(saved=sorted(n for n in texts if now.get(n) != texts[n]),
                        unchanged=sorted(n for n in texts if now.get(n) == texts[n]),
                        retired=sorted(n for n in now if n not in result))
        if not change.saved and not change.retired:
            return change
        versions = dict(wh.query("SELECT name, max(version) FROM cxlens_contracts "
                                 "GROUP BY name"))
        at = dt.datetime.now(dt.UTC)
        rows = [[n, int(versions.get(n) or 0) + 1, texts[n], who, at] for n in change.saved]
        rows += [[n, int(versions.get(n) or 0) + 1, None, who, at] for n in change.retired]
        wh.insert_rows(CONTRACTS.name, ["name", "version", "yaml", "saved_by", "saved_at"],
                       rows)
        accounts.ensure(wh)
        accounts.audit.record(wh, who, "contracts_saved", str(change))
    return change


def read_folder(folder: str | Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """name → YAML of every ``*.yaml`` / ``*.yml`` file in ``folder`` (or of one file), and
    the files left out (two with the same name)."""
    path = Path(folder)
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    else:
        raise ConfigError(f"no folder or file {path}", "pass the folder of your contract "
                          "YAML files")
    if not files:
        raise ConfigError(f"no contracts in {path}", f"put one YAML file per contract there; "
                          f"{HINT}")
    out: dict[str, str] = {}
    problems = []
    for file in files:
        if file.stem in out:
            problems.append(f"{file}: another file is called {file.stem} too")
            continue
        out[file.stem] = file.read_text(encoding="utf-8")
    return out, tuple(problems)


def load(wh: Warehouse, folder: str | Path, who: str | None = None) -> Change:
    """Make a folder's contracts the saved ones (contracts not in it are retired; one file
    adds or updates only that contract), after validating them all."""
    path = Path(folder)
    texts, problems = read_folder(path)
    return save(wh, texts, who, replace=not path.is_file(), problems=problems)


def load_examples(wh: Warehouse, who: str | None = None) -> Change:
    """Save the example contracts (the demo's vendors) beside any others."""
    texts, _ = read_folder(EXAMPLES)
    return save(wh, texts, who)
