"""``--format csv`` of frames (``emit``) and of plain records (``emit_rows``): text cells that
start like a formula come back with a leading quote, numbers as they were."""

from __future__ import annotations

import csv
import io

import pandas as pd
import typer
from typer.testing import CliRunner

from cxlens.cli.output import Format, emit, emit_rows

HOSTILE = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
app = typer.Typer()


@app.command()
def frame() -> None:
    emit(pd.DataFrame({"agent_id": HOSTILE, "score": [-3.5] * len(HOSTILE)}), Format.csv)


@app.command()
def rows() -> None:
    emit_rows([{"agent_id": v, "score": -3.5} for v in HOSTILE], Format.csv)


def _read(command: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, [command])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout, newline="")))


def test_emit_and_emit_rows_neutralise_formulas() -> None:
    for command in ("frame", "rows"):
        got = _read(command)
        assert [r["agent_id"] for r in got] == ["'" + v for v in HOSTILE], command
        assert {r["score"] for r in got} == {"-3.5"}, command
