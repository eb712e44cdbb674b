"""The command line starts at once: help and argument errors import none of the heavy
libraries (timings are measured in bench/cli_startup.py, not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "numpy", "ibis", "scipy", "sklearn", "statsmodels", "duckdb", "pyarrow",
         "sqlglot", "playwright", "psycopg", "pyspark", "fastapi", "uvicorn")

# Runs the real entry point in a fresh interpreter, then lists the top-level packages loaded.
PROBE = """
import json, sys
from cxlens.cli import main
sys.argv = ["cxlens", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def loaded(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))],
                          capture_output=True, text=True, timeout=120, check=True)
    modules = json.loads(done.stderr.rsplit("MODULES ", 1)[1])
    return done.stdout, set(modules)


@pytest.mark.parametrize("args", [
    ("--help",), ("query", "--help"), ("qa", "--help"), ("qa", "scores", "--help"),
    ("cases", "list", "--help"), ("report", "--help"), ("moved", "--help"),
])
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    out, modules = loaded(*args)
    assert "Usage: cxlens" in out
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_a_reversed_period_is_refused_before_anything_heavy_is_imported() -> None:
    _, modules = loaded("query", "csat", "--from", "2026-06-01", "--to", "2026-01-01")
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_listings_open_the_warehouse_without_pandas(tmp_path: Path) -> None:
    from cxlens import store

    db = str(tmp_path / "w.duckdb")
    store.connect(db).close()
    for args in (("tables", "--db", db), ("metrics",)):
        out, modules = loaded(*args)
        assert "interactions" in out or "csat" in out
        assert modules.isdisjoint({"pandas", "ibis", "scipy"}), (args, modules)


def test_python_api_is_still_there_lazily() -> None:
    code = ("import sys, cxlens; assert 'pandas' not in sys.modules; "
            "print(cxlens.query.__module__, cxlens.connect.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["cxlens.metrics.query", "cxlens.store"]


def test_grains_in_the_help_are_the_metric_layers() -> None:
    from cxlens.cli import options as cli_options
    from cxlens.metrics.compile import GRAINS

    assert tuple(GRAINS) == cli_options.GRAINS
