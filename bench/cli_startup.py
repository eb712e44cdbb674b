"""Start-up time of the command line: `cxlens --help`, a sub-command's help and small commands,
against two baselines run in the same session: the bare interpreter (`python -c pass`) and
`python -c "import typer"` (the floor of any Typer program).

    .venv/bin/python bench/cli_startup.py [--venv .venv] [--repeat 9]

Each command runs in a fresh subprocess, interleaved with the others, `--repeat` times; the
table shows the median and the fastest wall time. `--venv` may name another checkout's
environment (e.g. /work/main/.venv) to measure a version before a change in the same run.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def commands(venv: Path, db: Path) -> dict[str, list[str]]:
    python, cxlens = str(venv / "bin" / "python"), str(venv / "bin" / "cxlens")
    return {
        "python -c pass (baseline)": [python, "-c", "pass"],
        "python -c 'import typer' (baseline)": [python, "-c", "import typer"],
        "cxlens --help": [cxlens, "--help"],
        "cxlens query --help": [cxlens, "query", "--help"],
        "cxlens metrics (the catalogue, no warehouse)": [cxlens, "metrics"],
        "cxlens tables (empty warehouse)": [cxlens, "tables", "--db", str(db)],
    }


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path(".venv"))
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "empty.duckdb"
        # an empty warehouse, created by the library of the environment being measured
        subprocess.run([str(args.venv / "bin" / "python"), "-c",
                        f"from cxlens import store; store.connect({str(db)!r}).close()"],
                       check=True)
        cmds = commands(args.venv, db)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for name, argv in cmds.items():  # warm the file cache once
            run_once(argv)
        for _ in range(args.repeat):
            for name, argv in cmds.items():
                times[name].append(run_once(argv))
    print(f"environment {args.venv}, {args.repeat} runs each (wall time, seconds)\n")
    print("| command | median | fastest |")
    print("|---|---:|---:|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} |")


if __name__ == "__main__":
    main()
