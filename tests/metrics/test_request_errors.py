"""A request's problems (--by, --grain, --where types, --param values) come in one error, and
whatever the engine still refuses while running a metric comes as the one error shape: on the
command line, a message and its fix, exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.errors import ConfigError
from cxlens.ingest.pipeline import import_files
from cxlens.metrics.failures import EngineRefused
from cxlens.metrics.query import query

OVERFLOW = "reopen_count * 4611686018427387904 > 1"  # 2 × 2⁶² overflows 64 bits in the engine


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "i.csv"
    path.write_text(
        "interaction_id,channel,created_at,answered_at,abandoned_at,talk_seconds,reopen_count\n"
        "a,phone,2024-05-01 10:00,2024-05-01 10:00:15,,300,0\n"
        "b,chat,2024-05-02 10:00,2024-05-02 10:01:00,,200,2\n"
        "c,phone,2024-05-03 10:00,2024-05-03 10:00:30,,100,1\n"
        "d,phone,2024-05-04 10:00,,2024-05-04 10:00:40,,\n")
    url = str(tmp_path / "w.duckdb")
    with store.connect(url) as wh:
        import_files(wh, "interactions", [path])
    return url


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_where_type_error_is_one_paragraph_with_the_fix(db: str) -> None:
    exe = Path(sys.executable).parent / "cxlens"
    done = subprocess.run([str(exe), "query", "csat", "--where", "channel > 3", "--db", db],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: --where 'channel > 3': compares channel (text) with 3 "
                               "(a whole number): channel is one of phone, email")
    assert lines[1].startswith("fix: write --where as a SQL condition on the columns of "
                               "survey_responses")


def test_request_problems_come_together(db: str) -> None:
    with pytest.raises(ConfigError) as info:
        query("aht", by=["chanel"], grain="moth", where="direction = 1 AND talk_secs > 3",
              db=db)
    text = str(info.value)
    assert 'aht cannot be split by "chanel". Did you mean "channel"?' in text
    assert 'unknown grain "moth". Did you mean "month"?' in text
    assert "compares direction (text) with 1" in text
    assert 'no column "talk_secs". Did you mean "talk_seconds"?' in text
    assert "dimensions of interactions:" in info.value.hint
    assert "grains: day" in info.value.hint and "write --where" in info.value.hint


@pytest.mark.parametrize("metrics", ["aht", "aht,contact_volume"])
def test_an_engine_error_names_the_metric_the_expressions_and_the_fix(db: str, metrics: str,
                                                                       ) -> None:
    code, out, err = cli("query", metrics, "--where", OVERFLOW, "--db", db)
    assert code == 2 and "Traceback" not in out + err
    message, fix = err.strip().split("\nfix: ")
    assert message.startswith("error: duckdb could not compute aht: Out of Range Error: "
                              "Overflow in multiplication of INT64")
    assert "aht value `talk_seconds + coalesce(hold_seconds, 0)" in message
    assert f"--where `{OVERFLOW}`" in message
    assert "change the expression or --where value" in fix
    with pytest.raises(EngineRefused):
        query("contact_volume", where=OVERFLOW, db=db)


def test_numeric_params_given_as_text_are_numbers(db: str) -> None:
    twenty = query("service_level", params={"answer_seconds": 20}, db=db)
    with store.connect(db) as wh:  # as the settings page stores it
        wh.execute("INSERT INTO cxlens_meta VALUES ('param.answer_seconds', '20')")
    stored = query("service_level", db=db)
    # answered in 15, 60 and 30 s, one abandon after 40 s: 1 of 4 within 20 s
    assert stored["value"][0] == twenty["value"][0] == pytest.approx(100 / 4)
    code, _, err = cli("query", "service_level", "--param", "answer_seconds=abc", "--db", db)
    assert code == 2
    assert "parameter answer_seconds is a number (default 20), not 'abc'" in err
    assert "fix: give a number, e.g. --param answer_seconds=20" in err
