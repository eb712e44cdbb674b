"""``cxlens report`` says on a terminal which section it computes and how many are done (the
same sections, by the same names, as the dashboard's progress page); off a terminal (a pipe,
a log) it says nothing of it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.cli.progress import counted
from cxlens.demo import build_demo
from cxlens.present.filters import Filters
from cxlens.reports.model import build_report

#: What the bar says for each section of a vendor's report, in order (written out).
SAID = ("Computing executive summary", "Computing what moved it", "Computing touchpoints", "Computing customer journey",
        "Computing vendor scorecard", "Computing vendors", "Computing sites", "Computing CSAT by ticket type",
        "Computing agent leaderboard", "Computing key drivers of CSAT", "Computing alerts",
        "Computing voice of the customer")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(Path(tmp_path_factory.mktemp("progress")) / "p.duckdb")
    with store.connect(db) as wh:
        build_demo(wh, scale=0.005, seed=5)
    return db


def test_a_terminal_sees_each_section_counted(small: str) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120)
    with store.connect(small) as wh, counted("computing the report", terminal) as step:
        build_report(wh, Filters(), "Acme BPO",
                     lambda s, done, total: step(s.doing, done, total))
    text = screen.getvalue()
    at = [text.find(said) for said in SAID]
    assert -1 not in at, [s for s, i in zip(SAID, at, strict=True) if i < 0]
    assert at == sorted(at)  # in the report's order
    assert "11/12" in text  # the last section started: eleven of twelve done


def test_off_a_terminal_the_command_says_nothing_of_it(small: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", "--db", small, "--out", str(out),
                                      "--vendor", "Acme BPO"])
    assert result.exit_code == 0, result.output
    assert "Computing" not in result.output and "/12" not in result.output
    assert f"report written to {out}" in result.output
