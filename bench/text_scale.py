"""Benchmark: the text side and AutoQA on a big demo warehouse (issue 19) — sentiment training
and scoring of every source, two tracked theme runs a month apart with the emerging-theme
alert checked after each, and AutoQA over every conversation with a transcript — each as the
``cxlens`` command a user runs, timed by ``/usr/bin/time -v``.

    .venv/bin/cxlens demo --scale 42 --db /tmp/b43/bench43.duckdb      # ≈ 10 M, once
    .venv/bin/python bench/text_scale.py --db /tmp/b43/bench43.duckdb [--steps train,qa]
                                         [--out /tmp/b43/text]

Each step is a separate process (so its peak RSS is its own): wall seconds, peak RSS (MiB,
``Maximum resident set size``) and the 1-minute load average before and after (the machine is
shared: the load says how much). Each command's output goes to ``OUT/STEP.out``. Prints a
Markdown table. The theme runs are those of docs/text.md's demo walk-through: run 1 to
2026-08-31, run 2 a month later; the warehouse keeps what they store (a second run of this
script tracks on top of them, as a user's next runs would).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("cxlens"))
YEAR = "2025-10-01"
#: (step, arguments of cxlens): in the order a user would run them.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("train", ("sentiment", "train")),
    ("comments", ("sentiment", "--source", "comments")),
    ("mentions", ("sentiment", "--source", "mentions")),
    ("tickets", ("sentiment", "--source", "tickets")),
    ("themes", ("themes", "--from", YEAR, "--to", "2026-09-30")),
    ("track1", ("themes", "track", "--from", YEAR, "--to", "2026-08-31")),
    ("alerts1", ("alerts", "check", "--as-of", "2026-09-01", "--no-deliver")),
    ("track2", ("themes", "track", "--from", YEAR, "--to", "2026-09-30")),
    ("alerts2", ("alerts", "check", "--as-of", "2026-10-01", "--no-deliver")),
    ("qa", ("qa", "auto")),
)
HEADER = ("| step | command | seconds | peak RSS (MiB) | load before | load after |\n"
          "|---|---|---:|---:|---:|---:|")
_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def run(step: str, args: tuple[str, ...], db: str, out: Path) -> str:
    load = os.getloadavg()[0]
    command = ["/usr/bin/time", "-v", CLI, *args, "--db", db]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    (out / f"{step}.out").write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    if done.returncode:
        print(f"{step}: exit {done.returncode}, see {out / step}.out", file=sys.stderr)
    found = _RSS.search(done.stderr)
    rss = int(found.group(1)) / 1024 if found else float("nan")
    return (f"| {step} | `cxlens {' '.join(args)}` | {seconds:,.1f} | {rss:,.0f} "
            f"| {load:.1f} | {os.getloadavg()[0]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the demo warehouse (a DuckDB file)")
    parser.add_argument("--steps", default=",".join(s for s, _ in STEPS),
                        help="comma-separated steps to run, in the table's order")
    parser.add_argument("--out", type=Path, default=Path("bench-text-out"))
    args = parser.parse_args()
    wanted = set(args.steps.split(","))
    unknown = wanted - {s for s, _ in STEPS}
    if unknown:
        parser.error(f"unknown step(s) {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for step, command in STEPS:
        if step in wanted:
            rows.append(run(step, command, args.db, args.out))
            print(rows[-1], file=sys.stderr, flush=True)
    print(HEADER)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
