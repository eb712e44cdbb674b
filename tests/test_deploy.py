"""The deployment files (deploy/, docs/deploy.md): the systemd unit passes
``systemd-analyze verify`` and the compose file parses; every command line in them uses only
options that the CLI has, and more than one worker is only ever given a Postgres warehouse."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.main import get_command

from cxlens.cli import app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _unit() -> dict[str, list[str]]:
    """key → values of the unit file (every section together; comments dropped)."""
    out: dict[str, list[str]] = {}
    for line in (DEPLOY / "cxlens.service").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def _check_command(args: list[str]) -> None:
    """``args`` (after ``cxlens``) name a command and only options it has, each with a value
    when it takes one, and no more arguments than it takes."""
    root = get_command(app)
    command = root.commands[args[0]]  # type: ignore[attr-defined]
    options = {name: p for p in command.params for name in (*p.opts, *p.secondary_opts)
               if name.startswith("-")}
    arguments = [p for p in command.params if not any(o.startswith("-") for o in p.opts)]
    rest, given = args[1:], 0
    while rest:
        flag = rest.pop(0)
        if not flag.startswith("-"):
            given += 1
            continue
        assert flag in options, f"cxlens {args[0]} has no option {flag}"
        if not options[flag].is_flag:
            assert rest and not rest[0].startswith("--"), f"{flag} needs a value"
            rest.pop(0)
    assert given <= len(arguments), f"cxlens {args[0]} takes {len(arguments)} arguments"


def test_the_systemd_unit_verifies_and_its_command_exists() -> None:
    unit = _unit()
    (exec_start,) = unit["ExecStart"]
    args = shlex.split(exec_start)
    assert args[0] == "/opt/cxlens/.venv/bin/cxlens"
    _check_command(args[1:])
    assert "--workers" in args and unit["EnvironmentFile"] == ["/etc/cxlens/cxlens.env"]
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the unit's syntax is not verified")
    # verify checks that ExecStart is an executable: point it at this checkout's cxlens
    here = Path(sys.executable).with_name("cxlens")
    text = (DEPLOY / "cxlens.service").read_text().replace(args[0], str(here))
    unit_file = Path(subprocess.check_output(["mktemp", "-d"], text=True).strip()) / \
        "cxlens.service"
    unit_file.write_text(text)
    try:
        proc = subprocess.run(["systemd-analyze", "verify", str(unit_file)],
                              capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(unit_file.parent)
    assert proc.returncode == 0, proc.stderr
    assert "cxlens.service" not in proc.stdout + proc.stderr  # no warning about the unit


def test_the_compose_file_runs_cxlens_on_its_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "cxlens"}
    cx = services["cxlens"]
    _check_command(cx["command"])
    assert cx["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    url = cx["environment"]["CXLENS_DB"]
    assert url.startswith("postgresql://cxlens:") and url.endswith("@postgres:5432/cxlens")
    pg = services["postgres"]["environment"]
    assert pg["POSTGRES_USER"] == "cxlens" and pg["POSTGRES_DB"] == "cxlens"
    assert "${CXLENS_PG_PASSWORD:?" in pg["POSTGRES_PASSWORD"]  # no default password
    assert cx["ports"] == ["127.0.0.1:8000:8000"]  # not on every interface of the host
    dockerfile = (ROOT / cx["build"]["context"].replace("..", ".") /
                  cx["build"]["dockerfile"]).read_text()
    assert 'ENTRYPOINT ["cxlens"]' in dockerfile and "USER cxlens" in dockerfile


def test_the_documented_backup_command_line_exists() -> None:
    for line in (DEPLOY / "compose.yaml").read_text().splitlines():
        if " run --rm cxlens " in line:
            _check_command(shlex.split(line.split(" run --rm cxlens ", 1)[1]))
            return
    pytest.fail("compose.yaml documents no backup command")
