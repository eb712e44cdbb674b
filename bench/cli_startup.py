"""Start-up time of the command line: `cxlens --help`, a sub-command's help and small commands,
against two baselines run in the same session: the bare interpreter (`python -c pass`) and
`python -c "import typer"` (the floor of any Typer program).

    .venv/bin/python bench/cli_startup.py [--venv .venv ...] [--repeat 9]

Each command runs in a fresh subprocess, interleaved with the others, `--repeat` times; the
table shows the median and the fastest wall time. `--venv` may be given several times, e.g.
another checkout's environment (/work/main/.venv) to measure the version before a change in
the same run, interleaved. Prints a Markdown table.
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
        "fixed overhead of a warehouse command (the CLI loaded, the warehouse opened)": [
            python, "-c", "import cxlens.cli; from cxlens import store; "
            f"store.connect({str(db)!r}).close()"],
        "cxlens metrics (the catalogue, no warehouse)": [cxlens, "metrics"],
        "cxlens tables (empty warehouse)": [cxlens, "tables", "--db", str(db)],
    }


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, action="append",
                        help="environment to measure (repeatable; default .venv)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    venvs: list[Path] = args.venv or [Path(".venv")]
    with tempfile.TemporaryDirectory() as tmp:
        cmds: dict[str, list[str]] = {}
        for i, venv in enumerate(venvs):
            db = Path(tmp) / f"empty{i}.duckdb"
            # an empty warehouse, created by the library of the environment being measured
            subprocess.run([str(venv / "bin" / "python"), "-c",
                            f"from cxlens import store; store.connect({str(db)!r}).close()"],
                           check=True)
            for name, argv in commands(venv, db).items():
                if "baseline" in name and i > 0:
                    continue
                cmds[name if len(venvs) == 1 or "baseline" in name else f"{name} [{venv}]"] = argv
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for argv in cmds.values():  # warm the file cache once
            run_once(argv)
        for _ in range(args.repeat):
            for name, argv in cmds.items():
                times[name].append(run_once(argv))
    print(f"{args.repeat} runs each, interleaved (wall time, seconds)\n")
    print("| command | median | fastest |")
    print("|---|---:|---:|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} |")


if __name__ == "__main__":
    main()
