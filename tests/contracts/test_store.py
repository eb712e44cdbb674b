"""Contracts saved in the warehouse: a folder loaded all or nothing (every problem at once),
idempotently, with every version kept; and where the CLI finds contracts when no folder is
given."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.accounts import audit
from cxlens.cli import app
from cxlens.contracts import store as contract_store
from cxlens.store.base import Warehouse

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "cxlens" / "contracts" / "examples"
runner = CliRunner()
BROKEN = ("vendor: Broken\npricing: {model: per_fte, seats: 3}\nat_risk: 0.1\n"
          "kpis:\n  - {name: csat, metric: cast, target: 85, weight: 0.5}\n")
NOT_YAML = "vendor: [unclosed\n"
SAME_SCOPE = "vendor: Acme BPO\npricing: {model: outcome, rate: 2}\nat_risk: 0.1\n" \
             "kpis:\n  - {name: csat, metric: csat, target: 85}\n"


def _folder(tmp_path: Path, name: str = "contracts") -> Path:
    folder = tmp_path / name
    shutil.copytree(EXAMPLES, folder)
    return folder


def test_load_is_idempotent_and_keeps_every_version(wh: Warehouse, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    first = contract_store.load(wh, folder, "tester")
    assert (first.saved, first.unchanged, first.retired) == (["acme", "northwind"], [], [])
    again = contract_store.load(wh, folder, "tester")
    assert (again.saved, again.unchanged) == ([], ["acme", "northwind"])
    assert wh.count("cxlens_contracts") == 2  # loading twice added nothing
    assert sorted(c.vendor for c in contract_store.contracts(wh)) == ["Acme BPO",
                                                                     "Northwind BPO"]
    # a changed file gets a new version; a file gone from the folder retires its contract
    acme = folder / "acme.yaml"
    acme.write_text(acme.read_text(encoding="utf-8").replace("seats: 20", "seats: 22"),
                    encoding="utf-8")
    (folder / "northwind.yaml").unlink()
    change = contract_store.load(wh, folder, "tester")
    assert (change.saved, change.retired) == (["acme"], ["northwind"])
    now = contract_store.current(wh)
    assert [(s.name, s.version, s.saved_by) for s in now] == [("acme", 2, "tester")]
    assert "seats: 22" in (now[0].text or "")
    versions = [(s.name, s.version, s.text is None) for s in contract_store.history(wh)]
    assert versions == [("acme", 2, False), ("acme", 1, False), ("northwind", 2, True),
                        ("northwind", 1, False)]
    # one file adds or updates only that contract
    single = tmp_path / "northwind.yaml"
    shutil.copy(EXAMPLES / "northwind.yaml", single)
    assert contract_store.load(wh, single).saved == ["northwind"]
    assert [s.name for s in contract_store.current(wh)] == ["acme", "northwind"]
    newest = contract_store.history(wh, "northwind")[0]
    assert (newest.name, newest.version, newest.text is None) == ("northwind", 3, False)
    log = [(a, d) for _, _, a, d in audit.recent(wh)]
    assert ("contracts_saved", "saved acme; retired northwind") in log


def test_a_broken_folder_saves_nothing_and_says_everything(wh: Warehouse,
                                                           tmp_path: Path) -> None:
    contract_store.load(wh, _folder(tmp_path, "before"))
    before = contract_store.history(wh)
    folder = _folder(tmp_path)
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (folder / "garbled.yml").write_text(NOT_YAML, encoding="utf-8")
    (folder / "again.yaml").write_text(SAME_SCOPE, encoding="utf-8")
    (folder / "acme.yml").write_text(SAME_SCOPE, encoding="utf-8")  # a second "acme"
    acme = folder / "acme.yaml"
    acme.write_text(acme.read_text(encoding="utf-8").replace("seats: 20", "seats: 99"),
                    encoding="utf-8")
    with pytest.raises(contract_store.ContractProblems) as exc:
        contract_store.load(wh, folder)
    problems = exc.value.problems
    assert len(problems) == 4, problems
    text = " ".join(problems)
    for part in ("another file is called acme", "broken has 2 problem(s)", "seat_rate",
                 "no metric 'cast'", "garbled is not valid YAML",
                 "two contracts for Acme BPO with the same scope"):
        assert part in text, part
    assert "nothing saved" in exc.value.message and "docs/contracts.md" in exc.value.hint
    assert contract_store.history(wh) == before  # not even the good change to acme


def test_text_from_a_browser_is_saved_as_in_a_file(wh: Warehouse) -> None:
    text = (EXAMPLES / "acme.yaml").read_text(encoding="utf-8")
    contract_store.save(wh, {"acme": text.replace("\n", "\r\n")}, "admin")
    assert contract_store.current(wh)[0].text == text
    assert contract_store.save(wh, {"acme": text}).unchanged == ["acme"]
    with pytest.raises(contract_store.ContractProblems, match="a contract name"):
        contract_store.save(wh, {"../etc": text})


def test_no_table_no_contracts(wh: Warehouse) -> None:
    assert contract_store.current(wh) == [] and contract_store.contracts(wh) == []
    assert contract_store.revision(wh) == 0


# -- the CLI -------------------------------------------------------------------------------------
@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without ./contracts, and no CXLENS_CONTRACTS."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("CXLENS_CONTRACTS", raising=False)
    return work


def _check(db: str) -> list[dict[str, object]]:
    done = runner.invoke(app, ["contracts", "check", "--db", db, "--format", "json"])
    assert done.exit_code == 0, done.output
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


def test_cli_load_and_where_contracts_come_from(elsewhere: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    store.connect(db).close()  # an empty warehouse (a missing one is refused)
    nothing = runner.invoke(app, ["contracts", "check", "--db", db])
    assert nothing.exit_code != 0 and "cxlens contracts load" in nothing.output
    folder = _folder(tmp_path)
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    refused = runner.invoke(app, ["contracts", "load", str(folder), "--db", db])
    assert refused.exit_code != 0 and "nothing saved" in refused.output
    (folder / "broken.yaml").unlink()
    loaded = runner.invoke(app, ["contracts", "load", str(folder), "--db", db])
    assert loaded.exit_code == 0 and "saved acme, northwind" in loaded.output
    twice = runner.invoke(app, ["contracts", "load", str(folder), "--db", db])
    assert "saved nothing; unchanged acme, northwind" in twice.output
    # no folder given and no ./contracts: the warehouse's
    assert {r["vendor"] for r in _check(db)} == {"Acme BPO", "Northwind BPO"}
    # ./contracts wins over the warehouse; --contracts over both
    local = elsewhere / "contracts"
    local.mkdir()
    shutil.copy(EXAMPLES / "acme.yaml", local / "acme.yaml")
    assert {r["vendor"] for r in _check(db)} == {"Acme BPO"}
    given = runner.invoke(app, ["contracts", "check", "--contracts", str(folder),
                                "--format", "json"])
    assert {r["vendor"] for r in json.loads(given.stdout)} == {"Acme BPO", "Northwind BPO"}
    with store.connect(db) as wh:
        assert [s.name for s in contract_store.current(wh)] == ["acme", "northwind"]
