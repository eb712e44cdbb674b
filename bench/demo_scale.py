"""Benchmark: build the demo operation at scale 42 (≈ 10 million interactions) into a fresh
DuckDB file and report wall time, rows per second and peak memory (RSS).

    .venv/bin/python bench/demo_scale.py [--scale 42] [--seed 7] [--keep PATH]
                                         [--duckdb-memory-limit 3GB]

DuckDB caches the blocks and primary-key indexes it writes inside the build's transaction up
to its ``memory_limit`` (default 80 % of RAM), so peak RSS is mostly DuckDB's cache; pass
``--duckdb-memory-limit`` to bound it (the generator itself stays around 1 GiB at scale 42).

Prints a Markdown table (header and one row): scale, interactions, all rows written, seconds,
rows/s, interactions/s, peak RSS (MiB) and the size of the DuckDB file (MiB).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from cxlens import store
from cxlens.demo import build_demo

HEADER = ("| scale | interactions | all rows | seconds | rows/s | interactions/s "
          "| peak RSS (MiB) | file (MiB) |\n|---|---|---|---|---|---|---|---|")


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def run(scale: float, seed: int, path: Path, memory_limit: str | None) -> str:
    last = [0.0]

    def progress(step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10 or done == total:
            last[0] = now
            print(f"  {step}: {done:,}/{total:,} ({now - t0:.0f} s, "
                  f"RSS peak {peak_rss_mib():,.0f} MiB)", file=sys.stderr, flush=True)

    with store.connect(str(path)) as wh:
        if memory_limit:
            wh.execute(f"SET memory_limit = '{memory_limit}'")
        t0 = time.perf_counter()
        summary = build_demo(wh, scale=scale, seed=seed, progress=progress)
        seconds = time.perf_counter() - t0
    rows = sum(summary.rows.values())
    size = path.stat().st_size / 2**20
    return (f"| {scale:g} | {summary.interactions:,} | {rows:,} | {seconds:,.1f} "
            f"| {rows / seconds:,.0f} | {summary.interactions / seconds:,.0f} "
            f"| {peak_rss_mib():,.0f} | {size:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=42.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the warehouse here and keep it")
    parser.add_argument("--duckdb-memory-limit", help="DuckDB memory_limit, e.g. 3GB")
    args = parser.parse_args()
    print(f"building the demo at scale {args.scale:g} on {os.cpu_count()} cores ...",
          file=sys.stderr)
    if args.keep:
        args.keep.unlink(missing_ok=True)
        row = run(args.scale, args.seed, args.keep, args.duckdb_memory_limit)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            row = run(args.scale, args.seed, Path(tmp) / "demo.duckdb",
                      args.duckdb_memory_limit)
    print(HEADER)
    print(row)


if __name__ == "__main__":
    main()
